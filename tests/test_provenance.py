"""Every relation in the graph carries its source and a quote that occurs in that source."""

import pyoxigraph as ox

from phakhi.graph.paths import DATA_DIR
from phakhi.graph.sourcetext import fold
from phakhi.graph.store import OxigraphStore

PREFIXES = """
PREFIX phk: <https://w3id.org/phakhi/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""

UNBACKED = (
    PREFIXES
    + """
SELECT ?g ?s ?p ?o WHERE {
  GRAPH ?g {
    ?source a phk:SourceDocument .
    ?s ?p ?o .
    FILTER(isIRI(?o))
    FILTER NOT EXISTS { ?s a phk:Evidence }
    FILTER NOT EXISTS { ?s a phk:SourceDocument }
    FILTER NOT EXISTS {
      ?e a phk:Evidence ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
         prov:wasDerivedFrom ?source ; phk:quote ?q .
    }
  }
}
"""
)

QUOTES = (
    PREFIXES
    + """
SELECT ?e ?quote ?file ?first ?last ?line WHERE {
  GRAPH ?g {
    ?e a phk:Evidence ; phk:quote ?quote ; phk:line ?line ; prov:wasDerivedFrom ?source .
    ?source phk:fileName ?file ; phk:firstLine ?first ; phk:lastLine ?last .
  }
}
"""
)


def rows(engine: OxigraphStore, query: str) -> list[ox.QuerySolution]:
    result = engine.query(query)
    assert isinstance(result, ox.QuerySolutions)
    return list(result)


def test_the_seed_has_sources_and_evidence(engine: OxigraphStore) -> None:
    assert len(rows(engine, PREFIXES + "SELECT ?s { ?s a phk:SourceDocument }")) >= 2
    assert len(rows(engine, QUOTES)) > 100


def test_every_relation_in_a_source_has_evidence_with_a_quote(engine: OxigraphStore) -> None:
    unbacked = [f"{r['s']} {r['p']} {r['o']}" for r in rows(engine, UNBACKED)]
    assert unbacked == []


def test_every_quote_occurs_in_its_source_text_on_its_line(engine: OxigraphStore) -> None:
    missing = []
    for row in rows(engine, QUOTES):
        lines = (DATA_DIR / "texts" / row["file"].value).read_text(encoding="utf-8").splitlines()
        first, last, line = (int(row[k].value) for k in ("first", "last", "line"))
        assert first <= line <= last
        window = fold(" ".join(lines[line - 1 : last]))
        if fold(row["quote"].value) not in window:
            missing.append(row["quote"].value)
    assert missing == []


def test_evidence_of_a_graph_cites_that_graphs_source(engine: OxigraphStore) -> None:
    query = PREFIXES + (
        "SELECT ?e WHERE { GRAPH ?g { ?e prov:wasDerivedFrom ?s . "
        "FILTER NOT EXISTS { ?s a phk:SourceDocument } } }"
    )
    assert rows(engine, query) == []
