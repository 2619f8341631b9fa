"""A pool of worker processes, each holding its own copy of the graph, that run one job at a time.

pyoxigraph cannot cancel a query, and a thread cannot be stopped, so a job that runs too long is
stopped the only sure way: its process is killed, and a fresh one takes its place.

Workers are fresh interpreters (`python -c`, like multiprocessing's 'spawn' but without
re-importing the server's __main__, so an unguarded script that builds the app does not recurse):
no inherited locks, threads or sockets of the web server. Each opens the dataset: an on-disk
store's folder read-only (in about 0.1 s whatever its size; a job whose `dataset_version`
differs from the store's makes the worker reopen it, to see later writes), or loads an N-Quads
file. A store that is written to is not read in place: the writer publishes a snapshot (a
checkpoint folder) after each write, `publish` points the runner at it, and each worker reopens
on the new snapshot before its next job; a snapshot no worker holds any more is retired.
Talks over a socket pair (multiprocessing Connection: pickled jobs and replies); and holds
the read end of a "lifeline" pipe whose write end only the server has: when the server exits or
dies, the pipe closes and the worker exits at once, even in the middle of a query.

`run` blocks: call it from a thread (anyio.to_thread.run_sync) so the event loop stays free.
"""

import contextlib
import importlib
import math
import os
import select
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from types import TracebackType
from typing import Any, Generic, TypeVar

import pyoxigraph as ox

from phakhi.graph.store import OxigraphStore

JobT = TypeVar("JobT")
ReplyT = TypeVar("ReplyT")
# Must be a module-level function: workers import it by its module and name.
Handler = Callable[[OxigraphStore, JobT], ReplyT]

_READY = "ready"
_STOP = None


@dataclass(frozen=True)
class _Reopen:
    """Control message: open this dataset instead, then answer _READY."""

    dataset: str


_BOOT = "import phakhi.graph.runner as runner; runner.worker_main()"


class RunnerError(Exception):
    """A job got no reply; the message says why in words a client can act on."""


class TimedOut(RunnerError):
    def __init__(self, limit: float) -> None:
        super().__init__(f"the query ran longer than the {limit:g} s limit and was stopped")
        self.limit = limit


class Busy(RunnerError):
    def __init__(self, waited: float) -> None:
        super().__init__(f"all query workers stayed busy for {waited:g} s; try again shortly")
        self.waited = waited


class WorkerFailed(RunnerError):
    pass


# -- inside a worker ----------------------------------------------------------------------------


def _exit_with_server(lifeline: int) -> None:
    def watch() -> None:
        while os.read(lifeline, 1):  # b"" once the server's end is closed
            pass
        os._exit(0)

    threading.Thread(target=watch, name="lifeline", daemon=True).start()


def _handler(path: str) -> Callable[[OxigraphStore, Any], Any]:
    module, _, name = path.partition(":")
    found: Callable[[OxigraphStore, Any], Any] = getattr(importlib.import_module(module), name)
    return found


def open_dataset(dataset: Path) -> OxigraphStore:
    """An on-disk store (a folder) opened read-only, or an N-Quads file loaded in memory."""
    if dataset.is_dir():
        return OxigraphStore.open(dataset, read_only=True)
    engine = OxigraphStore()
    engine.store.load(path=str(dataset), format=ox.RdfFormat.N_QUADS)
    return engine


def _fresh(engine: OxigraphStore, version: str) -> OxigraphStore:
    """The on-disk store reopened when a job names another dataset version than the one this
    worker opened (a read-only store sees the data as of its opening)."""
    if not version or engine.path is None or version == engine.version:
        return engine
    return OxigraphStore.open(engine.path, read_only=True)


def worker_main() -> None:
    """The worker process: argv is [channel fd, lifeline fd, dataset path, module:handler]."""
    channel, lifeline, dataset, handler_path = sys.argv[1:5]
    _exit_with_server(int(lifeline))
    conn = Connection(int(channel))
    handler = _handler(handler_path)
    engine = open_dataset(Path(dataset))
    conn.send(_READY)
    while True:
        try:
            job = conn.recv()
        except EOFError:  # the server closed its end: nothing more will come
            return
        if job is _STOP:
            return
        if isinstance(job, _Reopen):
            engine = open_dataset(Path(job.dataset))
            conn.send(_READY)
            continue
        engine = _fresh(engine, getattr(job, "dataset_version", ""))
        # an unexpected exception ends this process with its traceback on stderr; the server
        # sees the channel close, reports the failure and starts a replacement
        conn.send(handler(engine, job))


# -- in the server ------------------------------------------------------------------------------


def _import_path(handler: Callable[..., Any]) -> str:
    path = f"{handler.__module__}:{handler.__qualname__}"
    if "." in handler.__qualname__ or handler.__module__ == "__main__":
        raise ValueError(f"{path}: a worker handler must be a module-level function of a module")
    return path


class _Worker(Generic[JobT, ReplyT]):
    def __init__(self, dataset: Path, handler: str) -> None:
        self.dataset = dataset  # what the worker has open (or is opening)
        ours, theirs = socket.socketpair()
        lifeline, self._lifeline = os.pipe()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                _BOOT,
                str(theirs.fileno()),
                str(lifeline),
                str(dataset),
                handler,
            ],
            pass_fds=(theirs.fileno(), lifeline),
            env=os.environ | {"PYTHONPATH": os.pathsep.join(p for p in sys.path if p)},
        )
        theirs.close()  # the worker's copies only: its exit must close the channel
        os.close(lifeline)
        self.conn = Connection(ours.detach())
        self._poller = select.poll()
        self._poller.register(self.conn.fileno(), select.POLLIN)  # POLLHUP/ERR always count
        self.ready = False

    def _wait(self, timeout: float) -> bool:
        """True when the worker has written (or closed) the channel within timeout. One poll
        object per worker, registered once (multiprocessing's wait builds a selector on every
        call)."""
        return bool(self._poller.poll(math.ceil(timeout * 1000)))

    def wait_ready(self, timeout: float) -> None:
        if self.ready:
            return
        try:
            if not self._wait(timeout):
                raise WorkerFailed(f"a query worker did not load the graph within {timeout:g} s")
            self.conn.recv()
        except (EOFError, OSError) as error:
            raise WorkerFailed(f"a query worker failed to start ({self._exit()})") from error
        self.ready = True

    def reopen(self, dataset: Path, timeout: float) -> None:
        """Open dataset instead of the current one (self.dataset is set by the caller)."""
        try:
            self.conn.send(_Reopen(str(dataset)))
            if not self._wait(timeout):
                raise WorkerFailed(f"a query worker did not reopen the graph within {timeout:g} s")
            self.conn.recv()
        except (EOFError, OSError) as error:
            raise WorkerFailed(f"a query worker failed to reopen ({self._exit()})") from error

    def call(self, job: JobT, timeout: float) -> ReplyT:
        try:
            self.conn.send(job)
            if not self._wait(timeout):
                raise TimedOut(timeout)
            reply: ReplyT = self.conn.recv()
        except (EOFError, OSError) as error:  # the channel broke: the process is gone
            raise WorkerFailed(f"a query worker stopped unexpectedly ({self._exit()})") from error
        return reply

    def alive(self) -> bool:
        return self.process.poll() is None

    def _exit(self) -> str:
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(1)
        return f"exit code {self.process.returncode}; see the server log"

    def ask_to_stop(self) -> None:
        with contextlib.suppress(OSError):  # already gone
            self.conn.send(_STOP)

    def stop(self, grace: float) -> None:
        """Wait up to grace seconds for a clean exit, then kill."""
        try:
            self.process.wait(grace)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.conn.close()
        with contextlib.suppress(OSError):  # closed already
            os.close(self._lifeline)


class _Idle(Generic[JobT, ReplyT]):
    """The idle workers, the one that finished last handed out first: it is the one most
    likely still on a CPU with warm caches (taking turns, two workers answered a lookup in
    ~145 µs where one answered in ~100). Workers just started (still loading) go to the
    other end, so a job never waits for one while a ready worker is idle."""

    def __init__(self) -> None:
        self._workers: deque[_Worker[JobT, ReplyT]] = deque()
        self._changed = threading.Condition()

    def put(self, worker: "_Worker[JobT, ReplyT]") -> None:
        with self._changed:
            if worker.ready:
                self._workers.append(worker)
            else:
                self._workers.appendleft(worker)
            self._changed.notify()

    def get(self, timeout: float) -> "_Worker[JobT, ReplyT] | None":
        """The next idle worker, or None when none became idle within timeout."""
        with self._changed:
            if not self._changed.wait_for(lambda: bool(self._workers), timeout):
                return None
            return self._workers.pop()


class QueryRunner(Generic[JobT, ReplyT]):
    """N workers; `run(job)` hands a job to an idle one and returns its reply.

    dataset is an on-disk store's folder or an N-Quads file; it must stay there while the
    runner runs (replacements open it).

    Raises TimedOut (the worker was killed and replaced), Busy (no worker became idle within
    queue_wait) or WorkerFailed (a worker died or did not start; it is replaced).
    """

    def __init__(
        self,
        dataset: Path,
        handler: Handler[JobT, ReplyT],
        *,
        workers: int = 2,
        timeout: float = 10.0,
        queue_wait: float = 2.0,
        start_timeout: float = 120.0,
    ) -> None:
        self.dataset, self.handler = dataset, _import_path(handler)
        self.size, self.timeout = workers, timeout
        self.queue_wait, self.start_timeout = queue_wait, start_timeout
        self._idle: _Idle[JobT, ReplyT] = _Idle()
        self._all: set[_Worker[JobT, ReplyT]] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._retiring: dict[Path, Callable[[Path], None]] = {}  # published, then replaced

    def start(self) -> None:
        """Start every worker and wait until each has loaded the graph."""
        for _ in range(self.size):
            self._add()
        try:
            for worker in list(self._all):
                worker.wait_ready(self.start_timeout)
        except RunnerError:
            self.close()
            raise

    def run(self, job: JobT) -> ReplyT:
        worker = self._checkout()
        try:
            worker.wait_ready(self.start_timeout)
            self._follow(worker)
            reply = worker.call(job, self.timeout)
        except RunnerError:
            self._replace(worker)
            raise
        self._idle.put(worker)
        return reply

    def publish(self, dataset: Path, retire: Callable[[Path], None] | None = None) -> None:
        """Serve dataset from now on: each worker reopens on it before its next job. The
        dataset replaced is handed to retire (e.g. to delete it) once no worker holds it."""
        with self._lock:
            previous, self.dataset = self.dataset, dataset
            if retire is not None and previous != dataset:
                self._retiring[previous] = retire
        self._retire()

    def _follow(self, worker: _Worker[JobT, ReplyT]) -> None:
        """Reopen a checked-out worker on the published dataset if it has another open."""
        with self._lock:
            current, held = self.dataset, worker.dataset
            worker.dataset = current  # counts as held from now: it must not be retired
        if held != current:
            worker.reopen(current, self.start_timeout)
            self._retire()

    def _retire(self) -> None:
        with self._lock:
            held = {worker.dataset for worker in self._all} | {self.dataset}
            done = [path for path in self._retiring if path not in held]
            retire = [(path, self._retiring.pop(path)) for path in done]
        for path, callback in retire:
            callback(path)

    def close(self, grace: float = 1.0) -> None:
        with self._lock:
            self._closed = True
            workers, self._all = list(self._all), set()
        for worker in workers:
            worker.ask_to_stop()
        for worker in workers:
            worker.stop(grace)

    def pids(self) -> list[int]:
        """The worker processes alive now (for tests and health checks)."""
        with self._lock:
            return [worker.process.pid for worker in self._all if worker.alive()]

    def __enter__(self) -> "QueryRunner[JobT, ReplyT]":
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _checkout(self) -> _Worker[JobT, ReplyT]:
        deadline = time.monotonic() + self.queue_wait
        while not self._closed:
            worker = self._idle.get(max(0.0, deadline - time.monotonic()))
            if worker is None:
                raise Busy(self.queue_wait)
            if worker.alive():
                return worker
            self._replace(worker)  # died while idle (killed from outside, out of memory…)
        raise WorkerFailed("the query runner is shut down")

    def _add(self) -> None:
        worker: _Worker[JobT, ReplyT] = _Worker(self.dataset, self.handler)
        self._all.add(worker)
        self._idle.put(worker)

    def _replace(self, worker: _Worker[JobT, ReplyT]) -> None:
        """Kill worker and start another; the new one loads while it waits in the idle queue."""
        with self._lock:
            if worker not in self._all:  # close() has taken care of it
                return
            self._all.discard(worker)
            if not self._closed:
                self._add()
        worker.process.kill()
        worker.stop(1)
        self._retire()
