"""The client's address: the direct peer, or what a trusted reverse proxy says it is.

``X-Forwarded-For`` is believed only when the direct peer is one of
``NEWSBOT_WEB__TRUSTED_PROXIES``; then the client is the right-most address in it that is
not itself a trusted proxy. Every proxy appends the address it saw, so the entries left of
that one were written by the client and prove nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network

Network = IPv4Network | IPv6Network


@lru_cache(maxsize=16)
def networks(items: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ip_network(item, strict=False) for item in items)


def _address(text: str) -> IPv4Address | IPv6Address | None:
    text = text.strip().strip("[]")
    try:
        return ip_address(text)
    except ValueError:
        return None


def is_trusted(address: str, trusted: Iterable[Network]) -> bool:
    parsed = _address(address)
    return parsed is not None and any(parsed in net for net in trusted)


def client_address(peer: str | None, forwarded_for: Sequence[str], trusted: Sequence[str]) -> str:
    """``forwarded_for``: every X-Forwarded-For header of the request, in order."""
    peer = peer or "unknown"
    nets = networks(tuple(trusted))
    if not nets or not is_trusted(peer, nets):
        return peer
    hops = [hop.strip() for header in forwarded_for for hop in header.split(",") if hop.strip()]
    for hop in reversed(hops):
        parsed = _address(hop)
        if parsed is None:
            return peer  # a hop that is no address: nothing right of the peer can be trusted
        if not any(parsed in net for net in nets):
            return str(parsed)
    return str(_address(hops[0])) if hops else peer
