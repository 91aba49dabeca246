"""A WhatsApp Channel post on the dashboard: a chat bubble with WhatsApp's own markup
(*bold*, _italic_, ~strike~, ```mono```, "> " quotes) and WhatsApp's counter."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from bot.channels.preview_html import Preview, counter, links

# a marker opens only after a word boundary (start, space, punctuation) and before a
# non-space; it closes only after a non-space and before a boundary. The invisible joiners
# newsbot puts around an article's own markers are no boundary, so those neither open nor
# close — as in WhatsApp.
_EDGE = r"\s.,;:!?()\[\]{}'\"“”‘’«»—–-"
_NOT_IN = "\\s"


def _inline(marker: str) -> re.Pattern[str]:
    m = re.escape(marker)
    return re.compile(
        rf"(?<![^{_EDGE}]){m}(?![{_NOT_IN}{m}])([^\n]+?)(?<![{_NOT_IN}]){m}(?![^{_EDGE}])"
    )


_WA_STYLES = [
    (_inline("*"), "strong"),
    (_inline("_"), "em"),
    (_inline("~"), "s"),
]
_WA_MONO = re.compile(r"(```[^`]+?```)")


def _styled(escaped: str) -> str:
    for pattern, tag in _WA_STYLES:
        escaped = pattern.sub(rf"<{tag}>\1</{tag}>", escaped)
    return links(escaped)


def whatsapp_html(text: str) -> Markup:
    out: list[str] = []
    raws = text.split("\n")
    for i, raw in enumerate(raws):
        line = str(escape(raw))
        quoted = line.startswith("&gt; ") or line == "&gt;"
        if quoted:
            line = line[5:] if line.startswith("&gt; ") else ""
        line = "".join(
            f"<code>{part[3:-3]}</code>" if _WA_MONO.fullmatch(part) else _styled(part)
            for part in _WA_MONO.split(line)
        )
        if quoted:  # a block: it breaks the line itself
            out.append(f'<span class="wa-quote">{line}</span>')
        else:
            out.append(line + ("<br>" if i < len(raws) - 1 else ""))
    return Markup("".join(out))  # noqa: S704 - built from escaped text


def card(body: Markup, length: int, limit: int) -> Markup:
    return Markup(  # noqa: S704 - body is Markup, the rest is ours
        '<div class="wa-chat" data-preview="whatsapp">\n'
        '  <div class="wa-bubble">\n'
        f'    <div class="wa-text" data-preview-body>{body}</div>\n'
        f"    {counter(length, limit)}\n"
        "  </div>\n"
        "</div>"
    )


PREVIEW = Preview(html=whatsapp_html, card=card)
