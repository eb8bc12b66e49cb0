"""The fallback channel: every other URL scheme (mailto, tgram, slack, ntfy, matrix, ...) through Apprise."""
from __future__ import annotations

import html
import logging
from contextvars import ContextVar
from urllib.parse import urlsplit

import apprise
import apprise.manager_plugins
from apprise import NotifyFormat

from alerts.delivery.channels import Channel, DeliveryError
from alerts.delivery.render import (alert_html_fragment, alert_markdown, alert_subject, alert_text, markdown_escape,
                                    one_line)
from crawler.core import netguard, socketguard
from crawler.core.masking import ENV_REF, mask_url

APPRISE_TIMEOUT = 30
_parsing: ContextVar[bool] = ContextVar("vigil_apprise_parsing", default=False)


class _QuietWhileParsing(logging.Filter):
    """Apprise logs why it cannot parse a URL (quoting the URL); our DeliveryError says it once, without secrets."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not _parsing.get()


# Apprise explains a refused delivery in a warning; our DeliveryError says it once, so keep
# Python's last-resort handler from printing it too (a configured root logger still gets it).
logging.getLogger("apprise").addHandler(logging.NullHandler())
logging.getLogger("apprise").addFilter(_QuietWhileParsing())

ALERT_RENDERERS = {
    NotifyFormat.MARKDOWN: alert_markdown,
    NotifyFormat.HTML: alert_html_fragment,
    NotifyFormat.TEXT: alert_text,
}


class AppriseChannel(Channel, fallback=True):
    description = "any service Apprise knows (mailto, tgram, slack, discord, ntfy, matrix, json, ...): one URL each"

    def __init__(self, url: str, secret: str | None = None, base_dir: str | None = None):
        super().__init__(url, secret, base_dir)
        self.notifier = _notifier(url)
        self.service = self.notifier[0]
        self.shown = mask_url(url).partition("?")[0]

    @classmethod
    def validate(cls, url: str) -> None:
        if ENV_REF.search(url):
            return  # a token from a variable not set here: Apprise can only parse the URL once it is
        port = getattr(_notifier(url)[0], "port", None)
        if isinstance(port, int) and not 1 <= port <= 65535:
            raise DeliveryError(f"port {port} is not a number from 1 to 65535")

    def send(self, alert: dict) -> None:
        # Render in the service's own format (Markdown where it has it), so Apprise converts nothing.
        body_format = self.service.resolve_format(NotifyFormat.MARKDOWN)
        self.notify(alert_subject(alert), ALERT_RENDERERS[body_format](alert), body_format)

    def send_digest(self, subject: str, text: str, html: str) -> None:
        if self.service.resolve_format(NotifyFormat.HTML) == NotifyFormat.HTML:
            self.notify(subject, html, NotifyFormat.HTML)
        else:
            # Apprise escapes plain text for the Markdown services itself.
            self.notify(subject, text, NotifyFormat.TEXT)

    def notify(self, subject: str, body: str, body_format: NotifyFormat) -> None:
        """Send one message; a refusal or a timeout raises DeliveryError.

        Apprise opens its own connections, to whatever host its plugin finds in the URL, so
        each is checked as it is opened rather than by guessing which URL field is a host.
        """
        netguard.proxy_environment()  # requests, under Apprise, takes its proxy from there
        with socketguard.guarded(netguard.policy()) as refusals:
            try:
                result = self.notifier.notify(
                    body=body,
                    title=self._title(one_line(subject, 250), body_format),
                    body_format=body_format,
                    timeout=APPRISE_TIMEOUT,
                )
            except Exception as exc:  # Apprise and its plugins raise many kinds; all mean "not delivered"
                reason = refusals[0] if refusals else one_line(exc, 300) or type(exc).__name__
                raise DeliveryError(f"{self.shown}: {reason}") from None
        if not result:
            raise DeliveryError(f"{self.shown}: {refusals[0] if refusals else _failure_reason(result)}")

    def _title(self, subject: str, body_format: NotifyFormat) -> str:
        # A service without a title field pastes it into the body unescaped, in the body's format.
        if self.service.title_maxlen > 0:
            return subject
        if body_format == NotifyFormat.HTML:
            return html.escape(subject)
        if body_format == NotifyFormat.MARKDOWN:
            return markdown_escape(subject)
        return subject


def _notifier(url: str) -> apprise.Apprise:
    """An Apprise object holding the one service `url` names; DeliveryError when there is not exactly one."""
    scheme = (urlsplit(url).scheme or "").lower()
    if scheme not in apprise.manager_plugins.NotificationManager():
        raise DeliveryError(f"no channel serves {scheme}:// URLs (not file, smtp, http nor an Apprise service)")
    # Only this one URL: no Apprise config file or plugin folder of the machine is read.
    notifier = apprise.Apprise(asset=apprise.AppriseAsset())
    parsing = _parsing.set(True)
    try:
        added = notifier.add(url)
    finally:
        _parsing.reset(parsing)
    if not added:
        raise DeliveryError(f"apprise does not understand this {scheme}:// URL (see the Apprise wiki for its form)")
    if len(notifier) != 1:
        raise DeliveryError(f"one Apprise URL per channel, not {len(notifier)} in one string")
    return notifier


def _failure_reason(result) -> str:
    if result.status == apprise.AppriseResultStatus.TIMEOUT:
        return f"no answer within {APPRISE_TIMEOUT} s"
    messages = [entry.message for entry in result.logs() if entry.level in ("WARNING", "ERROR", "CRITICAL")]
    return one_line(messages[-1], 300) if messages else f"not delivered ({result.status.name.lower()})"
