"""The file:// channel: appends one JSON line per alert to a local file."""
from __future__ import annotations

import fcntl
import json
import os
from urllib.parse import unquote, urlsplit

from alerts.delivery.channels import Channel, DeliveryError

_TAIL_CHUNK = 65536


def file_path(url: str) -> str:
    parts = urlsplit(url)
    # file:///abs/path and file://relative/path (netloc taken as the first segment)
    return unquote(parts.netloc + parts.path) if parts.netloc not in ("", "localhost") else unquote(parts.path)


class FileChannel(Channel, schemes=("file",)):
    description = "appends one JSON line per alert to a file (created mode 0600)"

    @classmethod
    def validate(cls, url: str) -> None:
        path = file_path(url)
        if not path.strip("/"):
            raise DeliveryError("no file path (file:///var/lib/vigil/alerts.jsonl, or file://alerts.jsonl beside the "
                                "config)")

    def send(self, alert: dict) -> None:
        path = os.path.join(self.base_dir or "", file_path(self.url))
        line = (json.dumps(alert, ensure_ascii=False) + "\n").encode("utf-8")
        try:
            fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        except OSError as exc:
            raise DeliveryError(f"cannot write {path}: {exc.strerror}") from None
        try:
            _append_line(fd, line)
        except OSError as exc:
            raise DeliveryError(f"cannot write {path}: {exc.strerror or exc}") from None
        finally:
            os.close(fd)


def _append_line(fd: int, line: bytes) -> None:
    """Append `line` whole or not at all, after cutting off a partial line an earlier failure left.

    A full disk or a crash can leave part of a line: that alert was recorded as not sent and
    will be written again in full, so the fragment is dropped rather than glued to the next
    line. One write() of the whole line under O_APPEND keeps lines from two writers apart.
    A process killed after writing a line and before recording it as sent leaves the alert to
    be sent again: the same line among the file's last ones is that alert, and is not written twice.
    """
    fcntl.flock(fd, fcntl.LOCK_EX)  # a daemon and `vigil deliver` may append to one file
    start, last_lines = _last_lines(fd)
    if (b"\n" + last_lines).find(b"\n" + line) >= 0:
        return
    try:
        if start != os.fstat(fd).st_size:
            os.ftruncate(fd, start)
        written = os.write(fd, line)
        if written != len(line):
            raise OSError(f"only {written} of {len(line)} bytes written (disk full?)")
        os.fsync(fd)
    except OSError:
        _cut(fd, start)
        raise


def _last_lines(fd: int) -> tuple[int, bytes]:
    """The offset just past the file's last newline (0 when it has none), and the whole lines that end
    there, as many as the read that found that newline holds (up to _TAIL_CHUNK bytes)."""
    end = os.fstat(fd).st_size
    while end > 0:
        begin = max(0, end - _TAIL_CHUNK)
        chunk = os.pread(fd, end - begin, begin)
        newline = chunk.rfind(b"\n")
        if newline >= 0:
            lines = chunk[:newline + 1]
            if begin > 0:
                lines = lines[lines.find(b"\n") + 1:]   # the first line may be cut: only whole lines count
            return begin + newline + 1, lines
        end = begin
    return 0, b""


def _cut(fd: int, length: int) -> None:
    try:
        os.ftruncate(fd, length)
    except OSError:
        pass  # the next write cuts the fragment off before it appends
