"""Serving the web app with uvicorn: in the foreground (`vigil serve`) or in a thread beside the
daemon (`vigil run --serve`)."""
from __future__ import annotations

import ipaddress
import logging
import os
import socket
import threading

import uvicorn

from crawler.core.errors import UsageError
from crawler.web.app import create_app

log = logging.getLogger("vigil.web")


def _server(config_path: str | os.PathLike, host: str, port: int, log_level: str) -> uvicorn.Server:
    app = create_app(config_path)
    # proxy_headers: behind a reverse proxy on this machine, X-Forwarded-Proto says https, and the
    # session cookie is then marked Secure.
    config = uvicorn.Config(app, host=host, port=port, log_level=log_level, access_log=False, proxy_headers=True,
                            forwarded_allow_ips="127.0.0.1", server_header=False, lifespan="off")
    return uvicorn.Server(config)


def check_address(host: str, port: int) -> None:
    """A UsageError when nothing can listen there (in use, or not an address of this machine), before
    anything starts; a warning when it is not a loopback address."""
    if not 0 < port < 65536:
        raise UsageError(f"--port {port}: not a port (1-65535)")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UsageError(f"--host {host}: not an address ({exc.strerror})") from None
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)   # as uvicorn binds
        try:
            probe.bind(address)
        except OSError as exc:
            raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    try:
        loopback = ipaddress.ip_address(address[0].split("%")[0]).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        log.warning("serving on %s: anyone who can reach it sees the login page; put it behind a reverse "
                    "proxy with TLS (docs/security.md)", host)


def serve(config_path: str | os.PathLike, host: str, port: int, log_level: str = "warning") -> None:
    """Serve until SIGINT or SIGTERM (the caller has checked the address with check_address)."""
    server = _server(config_path, host, port, log_level)
    server.run()
    if not server.started:
        raise UsageError(f"cannot listen on {host}:{port} (in use, or not an address of this machine)")


class ServerThread:
    """The web app in a thread of another process (the daemon): started, then stopped at its end."""

    def __init__(self, config_path: str | os.PathLike, host: str, port: int, log_level: str = "warning"):
        check_address(host, port)
        self.server = _server(config_path, host, port, log_level)
        self.thread = threading.Thread(target=self.server.run, name="vigil-web", daemon=True)

    def start(self) -> "ServerThread":
        self.thread.start()
        while not self.server.started and self.thread.is_alive():
            self.thread.join(0.05)
        if not self.server.started:
            raise UsageError(f"cannot listen on {self.server.config.host}:{self.server.config.port}")
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(5)
