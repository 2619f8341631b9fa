"""SHACL validation of the compiled dataset against ontology/shapes.ttl."""

from dataclasses import dataclass
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import Dataset, Graph, URIRef

from phakhi.graph.namespaces import ONTOLOGY_IRI, SH
from phakhi.graph.paths import SHAPES_FILE


@dataclass(frozen=True, order=True)
class Violation:
    focus: str
    path: str
    message: str

    def __str__(self) -> str:
        where = f" ({self.path})" if self.path else ""
        return f"{self.focus}{where}: {self.message}"


def union_graph(dataset: Dataset, without: tuple[URIRef, ...] = ()) -> Graph:
    union = Graph()
    for context in dataset.contexts():
        if context.identifier not in without:
            for triple in context:
                union.add(triple)
    return union


def validate(dataset: Dataset, shapes: Path = SHAPES_FILE) -> list[Violation]:
    """Every violation of the shapes, sorted; an empty list means the data conforms."""
    shapes_graph = Graph().parse(shapes, format="turtle")
    ontology = dataset.graph(ONTOLOGY_IRI)
    data = union_graph(dataset, without=(ONTOLOGY_IRI,))
    _, report, _ = shacl_validate(
        data, shacl_graph=shapes_graph, ont_graph=ontology, inference="rdfs", advanced=True
    )
    assert isinstance(report, Graph)
    violations = []
    for result in report.subjects(SH.resultSeverity, SH.Violation):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        violations.append(Violation(str(focus), str(path or ""), str(message or "")))
    return sorted(violations)
