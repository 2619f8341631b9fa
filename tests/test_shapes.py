"""The shapes catch what the compiler cannot see: a wrong kind, a lost statement, a bad line."""

from rdflib import Dataset, Literal, URIRef

from phakhi.graph.dataset import build_dataset
from phakhi.graph.namespaces import FOAF, PHK, RDF
from phakhi.graph.validation import validate

FORUM = URIRef("https://w3id.org/phakhi/graph/nida-forum-2024-06-11")
CODI = URIRef("https://w3id.org/phakhi/id/agency/codi")


def evidence_of(dataset: Dataset, predicate: URIRef) -> URIRef:
    graph = dataset.graph(FORUM)
    found = next(e for e in graph.subjects(RDF.type, PHK.Evidence)
                 if graph.value(e, RDF.predicate) == predicate)  # fmt: skip
    assert isinstance(found, URIRef)
    return found


def test_each_broken_contract_is_reported_on_its_node() -> None:
    dataset = build_dataset()
    graph = dataset.graph(FORUM)
    graph.add((CODI, RDF.type, FOAF.Person))
    lost = evidence_of(dataset, PHK.worksOnTheme)
    triple = (graph.value(lost, RDF.subject), PHK.worksOnTheme, graph.value(lost, RDF.object))
    graph.remove(triple)  # type: ignore[arg-type]
    misplaced = evidence_of(dataset, PHK.promotes)
    graph.set((misplaced, PHK.line, Literal(500)))

    found = {(v.focus, v.message) for v in validate(dataset)}
    assert found == {
        (str(CODI), "This entity is of two kinds; check the relations that point to it."),
        (str(lost), "This evidence is about a statement that is not in the graph."),
        (str(misplaced), "This evidence's quote starts outside the lines its source covers."),
    }
