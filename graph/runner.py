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
Talks over a socket pair: the worker reads and writes pickled messages with multiprocessing's
Connection; the server's end is a non-blocking socket read by the event loop, so a job waiting
for its reply holds no thread (a thread per job cost the web process more than the job: the
hand-off to the thread and back, and their contention for the GIL). Each worker also holds the
read end of a "lifeline" pipe whose write end only the server has: when the server exits or
dies, the pipe closes and the worker exits at once, even in the middle of a query.

`run` is a coroutine for the event loop that serves the app; its jobs, idle workers and
replacements are handled on that loop's thread only. `start` and `close` block.
"""

import asyncio
import contextlib
import importlib
import math
import os
import pickle
import select
import socket
import struct
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
    """No worker for this job: every one stayed busy, or too many jobs wait already."""


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


def _frame(message: object) -> bytes:
    """message as multiprocessing's Connection sends it: a 4-byte big-endian length (or -1 and
    an 8-byte length past 2 GiB), then the pickle."""
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    if len(payload) > 0x7FFFFFFF:
        return struct.pack("!iQ", -1, len(payload)) + payload
    return struct.pack("!i", len(payload)) + payload


class _Frames:
    """The messages in the bytes read from a worker, as they arrive (Connection's framing)."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._wanted = 4  # bytes needed before anything more can be read

    def feed(self, data: bytes) -> list[Any]:
        self._buffer += data
        found = []
        while len(self._buffer) >= self._wanted:
            message = self._next()
            if message is _INCOMPLETE:
                break
            found.append(message)
        return found

    def _next(self) -> object:
        (size,) = struct.unpack_from("!i", self._buffer)
        start = 4
        if size == -1:
            if len(self._buffer) < 12:
                self._wanted = 12
                return _INCOMPLETE
            (size,) = struct.unpack_from("!Q", self._buffer, 4)
            start = 12
        if len(self._buffer) < start + size:
            self._wanted = start + size
            return _INCOMPLETE
        with memoryview(self._buffer) as view:
            message = pickle.loads(view[start : start + size])
        del self._buffer[: start + size]
        self._wanted = 4
        return message


_INCOMPLETE = object()


def _settle(future: "asyncio.Future[Any]", value: object) -> None:
    if not future.done():
        future.set_result(value)


class _Worker:
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
        ours.setblocking(False)
        self.sock = ours
        self.ready = False
        self._frames = _Frames()
        self._inbox: deque[Any] = deque()  # messages read, not yet taken
        self._eof = False  # the worker closed its end: it is gone
        self._loop: asyncio.AbstractEventLoop | None = None  # the loop that reads the socket
        self._waiting: asyncio.Future[None] | None = None

    # -- reading ------------------------------------------------------------------------------

    def _read(self) -> None:
        """What the socket holds now, into the inbox; a short read ends it (the socket is
        level-triggered: whatever is left makes it readable again)."""
        chunk = 1 << 20
        while not self._eof:
            try:
                data = self.sock.recv(chunk)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:
                self._eof = True
                return
            self._inbox.extend(self._frames.feed(data))
            if len(data) < chunk:
                return

    def _on_readable(self) -> None:
        self._read()
        if self._eof and self._loop is not None:  # a closed socket stays readable: stop watching
            self._loop.remove_reader(self.sock.fileno())
        if self._waiting is not None and (self._inbox or self._eof):
            _settle(self._waiting, None)

    def _listen(self, loop: asyncio.AbstractEventLoop) -> None:
        """Read the socket from loop (registered once: a registration per job costs two
        epoll_ctl calls). A loop of an earlier asyncio.run is closed, its registration gone."""
        if self._loop is not loop:
            self._loop = loop
            if not self._eof:
                loop.add_reader(self.sock.fileno(), self._on_readable)

    async def receive(self, timeout: float, expired: RunnerError) -> Any:
        """The next message; expired when none came within timeout; WorkerFailed when the
        worker is gone."""
        loop = asyncio.get_running_loop()
        self._listen(loop)
        if not self._inbox and not self._eof:
            self._waiting = loop.create_future()
            timer = loop.call_later(timeout, _settle, self._waiting, None)
            try:
                await self._waiting
            finally:
                timer.cancel()
                self._waiting = None
        if self._inbox:
            return self._inbox.popleft()
        if self._eof:
            raise WorkerFailed(f"a query worker stopped unexpectedly ({self._exit()})")
        raise expired

    def wait_ready(self, timeout: float) -> None:
        """Block until the worker has loaded the graph (for start, before any loop reads)."""
        poller = select.poll()
        poller.register(self.sock.fileno(), select.POLLIN)  # POLLHUP/ERR always count
        deadline = time.monotonic() + timeout
        while not self._inbox and not self._eof:
            left = deadline - time.monotonic()
            if left <= 0 or not poller.poll(math.ceil(left * 1000)):
                raise WorkerFailed(f"a query worker did not load the graph within {timeout:g} s")
            self._read()
        if not self._inbox:
            raise WorkerFailed(f"a query worker failed to start ({self._exit()})")
        self._inbox.popleft()
        self.ready = True

    async def await_ready(self, timeout: float) -> None:
        if not self.ready:
            expired = WorkerFailed(f"a query worker did not load the graph within {timeout:g} s")
            await self.receive(timeout, expired)
            self.ready = True

    # -- writing ------------------------------------------------------------------------------

    async def send(self, message: object) -> None:
        data = _frame(message)
        try:
            try:
                sent = self.sock.send(data)  # a job fits the socket's buffer: done at once
            except BlockingIOError:
                sent = 0
            if sent < len(data):
                await asyncio.get_running_loop().sock_sendall(self.sock, data[sent:])
        except OSError as error:  # the channel broke: the process is gone
            raise WorkerFailed(f"a query worker stopped unexpectedly ({self._exit()})") from error

    async def call(self, message: object, timeout: float, expired: RunnerError) -> Any:
        await self.send(message)
        return await self.receive(timeout, expired)

    # -- life ---------------------------------------------------------------------------------

    def alive(self) -> bool:
        return not self._eof and self.process.poll() is None

    def _exit(self) -> str:
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(1)
        return f"exit code {self.process.returncode}; see the server log"

    def ask_to_stop(self) -> None:
        with contextlib.suppress(OSError):  # gone already, or its buffer full: stop kills it
            self.sock.send(_frame(_STOP))

    def stop(self, grace: float) -> None:
        """Wait up to grace seconds for a clean exit, then kill. On the reading loop's thread:
        the socket leaves the loop before it is closed (its number may be reused at once)."""
        try:
            self.process.wait(grace)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self._loop is not None and not self._loop.is_closed():
            self._loop.remove_reader(self.sock.fileno())
        self.sock.close()
        with contextlib.suppress(OSError):  # closed already
            os.close(self._lifeline)


class _Idle:
    """The idle workers, the one that finished last handed out first: it is the one most
    likely still on a CPU with warm caches (taking turns, two workers answered a lookup in
    ~145 µs where one answered in ~100). Workers just started (still loading) go to the
    other end, so a ready idle worker is handed out before them. Jobs waiting for a worker
    are served in turn, each with the first worker that comes back (a replacement too: the
    job then waits for it to load). Used on the event loop's thread only."""

    def __init__(self) -> None:
        self._workers: deque[_Worker] = deque()
        self._waiters: deque[asyncio.Future[_Worker | None]] = deque()

    @property
    def waiting(self) -> int:
        return len(self._waiters)

    def put(self, worker: _Worker) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(worker)
                return
        if worker.ready:
            self._workers.append(worker)
        else:
            self._workers.appendleft(worker)

    async def get(self, timeout: float) -> _Worker | None:
        """The next idle worker, or None when none became idle within timeout."""
        if self._workers and not self.waiting:
            return self._workers.pop()
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[_Worker | None] = loop.create_future()
        self._waiters.append(waiter)
        timer = loop.call_later(timeout, _settle, waiter, None)
        try:
            return await waiter
        except asyncio.CancelledError:
            handed = waiter.result() if waiter.done() and not waiter.cancelled() else None
            if handed is not None:  # handed over as the job was cancelled: pass it on
                self.put(handed)
            raise
        finally:
            timer.cancel()
            with contextlib.suppress(ValueError):  # put() took it already
                self._waiters.remove(waiter)

    def drain(self) -> None:
        self._workers.clear()


class QueryRunner(Generic[JobT, ReplyT]):
    """N workers; `await run(job)` hands a job to an idle one and returns its reply.

    dataset is an on-disk store's folder or an N-Quads file; it must stay there while the
    runner runs (replacements open it).

    Raises TimedOut (the worker was killed and replaced), Busy (no worker became idle within
    queue_wait, or max_waiting jobs wait already) or WorkerFailed (a worker died or did not
    start; it is replaced).
    """

    def __init__(
        self,
        dataset: Path,
        handler: Handler[JobT, ReplyT],
        *,
        workers: int = 2,
        timeout: float = 10.0,
        queue_wait: float = 2.0,
        max_waiting: int | None = None,
        start_timeout: float = 120.0,
    ) -> None:
        self.dataset, self.handler = dataset, _import_path(handler)
        self.size, self.timeout = workers, timeout
        self.queue_wait, self.start_timeout = queue_wait, start_timeout
        self.max_waiting = max_waiting
        self._idle = _Idle()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()  # publish comes from the writer's thread
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

    async def run(self, job: JobT) -> ReplyT:
        worker = await self._checkout()
        try:
            await worker.await_ready(self.start_timeout)
            await self._follow(worker)
            reply: ReplyT = await worker.call(job, self.timeout, TimedOut(self.timeout))
        except BaseException:
            # whatever stopped the job (a time limit, a cancelled request: the worker would hand
            # its reply to the next job), the worker is replaced, never lost from the pool
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

    async def _follow(self, worker: _Worker) -> None:
        """Reopen a checked-out worker on the published dataset if it has another open."""
        with self._lock:
            current, held = self.dataset, worker.dataset
            worker.dataset = current  # counts as held from now: it must not be retired
        if held != current:
            expired = WorkerFailed(
                f"a query worker did not reopen the graph within {self.start_timeout:g} s"
            )
            await worker.call(_Reopen(str(current)), self.start_timeout, expired)
            self._retire()

    def _retire(self) -> None:
        with self._lock:
            held = {worker.dataset for worker in self._all} | {self.dataset}
            done = [path for path in self._retiring if path not in held]
            retire = [(path, self._retiring.pop(path)) for path in done]
        for path, callback in retire:
            callback(path)

    def close(self, grace: float = 1.0) -> None:
        """Stop every worker; on the loop's thread when `run` has been awaited (see stop)."""
        with self._lock:
            self._closed = True
            workers, self._all = list(self._all), set()
        self._idle.drain()
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

    async def _checkout(self) -> _Worker:
        if self.max_waiting is not None and self._idle.waiting >= self.max_waiting:
            raise Busy(f"{self._idle.waiting} queries wait for a query worker; try again shortly")
        deadline = time.monotonic() + self.queue_wait
        while not self._closed:
            worker = await self._idle.get(max(0.0, deadline - time.monotonic()))
            if worker is None:
                message = f"all query workers stayed busy for {self.queue_wait:g} s"
                raise Busy(message + "; try again shortly")
            if worker.alive():
                return worker
            self._replace(worker)  # died while idle (killed from outside, out of memory…)
        raise WorkerFailed("the query runner is shut down")

    def _add(self) -> None:
        worker = _Worker(self.dataset, self.handler)
        self._all.add(worker)
        self._idle.put(worker)

    def _replace(self, worker: _Worker) -> None:
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
