"""An X post on the dashboard: links and hashtags drawn as X draws them, X's counter."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from bot.channels.preview_html import Preview, counter, links

_HASHTAG = re.compile(r"(?<![\w&#])#(\w+)")


def x_html(text: str) -> Markup:
    escaped = links(str(escape(text)))
    escaped = _HASHTAG.sub(r'<span class="tag">#\1</span>', escaped)
    return Markup(escaped.replace("\n", "<br>"))  # noqa: S704 - built from escaped text


def card(body: Markup, length: int, limit: int) -> Markup:
    return Markup(  # noqa: S704 - body is Markup, the rest is ours
        '<div class="x-post" data-preview="x">\n'
        '  <div class="x-head"><span class="x-avatar" aria-hidden="true"></span>'
        '<strong>Newsroom</strong> <span class="muted">@newsroom · now</span></div>\n'
        f'  <div class="x-text" data-preview-body>{body}</div>\n'
        f"  {counter(length, limit)}\n"
        "</div>"
    )


PREVIEW = Preview(html=x_html, card=card)
