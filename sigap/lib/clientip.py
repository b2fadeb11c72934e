"""The client's address: the one function every limit, lockout and log asks.

`X-Forwarded-For` is believed only when the connection comes from a configured proxy
(SIGAP_TRUSTED_PROXIES, addresses or networks): the address is then the right-most entry
that is not itself a trusted proxy (entries left of it were written by the client and can
be anything). Without trusted proxies the header is ignored and the peer address is the
client's, so a sender cannot dodge a rate limit by writing the header itself.
"""

from __future__ import annotations

import functools
import ipaddress

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(items: list[str]) -> tuple[Network, ...]:
    """Return the networks named by addresses or CIDR blocks; raise ValueError when malformed."""
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in items
                 if item.strip())


@functools.lru_cache(maxsize=8)
def _trusted(items: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(list(items))


def _address(raw: str):
    try:
        return ipaddress.ip_address(raw.strip())
    except ValueError:
        return None


def _is_trusted(address, networks) -> bool:
    return any(address in network for network in networks)


def client_ip(request) -> str:
    """Return the client's address for `request` (never a value the client chose itself)."""
    peer = _address(request.META.get("REMOTE_ADDR", "") or "")
    if peer is None:
        return ""
    networks = _trusted(tuple(getattr(settings, "SIGAP_TRUSTED_PROXIES", ())))
    if not networks or not _is_trusted(peer, networks):
        return str(peer)
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break  # a malformed entry: nothing to its left can be believed
        if not _is_trusted(address, networks):
            return str(address)
        peer = address
    return str(peer)
