"""Documents read in a child process with hard limits: a PDF bomb or a looping file costs one error record.

A crawl that meets its first document starts a small server process (this module run with
`python -m`), which imports the document libraries once and forks a fresh child for every
document: a fork costs milliseconds, the server has a single thread so forking it is safe,
and no state of the crawl's threads is shared. The child gets an address-space limit
(RLIMIT_AS) and a CPU-time limit (RLIMIT_CPU), may write no file, and is killed when it
overruns its wall-clock time. Whatever happens to it, the caller gets an Extraction or an
UnreadableDocument with a plain reason. The server dies with the crawl process.
"""
from __future__ import annotations

import os
import pickle
import resource
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

from crawler.core.kinds import FailureKind
from crawler.core.processes import die_with_parent
from crawler.core.settings import VIGIL_DOCUMENT_MEMORY_MB, VIGIL_DOCUMENT_SECONDS
from crawler.text.extract import Extraction
from crawler.text.extractors import Extractor, UnreadableDocument

_HEADER = struct.Struct("!Q")
_ROOT = Path(__file__).resolve().parent.parent.parent   # where `crawler` is imported from


def _send(stream, message) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _receive(stream):
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError("the document reader closed its pipe")
    (size,) = _HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError("the document reader closed its pipe")
    return pickle.loads(data)


class _Server:
    """The crawl process's handle on the server: one document at a time, restarted if it died."""

    def __init__(self):
        self.forget()

    def forget(self) -> None:
        """A process forked from the crawl's (an extraction worker) starts a reader of its own: the
        crawl's pipes are not its to share, and the lock may have been held by a thread it lacks."""
        self.lock = threading.Lock()
        self.process: subprocess.Popen | None = None

    def ask(self, request: tuple):
        with self.lock:
            for attempt in (1, 2):
                if self.process is None or self.process.poll() is not None:
                    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
                        [str(_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
                    self.process = subprocess.Popen([sys.executable, "-m", "crawler.text.sandbox"], env=env,
                                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE)
                try:
                    _send(self.process.stdin, request)
                    return _receive(self.process.stdout)
                except (BrokenPipeError, EOFError, OSError):
                    self.process.kill()
                    self.process.wait()
                    self.process = None
                    if attempt == 2:
                        raise


_server = _Server()
os.register_at_fork(after_in_child=_server.forget)


def run(cls: type[Extractor], body: bytes, url: str, content_type: str | None,
        memory_mb: int = VIGIL_DOCUMENT_MEMORY_MB, seconds: int = VIGIL_DOCUMENT_SECONDS) -> Extraction | None:
    """`cls().extract(body, url, content_type)` in a bounded child process; raises UnreadableDocument
    with the reason when the document cannot be read within the limits."""
    try:
        outcome, value, detail = _server.ask((cls.__module__, cls.__qualname__, body, url, content_type,
                                              memory_mb, seconds))
    except (BrokenPipeError, EOFError, OSError) as error:
        raise UnreadableDocument(f"the document reader could not be started ({type(error).__name__}: {error})")
    if outcome == "ok":
        return value
    if outcome == "problem":
        raise UnreadableDocument(detail, FailureKind(value))
    if outcome == "memory":
        raise UnreadableDocument(f"reading the document took more than the limit of {memory_mb} MB of memory "
                                 "(a PDF or zip bomb?)")
    if outcome == "time":
        raise UnreadableDocument(f"reading the document took longer than the limit of {seconds} s "
                                 "(a looping or bomb document?)")
    raise UnreadableDocument(f"the process reading the document died ({detail})")


# The server side: `python -m crawler.text.sandbox`, started by _Server above.

def _address_space() -> int:
    """Bytes of address space this process holds now (its libraries' mappings count too)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _read_document(request: tuple) -> tuple:
    """In the forked child: the answer for one document, read under the limits."""
    module, name, body, url, content_type, memory_mb, seconds = request
    budget = _address_space() + memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (budget, budget))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    try:
        import importlib

        extractor = getattr(importlib.import_module(module), name)()
        return "ok", extractor.extract(body, url, content_type), None
    except UnreadableDocument as problem:
        return "problem", problem.kind.value, problem.reason
    except MemoryError:
        return "memory", None, None
    except RecursionError:
        return "problem", FailureKind.PROCESSING.value, "the document nests too deeply to be read (a looping file?)"
    except Exception as error:  # noqa: BLE001 -- a hostile file makes a library raise anything
        reason = " ".join(f"{type(error).__name__}: {error}".split())[:200]
        return "problem", FailureKind.PROCESSING.value, f"the document cannot be read ({reason})"


def _serve_one(request: tuple) -> tuple:
    """Fork a child for one document and collect its answer within the wall-clock limit."""
    seconds = request[6]
    readable, writable = os.pipe()
    pid = os.fork()
    if pid == 0:   # the child: it dies with the reader, whatever it is doing
        os.close(readable)
        die_with_parent()
        try:
            answer = _read_document(request)
            data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            data = pickle.dumps(("memory", None, None))
        with os.fdopen(writable, "wb") as out:
            out.write(data)
        os._exit(0)
    os.close(writable)
    chunks, deadline, timed_out = [], time.monotonic() + seconds * 2 + 5, False
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([readable], [], [], left)[0]:
            timed_out = True
            os.kill(pid, signal.SIGKILL)
            break
        chunk = os.read(readable, 1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(readable)
    _, status = os.waitpid(pid, 0)
    if timed_out or os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGXCPU, signal.SIGKILL):
        return "time", None, None
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGSEGV, signal.SIGABRT, signal.SIGBUS):
        return "memory", None, None   # a C library that cannot allocate may crash instead of failing
    try:
        return pickle.loads(b"".join(chunks))
    except Exception:  # noqa: BLE001 -- a child that died halfway through its answer
        code = os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        return "died", None, f"{'signal' if os.WIFSIGNALED(status) else 'exit code'} {code}"


def _serve() -> None:
    die_with_parent()
    # The answers go out on the original stdout; anything a library prints goes to stderr.
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    requests = os.fdopen(os.dup(0), "rb")
    import crawler.text.extractors  # noqa: F401 -- every extractor and its libraries, imported once
    for library in ("pypdfium2", "pypdf", "docx", "odf.opendocument", "striprtf.striprtf"):
        try:
            __import__(library)
        except ImportError:
            pass
    while True:
        try:
            request = _receive(requests)
        except EOFError:
            return
        _send(answers, _serve_one(request))


if __name__ == "__main__":
    _serve()
