"""The query engine behind Phakhi: a small interface, with embedded Oxigraph as its default.

OxigraphStore is pyoxigraph in memory or on disk (RocksDB, a folder). An on-disk store is filled
once in bulk and then opened as it is on every start (no re-parse); other processes open the
same folder read-only (`OxigraphStore.open(path, read_only=True)`), e.g. the /sparql workers.

Each store has a dataset version: a hash of what it was loaded from, kept for an on-disk store in
`phakhi-meta.json` inside its folder. Caches of query results and of indexes derived from the
graph are keyed by it; whatever writes to the store must call `bump_version`.
"""

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from phakhi.graph.atomic import write_atomically

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples
META_FILE = "phakhi-meta.json"


class Engine(Protocol):
    """What the API needs of a store; a remote SPARQL store can stand in for Oxigraph."""

    def query(
        self,
        sparql: str,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> QueryResult: ...

    def query_as_written(self, sparql: str) -> QueryResult:
        """The query's own FROM / FROM NAMED decide its dataset (none is added)."""
        ...

    def graphs(self) -> list[str]: ...

    def __len__(self) -> int: ...

    @property
    def version(self) -> str:
        """The dataset version (see above); "" when unknown."""
        ...


class OxigraphStore:
    """pyoxigraph in memory (path=None) or on disk; the default graph is the union of all."""

    def __init__(self, path: Path | None = None, *, read_only: bool = False) -> None:
        if path is None:
            self.store = ox.Store()
        elif read_only:
            self.store = ox.Store.read_only(str(path))
        else:
            path.mkdir(parents=True, exist_ok=True)
            self.store = ox.Store(str(path))
        self.path, self.read_only = path, read_only
        meta = self._read_meta() if path is not None else {}
        # a write that was under way when the process died: the data may be newer than the
        # version says, so the store has none (open_engine gives it a new one)
        self.version = "" if meta.get("writing") else meta.get("version", "")

    @classmethod
    def open(cls, path: Path, *, read_only: bool = False) -> "OxigraphStore":
        return cls(path, read_only=read_only)

    # -- filling ------------------------------------------------------------------------

    def load(self, data: bytes | str, format: ox.RdfFormat = ox.RdfFormat.N_QUADS) -> None:
        """Add data; in bulk (no transaction, no undo) for an on-disk store."""
        if self.path is not None:
            self.store.bulk_load(data, format=format)
        else:
            self.store.load(data, format=format)
        self._changed(data.encode() if isinstance(data, str) else data)

    def load_file(
        self,
        path: Path,
        format: ox.RdfFormat | None = None,
        to_graph: ox.NamedNode | None = None,
    ) -> None:
        """Add a file: in bulk for an on-disk store, in one transaction in memory (faster
        there, and half the peak memory of pyoxigraph's bulk loader)."""
        fmt = format or ox.RdfFormat.from_extension(path.suffix[1:])
        if self.path is not None:
            self.store.bulk_load(path=str(path), format=fmt, to_graph=to_graph)
        else:
            self.store.load(path=str(path), format=fmt, to_graph=to_graph)
        self._changed(file_digest(path) + (to_graph.value.encode() if to_graph else b""))

    def is_empty(self) -> bool:
        """True when the store holds no quad (without counting them all)."""
        return next(iter(self.store.quads_for_pattern(None, None, None, None)), None) is None

    # -- the dataset version --------------------------------------------------------------

    def bump_version(self) -> str:
        """A new version after a write; returns it."""
        return self.set_version(self.next_version())

    def next_version(self) -> str:
        """The version a write made now gets (not in effect until set_version)."""
        return self._hash(f"write {time.time_ns()} {os.getpid()}".encode())

    def set_version(self, version: str) -> str:
        """Make version the store's: flushed to disk first, then noted in the meta file."""
        self.version = version
        if self.path is not None:
            self.store.flush()
            self._write_meta({"version": self.version})
        return self.version

    def mark_writing(self) -> None:
        """Note, before a write, that one is under way: if the process dies before the next
        set_version, the store reopens without a version (so nothing derived from the old
        data, e.g. a pickled index, is taken for the new)."""
        if self.path is not None:
            self._write_meta({"version": self.version, "writing": "1"})

    def _hash(self, what: bytes) -> str:
        return hashlib.sha256(self.version.encode() + what).hexdigest()[:16]

    def _changed(self, what: bytes) -> str:
        return self.set_version(self._hash(what))

    def _read_meta(self) -> dict[str, str]:
        assert self.path is not None
        try:
            found: dict[str, str] = json.loads((self.path / META_FILE).read_text())
        except (OSError, ValueError):
            return {}
        return found

    def _write_meta(self, meta: dict[str, str]) -> None:
        assert self.path is not None
        write_atomically(self.path / META_FILE, json.dumps(meta).encode())

    # -- reading --------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> QueryResult:
        if default_graphs is None:
            return self.store.query(
                sparql,
                use_default_graph_as_union=True,
                named_graphs=[ox.NamedNode(g) for g in named_graphs] if named_graphs else None,
            )
        return self.store.query(
            sparql,
            default_graph=[ox.NamedNode(g) for g in default_graphs],
            named_graphs=[ox.NamedNode(g) for g in named_graphs] if named_graphs else None,
        )

    def query_as_written(self, sparql: str) -> QueryResult:
        # pyoxigraph lets its dataset arguments override FROM / FROM NAMED: pass none
        return self.store.query(sparql)

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))

    def __len__(self) -> int:
        return len(self.store)


def file_digest(path: Path) -> bytes:
    """A content hash of a file (read in blocks)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.digest()
