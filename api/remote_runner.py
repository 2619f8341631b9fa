"""/sparql over a remote store: jobs run in the web process's threads, the store does the work.

At most `workers` queries are sent at once (the embedded engine's worker count, so a flood of
heavy queries is held back the same way, 503 busy past `queue_wait`), each with the query time
limit as its read timeout. A replica also reads the store's dataset version every few seconds
(`VersionPoller`), to hear of writes made through other replicas.
"""

import logging
import threading
from collections.abc import Callable

import anyio

from phakhi.api.results import Outcome, QueryJob, execute
from phakhi.graph import runner
from phakhi.graph.remote import RemoteStore, StoreError
from phakhi.graph.store import QueryResult

log = logging.getLogger(__name__)


class RemoteRunner:
    """Jobs on threads of their own (threads: a job waiting for the store parks one; with
    the threads of every route parked so, cheap routes would wait behind slow queries)."""

    def __init__(
        self,
        store: RemoteStore,
        *,
        workers: int,
        timeout: float,
        queue_wait: float,
        threads: anyio.CapacityLimiter,
    ) -> None:
        self.engine = _Bounded(store, timeout)
        self.queue_wait = queue_wait
        self._slots = threading.BoundedSemaphore(workers)
        self._threads = threads

    async def run(self, job: QueryJob) -> Outcome:
        """StoreError when the store fails or is too slow."""
        if self._threads.available_tokens < 1:
            raise runner.Busy("too many queries are waiting for the store; try again shortly")
        return await anyio.to_thread.run_sync(self._run, job, limiter=self._threads)

    def _run(self, job: QueryJob) -> Outcome:
        if not self._slots.acquire(timeout=self.queue_wait):
            waited = f"{self.queue_wait:g} s"
            raise runner.Busy(f"the store stayed busy with other queries for {waited}; try again")
        try:
            return execute(self.engine, job)
        finally:
            self._slots.release()


class _Bounded:
    """The store, with the /sparql time limit on every query."""

    def __init__(self, store: RemoteStore, timeout: float) -> None:
        self.store, self.timeout = store, timeout

    def query(
        self,
        sparql: str,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> QueryResult:
        return self.store.query(
            sparql, default_graphs=default_graphs, named_graphs=named_graphs, timeout=self.timeout
        )

    def query_as_written(self, sparql: str) -> QueryResult:
        return self.store.query_as_written(sparql, timeout=self.timeout)

    def graphs(self) -> list[str]:
        return self.store.graphs()

    def __len__(self) -> int:
        return len(self.store)

    @property
    def version(self) -> str:
        return self.store.version


class VersionPoller:
    """A daemon thread that calls store.check_version every `every` seconds until stopped; a
    store that does not answer is tried again at the next tick (the routes report it)."""

    def __init__(
        self, store: RemoteStore, every: float, after: Callable[[], None] | None = None
    ) -> None:
        """after(): called after each version read that succeeded."""
        self.store, self.every, self.after = store, every, after
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, name="store-version", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.every + 10)

    def _poll(self) -> None:
        while not self._stop.wait(self.every):
            try:
                self.store.check_version()
            except StoreError as error:
                log.warning("reading the remote store's version failed: %s", error)
                continue
            if self.after is not None:
                self.after()
