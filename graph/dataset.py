"""The compiled dataset: the ontology's graph plus one named graph per data file."""

from pathlib import Path

from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.compare import to_canonical_graph

from phakhi.graph.compiler import compile_data
from phakhi.graph.namespaces import BASE, ONTOLOGY_IRI
from phakhi.graph.paths import DATA_DIR, EXTERNAL_LABELS_FILE, ONTOLOGY_FILE

EXTERNAL_LABELS_GRAPH = URIRef(BASE + "graph/reference/external-labels")


def load_ontology(path: Path = ONTOLOGY_FILE) -> Graph:
    graph = Graph()
    graph.parse(path, format="turtle")
    return graph


def build_dataset(data_dir: Path = DATA_DIR, ontology: Path = ONTOLOGY_FILE) -> Dataset:
    """Compile data_dir and add the ontology; raises SourceErrors on bad source files."""
    dataset = compile_data(data_dir)
    for name, path in ((ONTOLOGY_IRI, ontology), (EXTERNAL_LABELS_GRAPH, EXTERNAL_LABELS_FILE)):
        target = dataset.graph(name)
        for triple in load_ontology(path):
            target.add(triple)
    return dataset


def to_nquads(dataset: Dataset) -> bytes:
    """N-Quads in a canonical form: blank nodes named from what they hold (rdflib.compare) and
    the lines sorted, so the same data always gives the same bytes. The store's dataset version
    (graph.store.OxigraphStore.version) is a hash of these bytes: the version cited in links
    stays the same from one build to the next until the data changes."""
    canonical = Dataset()
    for graph in dataset.graphs():
        if not len(graph):
            continue
        has_blanks = any(isinstance(term, BNode) for triple in graph for term in triple)
        source = to_canonical_graph(graph) if has_blanks else graph
        target = canonical.graph(graph.identifier)
        for triple in source:
            target.add(triple)
    lines = canonical.serialize(format="nquads", encoding="utf-8").splitlines()
    return b"".join(line + b"\n" for line in sorted(set(lines)) if line.strip())
