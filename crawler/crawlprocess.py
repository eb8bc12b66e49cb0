"""A crawl running in a child process, and telling whether such a process is still alive."""
from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass
class CrawlProcess:
    source: str
    process: subprocess.Popen
    started_at: str          # ISO time, to find the run the child wrote
    started: float           # monotonic
    stopping: bool = False   # we asked it to stop: its end is a shutdown, not a kill


def process_alive(pid: int | None) -> bool:
    """Whether `pid` is a live crawl process (a reused pid or a zombie is not)."""
    if not pid or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    proc = Path(f"/proc/{pid}")
    if not Path("/proc/self").exists():
        return True
    try:
        state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        return state != "Z" and b"crawl" in (proc / "cmdline").read_bytes()
    except (OSError, IndexError):
        return False
