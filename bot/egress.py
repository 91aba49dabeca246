"""Where a URL from content or from a user may lead: the egress policy (decisions only).

Source URLs, item links, pushed URLs, page and image URLs are fetched by the server, so a
hostile feed or client could aim them at the newsroom's own network (loopback, private
ranges, the cloud metadata address). They may reach public addresses only, over http or
https, unless the operator lists a host, IP or CIDR in ``NEWSBOT_FETCH_ALLOW``. The check
is made on the addresses a name resolves to, right before connecting to one of them
(``bot.egress_transport``), so a name that resolves differently the second time (DNS
rebinding) gains nothing. Channel endpoints an admin configures are not content and do
not go through here.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
#: host name, port -> the addresses to try, in order (OSError when there are none)
Resolver = Callable[[str, int], list[str]]

SCHEMES = ("http", "https")
#: NAT64's well-known prefix carries an IPv4 address in its last 32 bits
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class EgressRefused(Exception):
    """The URL leads somewhere content fetches may not go."""


def system_resolver(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to, each once, in the resolver's order; OSError if
    it resolves to none (a failed fetch like any other, not a refusal)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except UnicodeError as exc:
        raise OSError(f"cannot resolve {host}: {exc}") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _embedded_v4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, 6to4, Teredo, NAT64), if any."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public(address: IPAddress) -> bool:
    """A globally routable unicast address: not loopback, private, link-local (the
    metadata address 169.254.169.254), shared (100.64/10), multicast or reserved."""
    inner = _embedded_v4(address)
    if inner is not None and not is_public(inner):
        return False
    return (
        address.is_global
        and not address.is_multicast
        and not address.is_reserved
        and not address.is_unspecified
        and not address.is_loopback
        and not address.is_link_local
    )


def _host_key(host: str) -> str:
    return host.strip().strip("[]").rstrip(".").lower()


_HOST_NAME = re.compile(r"^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$")


def parse_allow(entries: Iterable[str]) -> tuple[frozenset[str], tuple[IPNetwork, ...]]:
    """Host names and networks from ``NEWSBOT_FETCH_ALLOW``; ValueError names a bad entry."""
    hosts: set[str] = set()
    networks: list[IPNetwork] = []
    for raw in entries:
        entry = _host_key(raw)
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
            continue
        except ValueError:
            pass
        if not _HOST_NAME.match(entry) or entry.replace(".", "").isdigit():
            raise ValueError(f"{raw.strip()!r} is no host name, IP address or CIDR")
        hosts.add(entry)
    return frozenset(hosts), tuple(networks)


@dataclass(frozen=True)
class EgressPolicy:
    """Public addresses only, except the hosts and networks an operator allows."""

    hosts: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = ()
    resolver: Resolver = field(default=system_resolver, compare=False)

    @classmethod
    def from_allow(
        cls, entries: Iterable[str], resolver: Resolver = system_resolver
    ) -> EgressPolicy:
        """``NEWSBOT_FETCH_ALLOW``: host names, IP addresses and CIDRs."""
        hosts, networks = parse_allow(entries)
        return cls(hosts, networks, resolver)

    def allows_address(self, host: str, address: str) -> str | None:
        """None if content may connect to ``address`` (which ``host`` resolved to), else why not."""
        if _host_key(host) in self.hosts:
            return None
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            return f"{address} is not an IP address"
        if any(ip in net for net in self.networks) or is_public(ip):
            return None
        shown = host if _host_key(host) == str(ip) else f"{host} ({ip})"
        return f"{shown} is not a public address; NEWSBOT_FETCH_ALLOW lists the exceptions"

    def check_url(self, url: str) -> None:
        """The URL's form: http or https, with a host. Addresses are checked at connect."""
        try:
            parts = urlsplit(url)
            host = parts.hostname
        except ValueError as exc:
            raise EgressRefused(f"not a URL ({exc})") from None
        if parts.scheme.lower() not in SCHEMES:
            raise EgressRefused("only http and https URLs are fetched")
        if not host:
            raise EgressRefused("the URL has no host")

    def addresses(self, host: str, port: int) -> list[str]:
        """Resolve ``host`` once and return its addresses, refusing if any is not allowed.

        Every address must pass, not just the first: a name that mixes a public and a
        private address would otherwise reach the private one on a retry.
        """
        found = self.resolver(host, port)
        if not found:
            raise OSError(f"{host} resolves to no address")
        for address in found:
            reason = self.allows_address(host, address)
            if reason is not None:
                raise EgressRefused(reason)
        return found
