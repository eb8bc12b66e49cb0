"""The private-network guard: which addresses a crawl or a webhook may connect to."""
from __future__ import annotations

import ipaddress
import socket
from functools import lru_cache

# CGNAT (100.64.0.0/10) is not "private" to the ipaddress module, so it is listed.
_EXTRA_BLOCKED = (ipaddress.ip_network("100.64.0.0/10"),)


def is_private(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved
        or ip.is_unspecified or any(ip in net for net in _EXTRA_BLOCKED if ip.version == net.version)
    )


def allowed(address: str, allow: bool | tuple[str, ...]) -> bool:
    """Whether `address` may be fetched under `allow_private_networks`."""
    if not is_private(address) or allow is True:
        return True
    if not allow:
        return False
    ip = ipaddress.ip_address(address)
    return any(ip in ipaddress.ip_network(cidr, strict=False) for cidr in allow)


@lru_cache(maxsize=4096)
def resolve(host: str) -> tuple[str, ...]:
    try:
        ipaddress.ip_address(host.strip("[]"))
        return (host.strip("[]"),)
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except socket.gaierror:
        return ()
    return tuple(sorted({info[4][0] for info in infos}))


def refusal(host: str, allow: bool | tuple[str, ...]) -> str | None:
    """Why `host` must not be fetched, or None when it may be."""
    for address in resolve(host):
        if not allowed(address, allow):
            return (f"refused: {host} resolves to {address}, a private or reserved address "
                    f"(set allow_private_networks in [vigil] to allow it)")
    return None
