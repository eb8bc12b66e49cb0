"""Whether a process recorded in the database (a crawl's, a dispatcher's) is still alive."""
from __future__ import annotations

import psutil

# The kernel counts a process's start in clock ticks (10 ms); one process always reads the same.
_START_TOLERANCE = 0.05


def process_alive(pid: int | None, command_holds: str | None = None, started: float | None = None) -> bool:
    """Whether `pid` is a live process: a zombie is not, one we may not inspect is taken to be.
    With `command_holds`, its command line must hold that too, and with `started` (process_started),
    it must have started then, so that a reused pid is not ours."""
    if not pid or pid <= 0:
        return False
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return False
        if started is not None and abs(process.create_time() - started) > _START_TOLERANCE:
            return False
        return command_holds is None or command_holds in " ".join(process.cmdline())
    except psutil.AccessDenied:
        return True
    except psutil.Error:
        return False


def process_started(pid: int) -> float | None:
    """When process `pid` started (seconds since the epoch), or None when that cannot be read."""
    try:
        return psutil.Process(pid).create_time()
    except psutil.Error:
        return None


M_ARENA_MAX = -8   # mallopt's parameter number, from glibc's malloc.h


def limit_malloc_arenas(arenas: int = 2) -> bool:
    """Cap glibc's malloc arenas for this process; True when it took effect.

    glibc gives every thread that allocates at once an arena of its own, up to eight per core,
    and an arena keeps the memory it once held. A crawl extracts pages in a pool of threads:
    with 200 sources at once a crawl process held about 100 MB more than its live objects in
    half-empty arenas. Two arenas keep the threads from waiting on one lock while the process
    stays near what it uses. Must run before the threads start. Other C libraries: no effect."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None)
        return bool(libc.mallopt(M_ARENA_MAX, arenas))
    except (OSError, AttributeError):
        return False


# Young containers alive beyond the last collection before the collector runs (Python's default: 700).
YOUNG_COLLECTION_THRESHOLD = 50_000


def tune_garbage_collector() -> None:
    """Let the cyclic garbage collector run far less often in a crawl process.

    A crawl process allocates some 175,000 containers a second (requests, responses, deferreds),
    nearly all freed by reference counting as soon as they are done with. At the default
    threshold the collector ran 250 young collections a second and, as the heap grew, full ones
    of 100-200 ms: 25-45% of a busy crawl worker's time, during which no polite request went
    out. A collection now runs once 50,000 more containers are alive than after the last one,
    which bounds what reference cycles can hold meanwhile."""
    import gc

    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, middle, old)


def die_with_parent() -> None:
    """In a child process (an extraction worker, a document reader): end when the parent ends,
    however it ends (a SIGKILL, a full disk), so that no orphan keeps working, or keeps the
    parent's stdout open so that whoever waits for the parent waits for ever. Ctrl-C is the
    parent's to handle. Linux only (PR_SET_PDEATHSIG); elsewhere a no-op."""
    import ctypes
    import os
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(0)
