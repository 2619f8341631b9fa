"""The SPARQL 1.1 Service Description of /sparql (https://www.w3.org/TR/sparql11-service-description/)."""

from collections.abc import Iterable

import pyoxigraph as ox

from phakhi.api.negotiation import ALL_FORMATS, Format

SD = "http://www.w3.org/ns/sparql-service-description#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
PREFIXES = {"sd": SD, "formats": "http://www.w3.org/ns/formats/"}


def _sd(name: str) -> ox.NamedNode:
    return ox.NamedNode(SD + name)


def description(endpoint: str, graphs: Iterable[str]) -> list[ox.Triple]:
    """The service at endpoint (absolute URL) and its default dataset with these named graphs."""
    service, dataset, default = ox.BlankNode("service"), ox.BlankNode("dataset"), ox.BlankNode()
    triples = [
        ox.Triple(service, RDF_TYPE, _sd("Service")),
        ox.Triple(service, _sd("endpoint"), ox.NamedNode(endpoint)),
        ox.Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        # without default-graph-uri, the default graph is the union of all named graphs
        ox.Triple(service, _sd("feature"), _sd("UnionDefaultGraph")),
        *(ox.Triple(service, _sd("resultFormat"), ox.NamedNode(f.iri)) for f in ALL_FORMATS),
        ox.Triple(service, _sd("defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, _sd("Dataset")),
        ox.Triple(dataset, _sd("defaultGraph"), default),
        ox.Triple(default, RDF_TYPE, _sd("Graph")),
    ]
    for graph in graphs:
        named = ox.BlankNode()
        triples += [
            ox.Triple(dataset, _sd("namedGraph"), named),
            ox.Triple(named, RDF_TYPE, _sd("NamedGraph")),
            ox.Triple(named, _sd("name"), ox.NamedNode(graph)),
        ]
    return triples


def serialize(triples: list[ox.Triple], fmt: Format) -> bytes:
    body = ox.serialize(
        triples, format=ox.RdfFormat.from_media_type(fmt.media_type), prefixes=PREFIXES
    )
    return body or b""
