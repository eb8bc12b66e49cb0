"""The smtp:// and smtps:// channel: multipart text and HTML mail through an SMTP server."""
from __future__ import annotations

import hashlib
import re
import smtplib
import socket
import ssl
from dataclasses import dataclass
from datetime import datetime, timezone
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, make_msgid
from urllib.parse import parse_qs, unquote

from alerts.delivery.channels import Channel, DeliveryError, server_url
from alerts.delivery.render import alert_html, alert_subject, alert_text, one_line

SMTP_TIMEOUT = 30
# A bare address only: no display name, comment, separator or line break can get through.
_ADDRESS = re.compile(r"^[^@\s<>()\[\],;:\"\\]+@[A-Za-z0-9.\-\[\]:]+$")
_YES, _NO = ("yes", "true", "1", "on"), ("no", "false", "0", "off")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    implicit_tls: bool
    starttls: bool
    username: str | None
    password: str | None
    sender: str
    recipients: tuple[str, ...]


def _address(value: str, what: str) -> str:
    address = value.strip()
    if not _ADDRESS.match(address):
        raise DeliveryError(f"{what} {address!r} is not a plain mail address")
    return address


def parse_smtp_url(url: str) -> SmtpSettings:
    """Settings from `smtp[s]://[user:pass@]host[:port]?from=...&to=a@x,b@y&starttls=yes|no`;
    DeliveryError names the fault (never the URL, which may hold a password)."""
    parts = server_url(url, "no mail server host")
    query = parse_qs(parts.query)
    recipients = [
        _address(address, "recipient")
        for value in query.get("to", [])
        for address in value.split(",")
        if address.strip()
    ]
    if not recipients:
        raise DeliveryError("no recipient (add ?to=someone@example.org)")
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    sender = query.get("from", [username if username and "@" in username else ""])[-1]
    if not sender:
        raise DeliveryError("no sender (add &from=vigil@example.org)")
    implicit_tls = parts.scheme.lower() == "smtps"
    starttls_value = query.get("starttls", [""])[-1].lower()
    if starttls_value and starttls_value not in _YES + _NO:
        raise DeliveryError(f"starttls must be yes or no, not {starttls_value!r}")
    # Never send a password in clear unless the URL says so.
    starttls = not implicit_tls and (starttls_value in _YES if starttls_value else password is not None)
    return SmtpSettings(
        host=parts.hostname,
        port=parts.port or (465 if implicit_tls else 25),
        implicit_tls=implicit_tls,
        starttls=starttls,
        username=username,
        password=password,
        sender=_address(sender, "sender"),
        recipients=tuple(dict.fromkeys(recipients)),
    )


class SmtpChannel(Channel, schemes=("smtp", "smtps")):
    description = "multipart text and HTML mail: smtp[s]://[user:pass@]host:port?from=&to=a@x,b@y&starttls=yes|no"

    def __init__(self, url: str, secret: str | None = None, base_dir: str | None = None):
        super().__init__(url, secret, base_dir)
        self.settings = parse_smtp_url(url)

    @classmethod
    def validate(cls, url: str) -> None:
        parse_smtp_url(url)

    def send(self, alert: dict) -> None:
        message = self._message(alert_subject(alert), alert_text(alert), alert_html(alert))
        message["Message-ID"] = self._alert_message_id(alert)
        self._deliver(message)

    def send_digest(self, subject: str, text: str, html: str) -> None:
        message = self._message(subject, text, html)
        message["Message-ID"] = make_msgid(domain=self._sender_domain())
        self._deliver(message)

    def _sender_domain(self) -> str:
        return self.settings.sender.rpartition("@")[2] or "vigil.invalid"

    def _alert_message_id(self, alert: dict) -> str:
        # Stable per alert, so a retry after a lost reply can be recognised as the same mail.
        key = "\0".join(str(alert.get(name, "")) for name in ("subscriber", "id", "event", "url"))
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
        return f"<vigil.{digest}@{self._sender_domain()}>"

    def _message(self, subject: str, text: str, html: str) -> EmailMessage:
        message = EmailMessage(policy=SMTP_POLICY)
        message["Subject"] = one_line(subject, 250)
        message["From"] = self.settings.sender
        message["To"] = ", ".join(self.settings.recipients)
        message["Date"] = format_datetime(datetime.now(timezone.utc))
        message["Auto-Submitted"] = "auto-generated"
        # quoted-printable keeps every line 7-bit and short, whatever the server supports
        message.set_content(text, cte="quoted-printable")
        message.add_alternative(html, subtype="html", cte="quoted-printable")
        return message

    def _deliver(self, message: EmailMessage) -> None:
        settings = self.settings
        try:
            if settings.implicit_tls:
                server = smtplib.SMTP_SSL(
                    settings.host, settings.port, timeout=SMTP_TIMEOUT, context=ssl.create_default_context()
                )
            else:
                server = smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT)
            with server:
                server.ehlo()
                if settings.starttls:
                    if not server.has_extn("starttls"):
                        refusal = "the server does not offer STARTTLS (set starttls=no to send in clear)"
                        raise DeliveryError(self._reason(refusal))
                    server.starttls(context=ssl.create_default_context())
                    server.ehlo()
                if settings.username is not None:
                    server.login(settings.username, settings.password or "")
                # Recipients come from the URL alone, never from headers.
                server.send_message(message, from_addr=settings.sender, to_addrs=list(settings.recipients))
        except DeliveryError:
            raise
        except (smtplib.SMTPException, OSError, ValueError) as exc:
            raise DeliveryError(self._reason(_describe(exc))) from None

    def _reason(self, what: str) -> str:
        reason = one_line(f"smtp {self.settings.host}:{self.settings.port}: {what}", 400)
        if self.settings.password:
            reason = reason.replace(self.settings.password, "***")
        return reason


def _describe(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "every recipient refused: " + "; ".join(
            f"{address} ({code} {_text(answer)})" for address, (code, answer) in exc.recipients.items()
        )
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"login refused ({exc.smtp_code} {_text(exc.smtp_error)})"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"server answered {exc.smtp_code} {_text(exc.smtp_error)}"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return f"not supported by the server: {exc}"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"server closed the connection ({exc or 'no reason given'})"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return f"no answer within {SMTP_TIMEOUT} s"
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed: {exc.reason or exc}"
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve the host ({exc.strerror})"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def _text(answer) -> str:
    return answer.decode("utf-8", "replace") if isinstance(answer, bytes) else str(answer)
