"""Canonical article URLs: one article, one URL, whatever tracking the link carried."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Parameters that identify a click or a campaign, never the article.
_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "hsa_", "_hs", "vero_", "oly_")
_TRACKING = {
    "fbclid",
    "gclid",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "yclid",
    "igshid",
    "twclid",
    "mkt_tok",
    "_ga",
    "_gl",
    "ref_src",
    "ref_url",
    "cmpid",
    "ocid",
    "ncid",
    "smid",
    "soc_src",
    "soc_trk",
    "at_medium",
    "at_campaign",
    "ito",
    "xtor",
    "s_cid",
    "cid_source",
    "share",
    "rss",
    "feed",
    "partner",
}


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no fragment, no default port, no tracking parameters."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:  # an IPv6 address keeps its brackets
        host = f"[{host}]"
    port = parts.port
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    if parts.username:
        host = f"{parts.username}@{host}"
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith(_TRACKING_PREFIXES) and key.lower() not in _TRACKING
    ]
    path = parts.path or "/"
    return urlunsplit((scheme, host, path, urlencode(query, doseq=True), ""))
