"""The compiled dataset: the ontology's graph plus one named graph per data file."""

from pathlib import Path

from rdflib import Dataset, Graph, URIRef

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
    return dataset.serialize(format="nquads", encoding="utf-8")
