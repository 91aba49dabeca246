"""A post drawn as its platform shows it: an X post, a WhatsApp bubble with its markup.

Everything is HTML-escaped first; markup is then recognised on the escaped text, so
nothing from an article can become a tag.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from bot.web.bytecache import MiB, bounded_by_bytes

_URL = re.compile(r"https?://[^\s<>\"]+")
_HASHTAG = re.compile(r"(?<![\w&#])#(\w+)")
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
    return _links(escaped)


def _links(escaped: str) -> str:
    return _URL.sub(
        lambda m: (
            f'<a href="{m.group(0)}" rel="noopener noreferrer nofollow" '
            f'target="_blank">{m.group(0)}</a>'
        ),
        escaped,
    )


def x_html(text: str) -> Markup:
    escaped = _links(str(escape(text)))
    escaped = _HASHTAG.sub(r'<span class="tag">#\1</span>', escaped)
    return Markup(escaped.replace("\n", "<br>"))  # noqa: S704 - built from escaped text


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


#: what the remembered previews may hold; a 16 MiB budget keeps the queue's few hundred
#: drafts warm while no caller can grow it (see ``bytecache``)
PREVIEW_BUDGET = 16 * MiB


@bounded_by_bytes(PREVIEW_BUDGET)
def post_html(channel: str, text: str) -> Markup:
    """Remembered: the queue draws the same posts on every reload."""
    return x_html(text) if channel == "x" else whatsapp_html(text)
