"""Backup and restore of an on-disk store: `phakhi dump` and `phakhi restore`.

A dump is N-Quads of every statement of the store: the default graph (its own: what an update
without GRAPH wrote) first, then each graph named by an IRI, in IRI order; within a graph,
subjects in code-point order, then blank subjects; blank nodes labelled canonically (RDFC-1.0).
The same data always gives the same bytes: it is written by graph/export.py's N-Quads writer,
fed with the store's own default graph rather than the union that exports show. (Graphs named
by a blank node are not dumped; Phakhi makes none.)

A restore loads a dump into a new folder beside the target, flushes it, versions it (the version
is a hash of the dump, as for any store filled from a file), and only then swaps it in: the
target is either the old store or the restored one, never half of each. It refuses a target
that holds data unless told to replace it (`force`), and a store that a server has open.
"""

import shutil
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from phakhi.graph.atomic import write_atomically
from phakhi.graph.export import Quad, _blocks, _chunks, canonical_blanks
from phakhi.graph.store import OxigraphStore
from phakhi.graph.turtle import ntriples


class RestoreRefused(Exception):
    """The target cannot be restored into (not empty without force, or in use)."""


def _rows(store: OxigraphStore, *, blank: bool) -> Iterator[Quad]:
    test = "isBlank(?s) || isBlank(?o)" if blank else "!isBlank(?s) && !isBlank(?o)"
    order = "" if blank else " ORDER BY ?g ?s"
    sparql = (
        "SELECT ?g ?s ?p ?o WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } FILTER(isIRI(?g)) }"
        f" FILTER({test}) }}{order}"
    )
    # not OxigraphStore.query: its default graph is the union of all graphs
    found = store.store.query(sparql)
    assert isinstance(found, ox.QuerySolutions)
    for g, s, p, o in found:
        yield (g.value if isinstance(g, ox.NamedNode) else None), s, p, o


def dump(store: OxigraphStore) -> Iterator[bytes]:
    """The store as canonical N-Quads, in chunks."""
    blanks = canonical_blanks(_rows(store, blank=True))
    blocks = _blocks(_rows(store, blank=False), blanks)
    return _chunks(ntriples(blocks, quads=True))


def write_dump(store: OxigraphStore, output: Path | None) -> None:
    """The dump to output (all or nothing: a temporary file, then renamed), or to stdout."""
    if output is not None:
        write_atomically(output, dump(store))
        return
    for chunk in dump(store):
        sys.stdout.buffer.write(chunk)
    sys.stdout.buffer.flush()


def restore(dump_file: Path, target: Path, *, force: bool = False) -> str:
    """Fill a new store from dump_file and put it at target; returns its dataset version."""
    _check_target(target, force=force)
    staging = target.with_name(f".{target.name}.restore-{uuid.uuid4().hex[:8]}")
    try:
        store = OxigraphStore(staging)
        try:
            store.load_file(dump_file, ox.RdfFormat.N_QUADS)  # in bulk, then flushed, versioned
        except SyntaxError as error:
            raise ValueError(f"{dump_file}: {error}") from error
        version = store.version
        del store  # closes RocksDB before the folder moves
        _swap(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return version


def _check_target(target: Path, *, force: bool) -> None:
    if not target.exists():
        return
    if not target.is_dir():
        raise RestoreRefused(f"{target}: not a folder")
    if not any(target.iterdir()):
        return
    try:  # takes RocksDB's lock: fails while a server (or anything) has the store open
        empty = OxigraphStore(target).is_empty()
    except OSError as error:
        raise RestoreRefused(f"{target}: the store is in use ({error}); stop the server") from error
    if not empty and not force:
        raise RestoreRefused(f"{target}: the store holds data; use --force to replace it")


def _swap(staging: Path, target: Path) -> None:
    """target becomes staging; the old target is removed only once the new one is in place."""
    if not target.exists():
        staging.rename(target)
        return
    old = target.with_name(f".{target.name}.replaced-{uuid.uuid4().hex[:8]}")
    target.rename(old)
    try:
        staging.rename(target)
    except OSError:
        old.rename(target)  # put the old store back
        raise
    shutil.rmtree(old, ignore_errors=True)
