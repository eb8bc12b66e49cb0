"""The file:// channel: appends one JSON line per alert to a local file."""
from __future__ import annotations

import json
import os
from urllib.parse import unquote, urlsplit

from alerts.channels import Channel, DeliveryError


def file_path(url: str) -> str:
    parts = urlsplit(url)
    # file:///abs/path and file://relative/path (netloc taken as the first segment)
    return unquote(parts.netloc + parts.path) if parts.netloc not in ("", "localhost") else unquote(parts.path)


class FileChannel(Channel, schemes=("file",)):
    description = "appends one JSON line per alert to a file (created mode 0600)"

    def send(self, alert: dict) -> None:
        path = os.path.join(self.base_dir or "", file_path(self.url))
        line = json.dumps(alert, ensure_ascii=False) + "\n"
        try:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as out:
                out.write(line)
                out.flush()
                os.fsync(out.fileno())
        except OSError as exc:
            raise DeliveryError(f"cannot write {path}: {exc.strerror}") from exc
