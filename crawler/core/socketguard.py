"""The private-network guard for connections a library opens itself (Apprise): each checked as it is opened.

Apprise's plugins connect through requests, smtplib and others, to hosts named anywhere in
a URL (`smtp=`, the host, a fixed service address) or reached by a redirect. Rather than
guess which URL field is a host, Python's audit events are watched while a library call
runs inside `guarded()`: `socket.connect` gives the address actually dialled (after DNS,
so nothing can change between check and use), and `http.client.send` gives the target a
proxy is asked to reach. A refused one raises AddressRefused in place of the connection.
The hook is process-wide but idle outside `guarded()`; the state is a ContextVar, so the
worker threads Apprise starts with a copy of the caller's context are guarded too.
"""
from __future__ import annotations

import socket
import sys
import threading
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from crawler.core import netguard


@dataclass
class _Guard:
    allow: netguard.Allow
    refusals: list[str] = field(default_factory=list)

    def refuse(self, reason: str) -> None:
        self.refusals.append(reason)
        raise netguard.AddressRefused(reason)


_current: ContextVar[_Guard | None] = ContextVar("vigil_socket_guard", default=None)
_installed = False
_install_lock = threading.Lock()


@contextmanager
def guarded(allow: netguard.Allow):
    """Check every connection opened inside the block under `allow`; yields the list of refusals made."""
    _install()
    guard = _Guard(allow)
    token = _current.set(guard)
    try:
        yield guard.refusals
    finally:
        _current.reset(token)


def _install() -> None:
    global _installed
    with _install_lock:
        if not _installed:
            sys.addaudithook(_audit)  # cannot be removed again: it does nothing outside guarded()
            _installed = True


def _audit(event: str, args: tuple) -> None:
    if event == "socket.connect":
        guard = _current.get()
        if guard is not None:
            _check_connect(guard, *args)
    elif event == "http.client.send":
        guard = _current.get()
        if guard is not None:
            _check_proxied(guard, args[1])


def _check_connect(guard: _Guard, sock, address) -> None:
    if sock.family not in (socket.AF_INET, socket.AF_INET6) or not isinstance(address, tuple):
        return  # a Unix socket (syslog, D-Bus) leaves the machine for nowhere
    host = str(address[0])
    if netguard.parse_address(host) is not None:
        reason = netguard.refusal_reason(host, host, guard.allow)
    else:  # a connect by name: it is resolved here, before the socket resolves it again
        reason = netguard.target_refusal(host, guard.allow)
    if reason:
        guard.refuse(reason)


def _check_proxied(guard: _Guard, data) -> None:
    if not isinstance(data, (bytes, bytearray)):
        return  # a streamed body, never a request line
    host = netguard.proxied_host(bytes(data[:8192]))
    if host:
        reason = netguard.target_refusal(host, guard.allow)
        if reason:
            guard.refuse(reason)
