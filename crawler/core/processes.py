"""Whether a process recorded in the database (a crawl's, a dispatcher's) is still alive."""
from __future__ import annotations

import psutil


def process_alive(pid: int | None, command_holds: str | None = None) -> bool:
    """Whether `pid` is a live process: a zombie is not, one we may not inspect is taken to be.
    With `command_holds`, its command line must hold that too, so that a reused pid is not ours."""
    if not pid or pid <= 0:
        return False
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return False
        return command_holds is None or command_holds in " ".join(process.cmdline())
    except psutil.AccessDenied:
        return True
    except psutil.Error:
        return False
