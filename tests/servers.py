"""Real servers on 127.0.0.1 for tests: an SMTP server and a webhook receiver."""
from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
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

    def __init__(self, credentials: tuple[str, str] | None = None):
        self.credentials = credentials
        self.port = free_port()
        self.messages: list[ReceivedMail] = []
        self._controller: Controller | None = None

    @property
    def host(self) -> str:
        return "127.0.0.1"

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
        self._controller = Controller(_MailCollector(self.messages), hostname="127.0.0.1", port=self.port, **options)
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
    comes with `Location: /redirected`. `stop()` and
    `start()` again reuse the same port, so a channel can see an outage end.
    """

    def __init__(self):
        self.port = free_port()
        self.requests: list[ReceivedRequest] = []
        self._failure_status = 0
        self._failures_left: int | None = None
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def accepted(self) -> list[ReceivedRequest]:
        """The requests answered with a 2xx status."""
        return [request for request in self.requests if 200 <= request.status < 300]

    def fail(self, status: int = 500, times: int | None = None) -> None:
        with self._lock:
            self._failure_status = status
            self._failures_left = times

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
                    self.send_header("Location", "/redirected")
                self.end_headers()
                self.wfile.write(answer)

            do_POST = do_PUT = do_GET = _record

            def log_message(self, format, *args):  # keep test output quiet
                pass

        return Handler

    def start(self) -> "WebhookReceiver":
        # HTTPServer sets SO_REUSEADDR, so a restart can take the same port at once
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler_class())
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
