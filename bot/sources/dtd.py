"""A feed's bytes without a DTD, before any parser sees them.

feedparser keeps a feed's own ``<!ENTITY>`` definitions; when its strict parser gives up
(expat stops an expansion past 100×), the loose parser expands them without limit: a
91 KB feed became a 30 MB summary, a 100 KB one took 900 MB. No feed needs a DTD, so the
document type declaration, internal subset included, is removed from the prolog. The
prolog is read as XML reads it (quoted values, comments, processing instructions), so an
entity value holding ``>`` or ``]`` cannot end the removal early; a declaration found
anywhere else before the root element refuses the feed.
"""

from __future__ import annotations

import re

from feedparser.encodings import convert_to_utf8

_BOM = b"\xef\xbb\xbf"
#: what may stand before the root element and is kept: blanks, comments, PIs
_KEEP = re.compile(rb"\s+|<!--.*?-->|<\?.*?\?>", re.DOTALL)
#: one token inside a declaration: plain run, quoted value, comment, PI, or a bracket
_TOKEN = re.compile(rb"""[^"'\[\]<>]+|"[^"]*"|'[^']*'|<!--.*?-->|<\?.*?\?>|[\[\]<>]""", re.DOTALL)
#: what feedparser's own DOCTYPE handling looks for before the first element
_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_ELEMENT = re.compile(rb"<\w")


class DtdError(ValueError):
    """The feed declares a DTD that cannot be removed safely."""


def _declaration_end(data: bytes, start: int) -> int:
    """The end of the ``<!...>`` declaration at ``start`` (internal subset included)."""
    depth = 0  # 1 inside the [ ... ] internal subset, +1 inside a nested <!...>
    pos = start + 2
    while pos < len(data):
        token = _TOKEN.match(data, pos)
        if token is None:  # an unterminated quote, comment or PI
            break
        pos = token.end()
        text = token.group()
        if text in (b"[", b"<"):
            depth += 1
        elif text == b"]" or (text == b">" and depth > 0):
            depth -= 1
        elif text == b">":
            return pos
    raise DtdError("refused: the feed's DOCTYPE never ends")


def strip_dtd(body: bytes) -> bytes:
    """``body`` as UTF-8 (feedparser's own conversion), its DOCTYPE and ENTITY
    declarations removed; a declaration that cannot be removed raises ``DtdError``."""
    data: bytes = convert_to_utf8({}, body, {})
    pos = len(_BOM) if data.startswith(_BOM) else 0
    kept = [data[:pos]]
    while pos < len(data):
        keep = _KEEP.match(data, pos)
        if keep is not None:
            kept.append(keep.group())
            pos = keep.end()
        elif data.startswith(b"<!", pos):
            pos = _declaration_end(data, pos)  # dropped
        else:
            break
    rest = data[pos:]
    root = _ELEMENT.search(rest)
    if _DECLARATION.search(rest, 0, root.start() if root else len(rest)):
        raise DtdError("refused: a DOCTYPE or ENTITY declaration out of place")
    return b"".join(kept) + rest
