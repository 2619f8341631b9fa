"""Fill an engine: the compiled curated sources, or RDF files given by the user.

`open_engine` is what the service starts with: in memory, or an on-disk store that is filled in
bulk only when it is empty and otherwise opened as it is (no re-parse on every start).
"""

import contextlib
import gc
import pickle
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox

from phakhi.graph.dataset import build_dataset, to_nquads
from phakhi.graph.store import Engine, OxigraphStore
from phakhi.graph.xml_entities import check_file

_QUAD_FORMATS = {ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG}
T = TypeVar("T")


def rdf_format(path: Path) -> ox.RdfFormat:
    suffix = path.suffix.lstrip(".").lower()
    aliases = {"jsonld": "jsonld", "json": "jsonld", "rdf": "rdf", "owl": "rdf", "xml": "rdf"}
    found = ox.RdfFormat.from_extension(aliases.get(suffix, suffix))
    if found is None:
        raise ValueError(f"{path}: unknown RDF file type {path.suffix!r}")
    return found


def load_files(store: OxigraphStore, files: list[Path]) -> None:
    """Triples of each file go to a named graph named after the file; quads keep theirs."""
    for path in files:
        fmt = rdf_format(path)
        if fmt == ox.RdfFormat.RDF_XML:
            check_file(path)  # no entity bombs (external entities are never fetched)
        graph = None if fmt in _QUAD_FORMATS else ox.NamedNode(path.resolve().as_uri())
        try:
            store.load_file(path, fmt, to_graph=graph)
        except SyntaxError as error:
            raise ValueError(f"{path}: {error}") from error


def load_seed(store: OxigraphStore, data_dir: Path, ontology: Path) -> None:
    store.load(to_nquads(build_dataset(data_dir, ontology)))


def open_seed(data_dir: Path, ontology: Path) -> OxigraphStore:
    store = OxigraphStore()
    load_seed(store, data_dir, ontology)
    return store


def open_engine(
    data_dir: Path, ontology: Path, files: list[Path], store_path: Path | None = None
) -> OxigraphStore:
    """The graph to serve: files if given, else the compiled sources; kept in store_path when
    given, which is filled only when empty (then opened as it is, whatever files say)."""
    store = OxigraphStore(store_path)
    if store_path is not None and not store.is_empty():
        if not store.version:  # filled by something else than Phakhi: version it once
            store.bump_version()
        return store
    if files:
        load_files(store, files)
    else:
        load_seed(store, data_dir, ontology)
    return store


def cached_index(store: Engine, name: str, build: Callable[[Engine], T]) -> T:
    """build(store), kept in an on-disk store's folder for its dataset version: the next start
    reads it back (pickle: the folder must be as trusted as the data) instead of rebuilding.
    Indexes of other versions are removed; an in-memory store always builds."""
    if not isinstance(store, OxigraphStore) or not store.version:
        return build(store)
    if store.path is None or store.read_only:
        return build(store)
    file = store.path / f"phakhi-{name}-{store.version}.pickle"
    with (
        contextlib.suppress(OSError, pickle.UnpicklingError, EOFError, AttributeError),
        file.open("rb") as handle,
        _collector_paused(),
    ):
        found: T = pickle.load(handle)
        return found
    value = build(store)
    for stale in store.path.glob(f"phakhi-{name}-*.pickle"):
        stale.unlink(missing_ok=True)
    temporary = file.with_suffix(".tmp")
    with temporary.open("wb") as handle:
        pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
    temporary.replace(file)
    return value


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """No garbage collection while an index is read back: it creates millions of objects and
    no garbage, and each collection would walk them all (at 1M triples the two indexes read
    in 1.1 s with collections, 0.3 s without)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
