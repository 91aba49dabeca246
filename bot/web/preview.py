"""A post drawn as its platform shows it: an X post, a WhatsApp bubble with its markup.

Everything is HTML-escaped first; markup is then recognised on the escaped text, so
nothing from an article can become a tag.
"""

from __future__ import annotations

import re
from functools import lru_cache

from markupsafe import Markup, escape

_URL = re.compile(r"https?://[^\s<>\"]+")
_HASHTAG = re.compile(r"(?<![\w&#])#(\w+)")
# a marker can open only at a word boundary (start, space, punctuation) and close only
# before one; the invisible joiners newsbot puts around article markers stop both
_EDGE = r"\s.,;:!?()\[\]{}'\"“”‘’«»—–-"
_NOT_IN = "\\s\u2060\u2063"


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
_WA_MONO = re.compile(r"```([^`]+?)```")


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
    lines: list[str] = []
    for raw in text.split("\n"):
        line = str(escape(raw))
        quoted = line.startswith("&gt; ") or line == "&gt;"
        if quoted:
            line = line[5:] if line.startswith("&gt; ") else ""
        line = _WA_MONO.sub(r"<code>\1</code>", line)
        for pattern, tag in _WA_STYLES:
            line = pattern.sub(rf"<{tag}>\1</{tag}>", line)
        line = _links(line)
        lines.append(f'<span class="wa-quote">{line}</span>' if quoted else line)
    return Markup("<br>".join(lines))  # noqa: S704 - built from escaped text


@lru_cache(maxsize=8192)
def post_html(channel: str, text: str) -> Markup:
    """Remembered: the queue draws the same posts on every reload."""
    return x_html(text) if channel == "x" else whatsapp_html(text)
