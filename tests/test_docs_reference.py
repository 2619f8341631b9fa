"""The ontology reference: every term labelled and defined in Thai and English, served at the
ontology IRI by content negotiation (HTML, Turtle, JSON-LD), with its shapes and a seed example."""

import html
import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS, SKOS

from phakhi.graph import reference
from phakhi.graph.namespaces import PHK
from phakhi.graph.paths import ONTOLOGY_FILE, SHAPES_FILE
from phakhi.graph.store import Engine

PHK_NS = str(PHK._NS)
SH = "http://www.w3.org/ns/shacl#"


def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


def phk_terms() -> list[URIRef]:
    graph = ontology()
    return sorted(
        {s for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(PHK_NS)}
    )


def texts(graph: Graph, term: URIRef, predicate: URIRef, lang: str) -> list[str]:
    return [
        str(value)
        for value in graph.objects(term, predicate)
        if isinstance(value, Literal) and value.language == lang and str(value).strip()
    ]


@pytest.mark.parametrize("term", phk_terms(), ids=lambda t: t.split("#")[-1])
def test_every_term_has_thai_and_english_label_and_definition(term: URIRef) -> None:
    graph = ontology()
    missing = [
        f"{predicate.n3(graph.namespace_manager)}@{lang}"
        for predicate in (RDFS.label, SKOS.definition)
        for lang in ("th", "en")
        if not texts(graph, term, predicate, lang)
    ]
    assert not missing, f"{term} lacks {', '.join(missing)}"


def test_the_ontology_defines_classes_and_properties() -> None:
    graph = ontology()
    kinds = {o for t in phk_terms() for o in graph.objects(t, RDF.type)}
    assert {
        URIRef(f"http://www.w3.org/2002/07/owl#{k}")
        for k in ("Class", "ObjectProperty", "DatatypeProperty")
    } <= kinds
    assert len(phk_terms()) >= 50


# -- the page --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def page_th(client: TestClient) -> str:
    response = client.get("/ontology", headers={"Accept": "text/html", "Accept-Language": "th"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-language"] == "th"
    assert "Accept" in response.headers["vary"]
    return html.unescape(response.text)


def test_the_page_names_every_term_in_both_languages(page_th: str) -> None:
    graph = ontology()
    for term in phk_terms():
        local = term.split("#")[-1]
        assert f'id="{local}"' in page_th, f"no section for {local}"
        for lang in ("th", "en"):
            for text in texts(graph, term, RDFS.label, lang) + texts(
                graph, term, SKOS.definition, lang
            ):
                assert text in page_th, f"{local}: {text[:40]!r} is not on the page"


def test_the_page_shows_every_shape_and_the_shapes_of_a_term(page_th: str) -> None:
    shapes = Graph().parse(SHAPES_FILE, format="turtle")
    for shape in shapes.subjects(RDF.type, URIRef(SH + "NodeShape")):
        if isinstance(shape, URIRef):
            assert f'id="shape-{shape.split("#")[-1]}"' in page_th, shape
    iso = page_th[page_th.index('id="isoCode"') :]
    iso = iso[: iso.index("</section>")]
    assert "phks:ProvinceIsoCodeShape" in iso and "sh:pattern" in iso
    assert "A province needs exactly one ISO code" in iso
    forum = page_th[page_th.index('id="Forum"') :]
    assert "phks:EventShape" in forum[: forum.index("</section>")]


def test_each_term_has_an_example_from_the_seed_data(engine: Engine) -> None:
    built = reference.build_reference(engine, "th")
    own = [t for key, terms in built.sections if key != "standard" for t in terms]
    assert {t.link.iri for t in own} == {str(t) for t in phk_terms()}
    assert [t.link.curie for t in own if t.example is None] == []
    promotes = next(t for t in own if t.link.curie == "phk:promotes")
    assert promotes.example is not None and promotes.example.quote
    assert promotes.example.source is not None
    assert promotes.example.source.iri.endswith("/source/nida-forum-2024-06-11")


def test_the_page_in_english(client: TestClient) -> None:
    response = client.get("/ontology?lang=en", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-language"] == "en"
    assert "Phakhi ontology reference" in response.text
    fragment = response.text[response.text.index('<div class="ontology-reference"') :]
    assert fragment in client.get("/ontology.html?lang=en").text


def test_entities_in_examples_link_to_their_pages(page_th: str) -> None:
    assert 'href="/id/agency/codi"' in page_th


# -- content negotiation at the ontology IRI --------------------------------------------------


@pytest.mark.parametrize("path", ["/ontology", "/ontology.ttl"])
def test_turtle_is_the_ontology_file(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    assert response.content == ONTOLOGY_FILE.read_bytes()
    served = Graph().parse(data=response.text, format="turtle")
    assert isomorphic(served, ontology())


@pytest.mark.parametrize("path", ["/ontology", "/ontology.jsonld"])
def test_json_ld_is_the_same_graph_with_an_inline_context(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"Accept": "application/ld+json"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/ld+json")
    document = json.loads(response.text)
    assert isinstance(document["@context"], dict)  # inline: nothing fetched from elsewhere
    served = Graph().parse(data=response.text, format="json-ld")
    assert isomorphic(served, ontology())


def test_browsers_and_anything_get_html_others_406(client: TestClient) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert (
        client.get("/ontology", headers={"Accept": browser})
        .headers["content-type"]
        .startswith("text/html")
    )
    assert (
        client.get("/ontology", headers={"Accept": "*/*"})
        .headers["content-type"]
        .startswith("text/html")
    )
    refused = client.get("/ontology", headers={"Accept": "image/png"})
    assert refused.status_code == 406
    assert refused.json()["error"]["code"] == "not_acceptable"
    assert client.head("/ontology", headers={"Accept": "text/turtle"}).status_code == 200


def test_the_shapes_are_served_too(client: TestClient) -> None:
    response = client.get("/shapes", headers={"Accept": "text/turtle"})
    assert response.content == SHAPES_FILE.read_bytes()
    jsonld = client.get("/shapes", headers={"Accept": "application/ld+json"})
    shapes = Graph().parse(SHAPES_FILE, format="turtle")
    assert isomorphic(Graph().parse(data=jsonld.text, format="json-ld"), shapes)
    moved = client.get("/shapes", headers={"Accept": "text/html"}, follow_redirects=False)
    assert moved.status_code == 303
    assert moved.headers["location"].endswith("/ontology#section-shapes")


# -- the file phakhi build writes -------------------------------------------------------------


def test_write_reference_writes_one_standalone_page(tmp_path: Path) -> None:
    target = tmp_path / "dist" / "ontology.html"
    reference.write_reference(target)
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>")
    for term in phk_terms():
        assert f'id="{term.split("#")[-1]}"' in page
    # nothing to fetch: no script, no stylesheet or image link, no remote font
    assert not re.search(r"<script|<link|<img|<iframe|@import|url\(", page, re.I)
    assert "“" in page and "สถาบันพัฒนาองค์กรชุมชน" in page  # examples with their quotes
    assert [p.name for p in target.parent.iterdir()] == ["ontology.html"]
