"""The http:// and https:// channel: a JSON POST of the alert, signed with the subscriber's secret.

Webhook targets pass the same private-network guard as crawled pages: the host is
resolved once, every address checked against `allow_private_networks`, and the
connection opened only to a checked address. Through `[vigil] proxy` (and never through
a proxy named only in the environment), the target is checked before the proxy is asked
for it, and the proxy's own address is the one checked on connection.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import socket
import urllib.error
import urllib.request
from functools import partial
from urllib.parse import unquote, urlsplit

from alerts.delivery.channels import Channel, DeliveryError, server_url
from alerts.delivery.render import one_line
from crawler.core import netguard
from crawler.core.masking import mask_url

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


class _GuardedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args, allow=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = partial(netguard.open_connection, allow=allow)


class _GuardedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args, allow=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = partial(netguard.open_connection, allow=allow)


class _GuardedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, allow):
        super().__init__()
        self.allow = allow

    def http_open(self, req):
        return self.do_open(partial(_GuardedHTTPConnection, allow=self.allow), req)


class _GuardedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, allow):
        super().__init__()
        self.allow = allow

    def https_open(self, req):
        return self.do_open(partial(_GuardedHTTPSConnection, allow=self.allow), req, context=self._context)


class WebhookChannel(Channel, schemes=("http", "https")):
    description = "POST of the alert JSON, signed in X-Vigil-Signature: sha256=HMAC of the body with the secret"

    def __init__(self, url: str, secret: str | None = None, base_dir: str | None = None, *,
                 allow_private_networks: bool | tuple[str, ...] | None = None):
        """`allow_private_networks` as in [vigil]; None: the process's policy (`netguard.set_policy`)."""
        super().__init__(url, secret, base_dir)
        self.validate(url)
        parts = urlsplit(url)
        # urllib does not take credentials from the URL, so user:pass@ becomes Basic auth.
        self.authorization = None
        if parts.username is not None:
            pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
            self.authorization = "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")
            parts = parts._replace(netloc=parts.netloc.rpartition("@")[2])
        self.target = parts.geturl()
        self.host = parts.hostname
        self.allow = netguard.policy() if allow_private_networks is None else allow_private_networks
        self.proxy = netguard.proxy()
        # An explicit ProxyHandler: urllib's default one would take http_proxy from the environment.
        proxies = urllib.request.ProxyHandler({"http": self.proxy, "https": self.proxy} if self.proxy else {})
        self.opener = urllib.request.build_opener(proxies, _RefuseRedirects, _GuardedHTTPHandler(self.allow),
                                                  _GuardedHTTPSHandler(self.allow))

    @classmethod
    def validate(cls, url: str) -> None:
        server_url(url)

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
        shown = mask_url(self.url)
        refused = netguard.target_refusal(self.host, self.allow) if self.proxy else None
        if refused:
            raise DeliveryError(f"{shown}: {refused}")
        try:
            with self.opener.open(request, timeout=WEBHOOK_TIMEOUT) as response:
                response.read(65536)
                status = response.status
        except urllib.error.HTTPError as exc:
            exc.close()
            where = f" to {one_line(exc.headers.get('Location'), 200)}" if 300 <= exc.code < 400 else ""
            raise DeliveryError(f"{shown} answered HTTP {exc.code} {one_line(exc.reason, 100)}{where}") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, netguard.AddressRefused):
                raise DeliveryError(f"{shown}: {exc.reason}") from None
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
