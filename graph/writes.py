"""The one write path: SPARQL Update and Graph Store replacements go through `Writer`.

A write, serialised with every other (one lock; reads keep answering meanwhile):

1. notes in the store's meta file that a write is under way (graph.store: a crash before step 4
   makes the store reopen without a version, so nothing derived from the old data is reused);
2. runs on the on-disk store in one pyoxigraph transaction (`Store.update` is all or nothing;
   a Graph Store replacement is one update too: DROP, CREATE, INSERT DATA);
3. flushes it to disk (`Store.flush`: memtables to synced SST files) before anything else;
4. makes it visible to readers: a snapshot (a RocksDB checkpoint: hard links, a few ms) for the
   /sparql worker processes, which never read the live store while it is written to (pyoxigraph
   leaves that undefined) and reopen on the new snapshot before their next job; only then the
   new dataset version, so that a /sparql answer cached under it (api/cache.py keys by version)
   was computed on the new data;
5. tells the listeners: the search index and the network projection are rebuilt in the
   background once writes pause (`DerivedIndex`: until then the previous index answers), and
   the app forgets what it kept from the old data.

The write is acknowledged only after all of this: an acknowledged write survives a crash, a
refused or failed one leaves nothing behind.
"""

import json
import shutil
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, Protocol, TypeVar

import pyoxigraph as ox

from phakhi.graph.atomic import write_atomically
from phakhi.graph.store import META_FILE, Engine, OxigraphStore

T = TypeVar("T")
GraphTarget = ox.NamedNode | ox.DefaultGraph
SNAPSHOTS = "phakhi-snapshots"


@dataclass(frozen=True)
class Written:
    """What a write did: the dataset version after it; for the Graph Store, whether it
    created the graph."""

    version: str
    created: bool = False


class CommitFailed(Exception):
    """The write was applied but could not be made durable or visible (e.g. a full disk): it
    may or may not survive; the store reopens without a version at the next start."""


class WritePath(Protocol):
    """What the routes need to write: Writer (embedded) or graph.remote_writes.RemoteWriter."""

    def update(self, sparql: str, *, base_iri: str | None = None) -> Written: ...

    def replace_graph(self, graph: GraphTarget, triples: Iterable[ox.Triple]) -> Written: ...

    def add_to_graph(self, graph: GraphTarget, triples: Iterable[ox.Triple]) -> Written: ...

    def drop_graph(self, graph: GraphTarget) -> Written | None: ...

    def exists(self, graph: GraphTarget) -> bool: ...

    def listen(self, listener: Callable[[str], None]) -> None: ...


class Readers(Protocol):
    """Whatever reads snapshots (graph.runner.QueryRunner)."""

    def publish(self, dataset: Path, retire: Callable[[Path], None] | None = None) -> None: ...


class Snapshots:
    """Checkpoints of an on-disk store, kept in its folder (same file system: hard links)."""

    def __init__(self, store: OxigraphStore) -> None:
        assert store.path is not None
        self.store, self.root = store, store.path / SNAPSHOTS
        self.close()  # left by a server that was killed
        self.current: Path | None = None
        self.version = ""  # of the current snapshot
        self._taken = 0

    def take(self, version: str | None = None) -> Path:
        """A checkpoint of the store as it is now (flushed first), which says it is version
        (default: the store's)."""
        version = self.store.version if version is None else version
        self.store.store.flush()
        self._taken += 1
        folder = self.root / f"{self._taken:06d}-{version or 'none'}"
        self.root.mkdir(exist_ok=True)
        self.store.store.backup(str(folder))
        write_atomically(folder / META_FILE, json.dumps({"version": version}).encode())
        self.current, self.version = folder, version
        return folder

    def remove(self, folder: Path) -> None:
        """Delete a snapshot that no reader holds any more (never the current one)."""
        if folder.parent == self.root and folder != self.current:
            shutil.rmtree(folder, ignore_errors=True)

    def close(self) -> None:
        """Delete them all (no reader left)."""
        shutil.rmtree(self.root, ignore_errors=True)
        self.current, self.version = None, ""


class Writer:
    """Every write to an on-disk store: applied, flushed, versioned and published in order."""

    def __init__(self, store: OxigraphStore) -> None:
        if store.path is None or store.read_only:
            raise ValueError("writes need an on-disk store opened for writing")
        self.store = store
        self.snapshots = Snapshots(store)
        self._lock = threading.Lock()
        self._readers: Readers | None = None
        self._listeners: list[Callable[[str], None]] = []

    # -- who hears of writes ------------------------------------------------------------------

    def snapshot(self) -> Path:
        """A snapshot of the store as it is, for readers to start on (then `attach` them)."""
        with self._lock:
            return self.snapshots.take()

    def attach(self, readers: Readers) -> None:
        """Keep readers on the latest snapshot from now on (they started on `snapshot()`)."""
        with self._lock:
            self._readers = readers
            if self.snapshots.current is None or self.snapshots.version != self.store.version:
                self.snapshots.take()  # written to since
            assert self.snapshots.current is not None
            readers.publish(self.snapshots.current, self.snapshots.remove)

    def detach(self) -> None:
        """No more readers (they have stopped): their snapshots are deleted."""
        with self._lock:
            self._readers = None
            self.snapshots.close()

    def listen(self, listener: Callable[[str], None]) -> None:
        """listener(new version), called after each write, once the version is in effect."""
        self._listeners.append(listener)

    # -- writes -----------------------------------------------------------------------------

    def update(self, sparql: str, *, base_iri: str | None = None) -> Written:
        """Run a SPARQL 1.1 Update. Raises SyntaxError (malformed), RuntimeError (e.g. DROP of
        a graph that does not exist) or OSError (e.g. a LOAD that fails): nothing written."""
        return _wrote(self._write(lambda: self._run(sparql, base_iri)))

    def replace_graph(self, graph: GraphTarget, triples: Iterable[ox.Triple]) -> Written:
        """Graph Store PUT: graph becomes exactly triples (created: it did not exist)."""
        body = _insert_data(graph, triples)
        if isinstance(graph, ox.DefaultGraph):
            sparql = f"CLEAR SILENT DEFAULT ;\n{body}"
        else:
            sparql = f"DROP SILENT GRAPH {graph} ;\nCREATE SILENT GRAPH {graph} ;\n{body}"
        return _wrote(self._write(lambda: self._run(sparql, created=not self.exists(graph))))

    def add_to_graph(self, graph: GraphTarget, triples: Iterable[ox.Triple]) -> Written:
        """Graph Store POST: triples merged into graph (created: it did not exist)."""
        body = _insert_data(graph, triples)
        if isinstance(graph, ox.NamedNode):
            body = f"CREATE SILENT GRAPH {graph} ;\n{body}"
        return _wrote(self._write(lambda: self._run(body, created=not self.exists(graph))))

    def drop_graph(self, graph: GraphTarget) -> Written | None:
        """Graph Store DELETE; None (nothing written) when a named graph does not exist."""
        sparql = "CLEAR DEFAULT" if isinstance(graph, ox.DefaultGraph) else f"DROP GRAPH {graph}"
        return self._write(lambda: self._run(sparql) if self.exists(graph) else None)

    def exists(self, graph: GraphTarget) -> bool:
        return isinstance(graph, ox.DefaultGraph) or self.store.store.contains_named_graph(graph)

    # -- the path ---------------------------------------------------------------------------

    def _run(self, sparql: str, base_iri: str | None = None, *, created: bool = False) -> bool:
        self.store.store.update(sparql, base_iri=base_iri)
        return created

    def _write(self, apply: Callable[[], bool | None]) -> Written | None:
        """apply() under the write lock (it returns None when it wrote nothing, else whether it
        created a graph), then flush, snapshot, version and tell."""
        with self._lock:
            self.store.mark_writing()
            try:
                created = apply()
            except BaseException:
                self.store.set_version(self.store.version)  # nothing written: clear the mark
                raise
            if created is None:
                self.store.set_version(self.store.version)
                return None
            try:
                version = self._commit()
            except OSError as error:
                raise CommitFailed(f"the write could not be made durable: {error}") from error
        for listener in self._listeners:
            listener(version)
        return Written(version, created)

    def _commit(self) -> str:
        """Flush, snapshot for the readers, then the new version (in this order: an answer
        cached under the new version must come from the new data)."""
        self.store.store.flush()
        version = self.store.next_version()
        if self._readers is not None:
            self._readers.publish(self.snapshots.take(version), self.snapshots.remove)
        return self.store.set_version(version)


def _wrote(written: Written | None) -> Written:
    assert written is not None  # its apply always writes (or raises)
    return written


def _insert_data(graph: GraphTarget, triples: Iterable[ox.Triple]) -> str:
    """INSERT DATA of triples into graph: N-Triples is valid inside SPARQL's braces."""
    text = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    lines = text.decode("utf-8")
    if isinstance(graph, ox.DefaultGraph):
        return f"INSERT DATA {{\n{lines}}}"
    return f"INSERT DATA {{ GRAPH {graph} {{\n{lines}}} }}"


class DerivedIndex(Generic[T]):
    """An index built from the graph (search index, network projection), for the store's
    current version: after writes it is rebuilt in a background thread, and until then the
    previous one answers.

    The rebuild waits until writes pause for `quiet` seconds (but never more than `patience`
    seconds after the first write it has not caught up with): building is CPU-bound Python,
    and while it runs every other thread of the process waits its turn for the GIL, so a stream
    of writes is not slowed by a rebuild after each. One rebuild runs at a time; one that ends
    behind the store's version is followed by another. Rebuilds are not pickled beside the
    store (pickling holds the GIL throughout): the next start builds once (cached_index).
    """

    def __init__(
        self,
        engine: Engine,
        name: str,
        build: Callable[[Engine], T],
        value: T,
        publish: Callable[[T], None] | None = None,
        *,
        quiet: float = 0.5,
        patience: float = 5.0,
    ) -> None:
        """value: the index of the store's current version (built at start-up); publish(new
        index) is called when a rebuild is done."""
        self.engine, self.name, self.build, self.publish = engine, name, build, publish
        self.version, self.value = engine.version, value
        self.quiet, self.patience = quiet, patience
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._worker: threading.Thread | None = None
        self._behind_since: float | None = None
        self._due = 0.0
        self.error: BaseException | None = None

    def stale(self, version: str = "") -> None:
        """The graph changed (to version; the store's own is what counts)."""
        with self._lock:
            self._schedule(time.monotonic() + self.quiet)

    def _schedule(self, due: float) -> None:
        if self.version == self.engine.version:
            return
        now = time.monotonic()
        if self._behind_since is None:
            self._behind_since = now
        self._due = min(due, self._behind_since + self.patience)
        self._changed.notify_all()
        if self._worker is None:
            self._worker = threading.Thread(
                target=self._rebuild, name=f"rebuild-{self.name}", daemon=True
            )
            self._worker.start()

    def _rebuild(self) -> None:
        while True:
            with self._lock:
                while (delay := self._due - time.monotonic()) > 0:
                    self._changed.wait(delay)
                self._behind_since = None
                version = self.engine.version
            try:
                value = self.build(self.engine)
            except BaseException as error:  # kept for wait(); the old index keeps answering
                with self._lock:
                    self.error, self._worker = error, None
                    self._changed.notify_all()
                raise
            if self.publish is not None:
                self.publish(value)
            with self._lock:
                self.value, self.version, self.error = value, version, None
                self._changed.notify_all()
                if version == self.engine.version:
                    self._worker = None
                    return

    def retry(self) -> None:
        """Rebuild again if the last rebuild failed (e.g. a remote store was down)."""
        if self.error is not None:
            self.stale()

    def join(self, timeout: float) -> None:
        """Wait up to timeout seconds for a rebuild under way to end (at shutdown)."""
        worker = self._worker
        if worker is not None:
            worker.join(timeout)

    def wait(self, timeout: float) -> bool:
        """Rebuild now if behind, and block until the index is of the store's current version;
        False on timeout or when the rebuild failed."""
        with self._lock:
            self._schedule(time.monotonic())
            return self._changed.wait_for(
                lambda: self.version == self.engine.version or self._worker is None, timeout
            ) and (self.version == self.engine.version)
