"""The http:// and https:// channel: a JSON POST of the alert, signed with the subscriber's secret."""
from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import socket
import urllib.error
import urllib.request
from urllib.parse import unquote, urlsplit

from alerts.channels import Channel, DeliveryError
from alerts.render import one_line

WEBHOOK_TIMEOUT = 10
USER_AGENT = "vigil"
SIGNATURE_HEADER = "X-Vigil-Signature"


def signature(body: bytes, secret: str) -> str:
    """The X-Vigil-Signature value: `sha256=` and the hex HMAC-SHA256 of the exact body bytes."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def alert_body(alert: dict) -> bytes:
    """The bytes posted for an alert: the same JSON object the file channel writes, in UTF-8."""
    return json.dumps(alert, ensure_ascii=False).encode("utf-8")


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    # urllib turns a redirected POST into a body-less GET: that would look delivered and lose the alert.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class WebhookChannel(Channel, schemes=("http", "https")):
    description = "POST of the alert JSON, signed in X-Vigil-Signature: sha256=HMAC of the body with the secret"

    def __init__(self, url: str, secret: str | None = None, base_dir: str | None = None):
        super().__init__(url, secret, base_dir)
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError as exc:
            raise DeliveryError(f"{self.redact(url)}: {exc}") from None
        if not parts.hostname:
            raise DeliveryError(f"{self.redact(url)}: no host")
        # urllib does not take credentials from the URL, so user:pass@ becomes Basic auth.
        self.authorization = None
        if parts.username is not None:
            pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
            self.authorization = "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")
            parts = parts._replace(netloc=parts.netloc.rpartition("@")[2])
        self.target = parts.geturl()
        self.opener = urllib.request.build_opener(_RefuseRedirects)

    def send(self, alert: dict) -> None:
        self.post(alert_body(alert), event=str(alert.get("event", "")))

    def send_digest(self, subject: str, text: str, html: str) -> None:
        body = {"event": "digest", "title": subject, "text": text, "html": html}
        self.post(json.dumps(body, ensure_ascii=False).encode("utf-8"), event="digest")

    def post(self, body: bytes, event: str = "") -> None:
        """POST `body` as JSON; anything but a 2xx answer raises DeliveryError."""
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
        if event:
            headers["X-Vigil-Event"] = one_line(event, 60)
        if self.secret:
            headers[SIGNATURE_HEADER] = signature(body, self.secret)
        if self.authorization:
            headers["Authorization"] = self.authorization
        request = urllib.request.Request(self.target, data=body, headers=headers, method="POST")
        shown = self.redact(self.url)
        try:
            with self.opener.open(request, timeout=WEBHOOK_TIMEOUT) as response:
                response.read(65536)
                status = response.status
        except urllib.error.HTTPError as exc:
            exc.close()
            where = f" to {one_line(exc.headers.get('Location'), 200)}" if 300 <= exc.code < 400 else ""
            raise DeliveryError(f"{shown} answered HTTP {exc.code} {one_line(exc.reason, 100)}{where}") from None
        except urllib.error.URLError as exc:
            raise DeliveryError(f"cannot reach {shown}: {_reason(exc.reason)}") from None
        except (http.client.HTTPException, OSError) as exc:
            raise DeliveryError(f"cannot reach {shown}: {_reason(exc)}") from None
        if not 200 <= status < 300:
            raise DeliveryError(f"{shown} answered HTTP {status}")


def _reason(error) -> str:
    if isinstance(error, (socket.timeout, TimeoutError)):
        return f"no answer within {WEBHOOK_TIMEOUT} s"
    if isinstance(error, OSError) and error.strerror:
        return one_line(error.strerror, 200)
    return one_line(error, 200) or type(error).__name__
