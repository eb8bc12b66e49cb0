"""Real servers on 127.0.0.1 for tests: an SMTP server, a webhook receiver and an HTTP proxy."""
from __future__ import annotations

import email
import email.policy
import http.client
import select
import socket
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on `host` that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def _wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


@dataclass
class ReceivedMail:
    """One message as the SMTP server accepted it."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes
    login: str | None = None


class _MailCollector:
    def __init__(self, messages: list[ReceivedMail]):
        self.messages = messages

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        login = session.auth_data if session.authenticated else None
        self.messages.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), message, raw, login))
        return "250 OK"


class SmtpServer:
    """An aiosmtpd server on 127.0.0.1 that keeps every message it receives.

    With `credentials=(user, password)` it offers AUTH PLAIN/LOGIN (without TLS)
    and accepts only that pair; otherwise it takes mail from anyone.
    """

    def __init__(self, credentials: tuple[str, str] | None = None, host: str = "127.0.0.1"):
        self.credentials = credentials
        self.host = host
        self.port = free_port(host)
        self.messages: list[ReceivedMail] = []
        self._controller: Controller | None = None

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword) and self.credentials is not None:
            given = (auth_data.login.decode(), auth_data.password.decode())
            if given == self.credentials:
                return AuthResult(success=True, auth_data=given[0])
        return AuthResult(success=False, handled=False)

    def start(self) -> "SmtpServer":
        options = {}
        if self.credentials is not None:
            options = {"authenticator": self._authenticate, "auth_require_tls": False}
        self._controller = Controller(_MailCollector(self.messages), hostname=self.host, port=self.port, **options)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def wait_for(self, count: int, timeout: float = 5.0) -> list[ReceivedMail]:
        """The messages once at least `count` arrived (or all there are at the timeout)."""
        _wait_until(lambda: len(self.messages) >= count, timeout)
        return list(self.messages)

    def __enter__(self) -> "SmtpServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


@dataclass
class ReceivedRequest:
    """One HTTP request as the receiver saw it, with the status it answered."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    status: int
    at: float = field(default_factory=time.time)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class WebhookReceiver:
    """An HTTP server on 127.0.0.1 recording every request it gets.

    It answers 200 unless told to fail: `fail(status, times=None)` answers
    `status` to the next `times` requests (or until `recover()`); a 3xx status
    comes with `Location: /redirected` (or the `location` given). `stop()` and
    `start()` again reuse the same port, so a channel can see an outage end.
    """

    def __init__(self, host: str = "127.0.0.1"):
        self.host = host
        self.port = free_port(host)
        self.requests: list[ReceivedRequest] = []
        self._failure_status = 0
        self._failures_left: int | None = None
        self._location = "/redirected"
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def accepted(self) -> list[ReceivedRequest]:
        """The requests answered with a 2xx status."""
        return [request for request in self.requests if 200 <= request.status < 300]

    def fail(self, status: int = 500, times: int | None = None, location: str = "/redirected") -> None:
        with self._lock:
            self._failure_status = status
            self._failures_left = times
            self._location = location

    def recover(self) -> None:
        self.fail(0, None)

    def _next_status(self) -> int:
        with self._lock:
            if not self._failure_status:
                return 200
            status = self._failure_status
            if self._failures_left is not None:
                self._failures_left -= 1
                if self._failures_left <= 0:
                    self._failure_status, self._failures_left = 0, None
            return status

    def _handler_class(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _record(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status = receiver._next_status()
                headers = {name.lower(): value for name, value in self.headers.items()}
                receiver.requests.append(ReceivedRequest(self.command, self.path, headers, body, status))
                answer = b'{"ok": true}' if status < 300 else b'{"error": "failing on purpose"}'
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                if 300 <= status < 400:
                    self.send_header("Location", receiver._location)
                self.end_headers()
                self.wfile.write(answer)

            do_POST = do_PUT = do_GET = _record

            def log_message(self, format, *args):  # keep test output quiet
                pass

        return Handler

    def start(self) -> "WebhookReceiver":
        # HTTPServer sets SO_REUSEADDR, so a restart can take the same port at once
        self._server = ThreadingHTTPServer((self.host, self.port), self._handler_class())
        self._server.daemon_threads = True
        # a short poll keeps stop() quick
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = self._thread = None

    def wait_for(self, count: int, timeout: float = 5.0) -> list[ReceivedRequest]:
        """The requests once at least `count` arrived (or all there are at the timeout)."""
        _wait_until(lambda: len(self.requests) >= count, timeout)
        return list(self.requests)

    def __enter__(self) -> "WebhookReceiver":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class HttpProxy:
    """A forwarding HTTP proxy on 127.0.0.1 that records what it is asked to reach.

    `requests` holds each request line as received: `CONNECT host:port` for a tunnel,
    `POST http://host:port/path` for a forwarded request. Only targets on 127.0.0.1 are
    forwarded (the tests' own servers); any other is answered 502 without a connection.
    """

    def __init__(self):
        self.port = free_port()
        self.requests: list[str] = []
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def asked_for(self, host: str) -> list[str]:
        return [line for line in self.requests if host in line]

    def _handler_class(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _refuse(self):
                self.send_response(502)
                self.send_header("Content-Length", "0")
                self.send_header("Connection", "close")
                self.end_headers()

            def do_CONNECT(self):
                proxy.requests.append(f"CONNECT {self.path}")
                host, _, port = self.path.rpartition(":")
                if host != "127.0.0.1":
                    return self._refuse()
                with socket.create_connection((host, int(port)), timeout=10) as upstream:
                    self.send_response(200, "Connection established")
                    self.end_headers()
                    _relay(self.connection, upstream)
                self.close_connection = True

            def _forward(self):
                proxy.requests.append(f"{self.command} {self.path}")
                target = urlsplit(self.path)
                if target.hostname != "127.0.0.1":
                    return self._refuse()
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {name: value for name, value in self.headers.items()
                           if not name.lower().startswith("proxy-") and name.lower() != "connection"}
                upstream = http.client.HTTPConnection(target.hostname, target.port or 80, timeout=10)
                upstream.request(self.command, target.path + (f"?{target.query}" if target.query else "") or "/",
                                 body=body or None, headers=headers)
                answer = upstream.getresponse()
                content = answer.read()
                self.send_response(answer.status, answer.reason)
                for name, value in answer.getheaders():
                    if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)
                upstream.close()

            do_GET = do_POST = do_PUT = do_HEAD = _forward

            def log_message(self, format, *args):
                pass

        return Handler

    def start(self) -> "HttpProxy":
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler_class())
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "HttpProxy":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _relay(client: socket.socket, upstream: socket.socket) -> None:
    """Copy bytes both ways until either side closes."""
    sockets = [client, upstream]
    while True:
        readable, _, _ = select.select(sockets, [], [], 10)
        if not readable:
            return
        for source in readable:
            data = source.recv(65536)
            if not data:
                return
            (upstream if source is client else client).sendall(data)
