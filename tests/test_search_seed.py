"""Search finds each seed agency, person and study province by every name a researcher types."""

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from phakhi.graph.loader import open_seed
from phakhi.graph.paths import DATA_DIR, ONTOLOGY_FILE

NAMES = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
SELECT ?s ?th ?en (GROUP_CONCAT(DISTINCT ?alt; separator="|") AS ?alts) ?hon WHERE {
  ?s rdfs:label ?th , ?en . FILTER(lang(?th) = "th" && lang(?en) = "en")
  OPTIONAL { ?s skos:altLabel ?alt }
  OPTIONAL { ?s schema:honorificPrefix ?hon . FILTER(lang(?hon) = "th") }
  FILTER(STRSTARTS(STR(?s), "https://w3id.org/phakhi/id/agency/")
      || STRSTARTS(STR(?s), "https://w3id.org/phakhi/id/person/")
      || ?s IN (<https://w3id.org/phakhi/id/province/TH-60>, <https://w3id.org/phakhi/id/province/TH-37>,
                <https://w3id.org/phakhi/id/province/TH-76>, <https://w3id.org/phakhi/id/province/TH-23>,
                <https://w3id.org/phakhi/id/province/TH-80>))
} GROUP BY ?s ?th ?en ?hon ORDER BY ?s
"""


def cases() -> list[tuple[str, str, str]]:
    result = open_seed(DATA_DIR, ONTOLOGY_FILE).query(NAMES)
    assert isinstance(result, ox.QuerySolutions)
    found = []
    for row in result:
        iri, th, en = row["s"].value, row["th"].value, row["en"].value
        queries = {
            "thai name": th,
            "english name": en,
            "partial word": th[: max(4, len(th) * 2 // 3)],
        }
        if row["hon"] is not None:
            queries["with honorific"] = f"{row['hon'].value}{th}"
        if row["alts"] is not None and row["alts"].value:
            for index, alt in enumerate(sorted(row["alts"].value.split("|"))):
                queries[f"alt {index}"] = alt
        found += [(iri, how, query) for how, query in queries.items()]
    return found


@pytest.mark.parametrize(("iri", "how", "query"), cases(), ids=lambda v: str(v)[-30:])
def test_found_among_the_first_hits(client: TestClient, iri: str, how: str, query: str) -> None:
    response = client.get("/api/search", params={"q": query, "limit": 5})
    assert response.status_code == 200
    assert iri in [hit["iri"] for hit in response.json()["items"]], (how, query)
