"""The private-network guard: which addresses a crawl or a webhook may connect to, checked after DNS.

Every name is resolved once and the connection goes only to the addresses that were
checked: for crawls a Twisted name resolver (installed through Scrapy's
TWISTED_DNS_RESOLVER) hands the connecting endpoint nothing but allowed addresses;
for webhooks `open_connection` resolves, checks and connects itself. A name that has
any forbidden address is refused whole, so a mixed answer cannot slip one through.

Proxies: the environment's http_proxy and the like are ignored; only `[vigil] proxy` is
used, its own address passes the guard like any other, and a target is checked here
before it is handed to the proxy (which resolves it again, out of our sight).
"""
from __future__ import annotations

import ipaddress
import os
import re
import socket
from collections import OrderedDict
from urllib.parse import urlsplit

import attr
from twisted.internet.interfaces import IHostnameResolver, IHostResolution, IResolutionReceiver
from zope.interface import implementer

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Allow = bool | tuple[str, ...] | list[str]

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_PRIVATE = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7",
                                                    "fec0::/10"))
HINT = "set allow_private_networks in [vigil] to allow it"


class AddressRefused(OSError):
    """A connection the guard refused; its message is the plain reason, ready for a user."""


def parse_address(text: str) -> Address | None:
    try:
        return ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return None


def _embedded_ipv4(ip: Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, NAT64 or 6to4), which is where it really leads."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.sixtofour


def _category(ip: Address) -> str | None:
    if ip.is_unspecified or (ip.version == 4 and ip in ipaddress.ip_network("0.0.0.0/8")):
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.version == 4 and ip in _CGNAT:
        return "carrier-grade NAT (shared)"
    if ip.is_multicast:
        return "multicast"
    if any(ip in network for network in _PRIVATE if network.version == ip.version):
        return "private"
    if ip.is_reserved or ip.is_private or not ip.is_global:
        return "reserved"   # documentation, benchmarking, protocol and future-use ranges
    return None


def blocked_category(address: str | Address) -> str | None:
    """What kind of non-public address this is ("loopback", "private", ...), or None for a public one."""
    ip = parse_address(address) if isinstance(address, str) else address
    if ip is None:
        return "unparseable"
    embedded = _embedded_ipv4(ip)
    if embedded is not None:
        inner = _category(embedded)
        if inner is not None:
            return inner
        if ip.ipv4_mapped is not None or ip in _NAT64:
            return None  # a translation of a public IPv4 address
    return _category(ip)


def allowed(address: str | Address, allow: Allow) -> bool:
    """Whether `address` may be connected to under `allow_private_networks` (true, false or CIDRs)."""
    ip = parse_address(address) if isinstance(address, str) else address
    if ip is None:
        return False
    if blocked_category(ip) is None or allow is True:
        return True
    if not allow:
        return False
    candidates = [ip] + [e for e in (_embedded_ipv4(ip),) if e is not None]
    for cidr in allow:
        network = ipaddress.ip_network(cidr, strict=False)
        if any(c.version == network.version and c in network for c in candidates):
            return True
    return False


def refusal_reason(host: str, address: str | Address, allow: Allow) -> str | None:
    """The plain message for a refused connection to `host` at `address`, or None when it is allowed."""
    if allowed(address, allow):
        return None
    category = blocked_category(address)
    host = host.strip("[]")
    literal = parse_address(host)
    same = literal is not None and literal == (parse_address(str(address)))
    where = f"{host} is" if same else f"{host} resolves to {address}, which is"
    article = "an" if category[0] in "aeiou" else "a"
    return f"refused: {where} {article} {category} address ({HINT})"


# One policy per process: every crawl of a process shares one config. The crawl's guard
# middleware sets it from [vigil] allow_private_networks; the dispatcher does for webhooks.
_policy: Allow = False
_refusals: OrderedDict[str, str] = OrderedDict()
_REFUSALS_KEPT = 4096


def set_policy(allow: Allow) -> None:
    global _policy
    _policy = tuple(allow) if isinstance(allow, list) else allow
    _refusals.clear()


def policy() -> Allow:
    return _policy


_proxy: str | None = None


def set_proxy(url: str | None) -> None:
    """Make `url` (`[vigil] proxy`) the process's one HTTP proxy, or use none; see `proxy_environment`."""
    global _proxy
    _proxy = url or None
    proxy_environment()


def proxy() -> str | None:
    return _proxy


def proxy_environment() -> None:
    """Make the environment name the configured proxy and no other.

    Libraries that open their own connections (Apprise through requests) take a proxy from
    http_proxy, https_proxy, all_proxy or no_proxy in either case; a proxy there would carry
    requests past the guard, so every such variable is replaced by the config's choice.
    """
    wanted = {"http_proxy": _proxy, "https_proxy": _proxy} if _proxy else {}
    for name in [name for name in os.environ if name.lower().endswith("_proxy") and name not in wanted]:
        os.environ.pop(name, None)
    for name, value in wanted.items():
        if os.environ.get(name) != value:
            os.environ[name] = value


def proxy_problem(url: str, allow: Allow) -> str | None:
    """What is wrong with `url` as `[vigil] proxy`, or None: http://host:port, on an allowed address."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"not a proxy URL ({exc})"
    if parts.scheme.lower() != "http" or not parts.hostname:
        return "expected http://host:port (Vigil asks the proxy to CONNECT for https sites)"
    if parts.path not in ("", "/") or parts.query or parts.fragment or port == 0:
        return "expected http://host:port, with no path or query"
    literal = parse_address(parts.hostname)
    return refusal_reason(parts.hostname, literal, allow) if literal is not None else None


def target_refusal(host: str, allow: Allow) -> str | None:
    """Why `host` must not be handed to a proxy, after resolving it here; None when every address is allowed.

    The proxy resolves the name itself, so one that cannot be resolved here cannot be checked and is refused.
    """
    host = host.strip("[]")
    literal = parse_address(host)
    if literal is not None:
        return refusal_reason(host, literal, allow)
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, OSError):
        return f"refused: {host} does not resolve here, so it cannot be checked"
    return check_addresses(host, {info[4][0] for info in infos}, allow)


_REQUEST_LINE = re.compile(rb"^([A-Z]+) (\S+) HTTP/1\.[01]\r\n")


def proxied_host(request: bytes) -> str | None:
    """The host an HTTP request asks a proxy to reach (`CONNECT host:port`, `GET http://host/...`), if it does."""
    match = _REQUEST_LINE.match(request)
    if not match:
        return None
    method, target = match.group(1), match.group(2).decode("ascii", "replace")
    if method == b"CONNECT":
        return target.rpartition(":")[0].strip("[]") or None
    if target.lower().startswith(("http://", "https://")):
        try:
            return urlsplit(target).hostname
        except ValueError:
            return target
    return None


def _remember_refusal(host: str, reason: str) -> None:
    _refusals[host] = reason
    _refusals.move_to_end(host)
    while len(_refusals) > _REFUSALS_KEPT:
        _refusals.popitem(last=False)


def recorded_refusal(host: str | None) -> str | None:
    """Why the resolver refused `host` earlier in this process, if it did."""
    return _refusals.get((host or "").strip("[]").lower())


def check_addresses(host: str, addresses, allow: Allow) -> str | None:
    """The refusal for the first forbidden address among `addresses`, or None when all are allowed."""
    for address in addresses:
        reason = refusal_reason(host, address, allow)
        if reason:
            return reason
    return None


def open_connection(address: tuple[str, int], timeout=socket._GLOBAL_DEFAULT_TIMEOUT, source_address=None,
                    *, allow: Allow | None = None) -> socket.socket:
    """socket.create_connection that resolves once, refuses forbidden addresses, and connects only to checked ones."""
    host, port = address
    allow = policy() if allow is None else allow
    infos = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
    reason = check_addresses(host, [info[4][0] for info in infos], allow)
    if reason:
        raise AddressRefused(reason)
    error: OSError | None = None
    for family, kind, proto, _name, sockaddr in infos:
        sock = socket.socket(family, kind, proto)
        try:
            if timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            error = exc
            sock.close()
    raise error or OSError(f"no address for {host}")


@implementer(IResolutionReceiver)
class _Collector:
    """Gathers every address of one lookup before anything is handed on."""

    def __init__(self, on_complete):
        self.addresses: list = []
        self.on_complete = on_complete

    def resolutionBegan(self, resolution) -> None:
        pass

    def addressResolved(self, address) -> None:
        self.addresses.append(address)

    def resolutionComplete(self) -> None:
        self.on_complete(self.addresses)


@implementer(IHostResolution)
class _Resolution:
    def __init__(self, name: str):
        self.name = name

    def cancel(self) -> None:
        pass


@implementer(IHostnameResolver)
class GuardedResolver:
    """A Twisted name resolver that passes on only allowed addresses; a refused name resolves to nothing.

    Scrapy installs it on the reactor (TWISTED_DNS_RESOLVER), and every connection a crawl
    opens, proxies and redirects included, gets its addresses from here. Answers are
    cached, the decision is taken on every lookup under the current policy.
    """

    CACHE_SIZE = 10_000   # answers are kept for the life of the process: one crawl

    def __init__(self, reactor):
        self.reactor = reactor
        original = reactor.nameResolver
        # installed twice (by Scrapy and by the guard middleware) must not mean resolving through itself
        self.original = original.original if isinstance(original, GuardedResolver) else original
        self.cache: OrderedDict[str, list] = OrderedDict()

    @classmethod
    def from_crawler(cls, crawler, reactor):
        return cls(reactor)

    def install_on_reactor(self) -> None:
        self.reactor.installNameResolver(self)

    def resolveHostName(self, receiver, hostName, portNumber=0, addressTypes=None, transportSemantics="TCP"):
        name = hostName.decode("ascii", "replace") if isinstance(hostName, bytes) else hostName
        key = name.strip("[]").lower()
        resolution = _Resolution(name)
        receiver.resolutionBegan(resolution)
        if key in self.cache:
            self._hand_on(receiver, key, self.cache[key], portNumber)
            return resolution

        def complete(addresses):
            if addresses:
                self.cache[key] = [_with_port(address, 0) for address in addresses]
                while len(self.cache) > self.CACHE_SIZE:
                    self.cache.popitem(last=False)
            self._hand_on(receiver, key, addresses, portNumber)

        self.original.resolveHostName(_Collector(complete), hostName, portNumber, addressTypes, transportSemantics)
        return resolution

    def _hand_on(self, receiver, host: str, addresses: list, port: int) -> None:
        reason = check_addresses(host, [address.host for address in addresses], policy())
        if reason:
            _remember_refusal(host, reason)
        else:
            for address in addresses:
                receiver.addressResolved(_with_port(address, port))
        receiver.resolutionComplete()


def _with_port(address, port: int):
    return address if getattr(address, "port", port) == port else attr.evolve(address, port=port)


def resolve(reactor, host: str):
    """A Deferred firing with the addresses of `host` that the reactor's resolver let through
    (none for a refused name, whose reason is then in `recorded_refusal`)."""
    from twisted.internet.defer import Deferred

    done: Deferred = Deferred()
    reactor.nameResolver.resolveHostName(_Collector(lambda addresses: done.callback(
        [address.host for address in addresses])), host)
    return done


def install_resolver(reactor) -> None:
    """Put the guarded resolver on `reactor` unless it is there already."""
    if not isinstance(reactor.nameResolver, GuardedResolver):
        GuardedResolver(reactor).install_on_reactor()
