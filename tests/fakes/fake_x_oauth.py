"""OAuth 1.0a checks for the fake X: is the header well-formed, and is the signature right?

A malformed header is a bug in the bot (the test fails); a well-formed header signed with
other secrets is what X answers 401 to (wrong or revoked credentials), a normal scenario.
The signature is checked against the URL the request really reached, so a client that
signs one host and sends to another is caught here just as X would catch it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

from oauthlib.oauth1.rfc5849 import signature, utils

REQUIRED = (
    "oauth_consumer_key",
    "oauth_nonce",
    "oauth_signature",
    "oauth_signature_method",
    "oauth_timestamp",
    "oauth_token",
)
_PAIR = re.compile(r'^\s*([a-z_]+)="([^"]*)"\s*$')


@dataclass(frozen=True)
class Credentials:
    api_key: str
    api_secret: str
    access_token: str
    access_token_secret: str


class Malformed(Exception):
    """The Authorization header is not an OAuth 1.0a header as RFC 5849 describes it."""


def parse_header(header: str | None) -> dict[str, str]:
    """The oauth_* parameters of an ``Authorization: OAuth …`` header; Malformed otherwise."""
    if not header:
        raise Malformed("no Authorization header")
    scheme, _, rest = header.partition(" ")
    if scheme.lower() != "oauth":
        raise Malformed(f"Authorization scheme is {scheme!r}, not OAuth")
    params: dict[str, str] = {}
    for part in rest.split(","):
        match = _PAIR.match(part)
        if not match:
            raise Malformed(f'not a key="value" pair: {part.strip()[:40]!r}')
        key, value = match.groups()
        if key in params:
            raise Malformed(f"{key} given twice")
        params[key] = utils.unescape(value)
    missing = [name for name in REQUIRED if not params.get(name)]
    if missing:
        raise Malformed(f"missing {', '.join(missing)}")
    if params["oauth_signature_method"] != "HMAC-SHA1":
        raise Malformed(f"signature method {params['oauth_signature_method']!r}, X wants HMAC-SHA1")
    if params.get("oauth_version", "1.0") != "1.0":
        raise Malformed(f"oauth_version {params['oauth_version']!r}")
    if not params["oauth_timestamp"].isdigit():
        raise Malformed("oauth_timestamp is not a number of seconds")
    return params


def signature_valid(
    credentials: Credentials,
    *,
    method: str,
    url: str,
    query: str,
    headers: dict[str, str],
    body: bytes | None,
) -> bool:
    """Recompute the HMAC-SHA1 signature (RFC 5849 section 3.4) and compare."""
    header = headers.get("Authorization", "")
    params = parse_header(header)
    if params["oauth_consumer_key"] != credentials.api_key:
        return False
    if params["oauth_token"] != credentials.access_token:
        return False
    form = None
    if (headers.get("Content-Type") or "").startswith("application/x-www-form-urlencoded"):
        form = (body or b"").decode("utf-8")
    collected = signature.collect_parameters(
        uri_query=query, body=form, headers={"Authorization": header}, exclude_oauth_signature=True
    )
    base = signature.signature_base_string(
        method.upper(), signature.base_string_uri(url), signature.normalize_parameters(collected)
    )
    key = f"{utils.escape(credentials.api_secret)}&{utils.escape(credentials.access_token_secret)}"
    digest = hmac.new(key.encode(), base.encode(), hashlib.sha1).digest()
    expected = base64.b64encode(digest).decode()
    return hmac.compare_digest(expected, params["oauth_signature"])
