"""Fill an engine: the compiled curated sources, or RDF files given by the user."""

from pathlib import Path

import pyoxigraph as ox

from phakhi.graph.dataset import build_dataset, to_nquads
from phakhi.graph.store import OxigraphStore

_QUAD_FORMATS = {ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG}


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
        graph = None if fmt in _QUAD_FORMATS else ox.NamedNode(path.resolve().as_uri())
        try:
            store.store.load(path=str(path), format=fmt, to_graph=graph)
        except SyntaxError as error:
            raise ValueError(f"{path}: {error}") from error


def open_seed(data_dir: Path, ontology: Path) -> OxigraphStore:
    store = OxigraphStore()
    store.load(to_nquads(build_dataset(data_dir, ontology)))
    return store
