"""The HTML pages and Linked Data routes through the real app: content negotiation at /id/…,
404s, languages, escaping of hostile text, security headers, offline assets, query helpers."""

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import rdflib
from fastapi import FastAPI
from fastapi.testclient import TestClient
from rdflib import RDF, RDFS, Literal, URIRef

from phakhi.api.app import create_app
from phakhi.api.rendering import site_path
from phakhi.api.routes.pages import load_examples
from phakhi.api.settings import Settings
from phakhi.graph.namespaces import PHK
from phakhi.graph.paths import COMPETENCY_DIR, COOKBOOK_DIR

BASE = "https://w3id.org/phakhi/id/"
TH60 = URIRef(BASE + "province/TH-60")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
INFERRED_MECHANISM = "/id/mechanism/amnat-charoen-shared-working-space"
STATIC = Path(__file__).resolve().parent.parent / "api" / "static"


class Assets(HTMLParser):
    """Every URL a page loads or links to (src, href, action) and its inline scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []
        self.links: list[str] = []
        self.inline_scripts: list[str] = []
        self._script_type: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in ("script", "img", "iframe") and found.get("src"):
            self.loads.append(found["src"] or "")
        if tag == "link" and found.get("href"):
            self.loads.append(found["href"] or "")
        if tag == "a" and found.get("href"):
            self.links.append(found["href"] or "")
        if tag == "form" and found.get("action"):
            self.loads.append(found["action"] or "")
        if tag == "script" and not found.get("src"):
            self._script_type = found.get("type") or "text/javascript"
        if any(name.startswith("on") for name, _ in attrs):
            self.inline_scripts.append(f"{tag} handler")

    def handle_data(self, data: str) -> None:
        if self._script_type is not None and self._script_type != "application/json":
            self.inline_scripts.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script_type = None


def assets(html: str) -> Assets:
    parser = Assets()
    parser.feed(html)
    return parser


def html_get(client: TestClient, url: str, **headers: str) -> str:
    response = client.get(url, headers={"Accept": BROWSER, **headers})
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    return response.text


# -- content negotiation --------------------------------------------------------------------


def test_browsers_get_the_entity_page(client: TestClient) -> None:
    html = html_get(client, "/id/province/TH-60")
    assert '<h1 id="entity-label">นครสวรรค์</h1>' in html
    assert "Nakhon Sawan" in html  # the other language's label
    assert "จังหวัด" in html  # its type, labelled
    # statements with their source and quote, as the publisher wrote it
    assert '<blockquote class="quote">เรียกร้องการกระจายอำนาจสู่ชุมชน</blockquote>' in html
    assert '<span class="line">บรรทัด 18</span>' in html
    # links to neighbours stay on this server
    assert 'href="/id/theme/decentralisation"' in html
    assert 'href="/id/phase/social-innovation-strong-communities-phase-2"' in html
    # the small map, its downloads and "open in SPARQL"
    assert 'class="map-mini"' in html and 'data-iso="TH-60"' in html
    assert 'href="/id/province/TH-60.ttl"' in html
    assert 'href="/id/province/TH-60.jsonld"' in html
    link = re.search(r'id="open-sparql" href="([^"]+)"', html)
    assert link is not None
    query = parse_qs(urlsplit(link.group(1).replace("&amp;", "&")).query)["query"][0]
    assert f"<{TH60}> ?property ?value" in query


def test_inferred_statements_carry_a_visible_badge(client: TestClient) -> None:
    html = html_get(client, INFERRED_MECHANISM)
    assert 'class="badge badge-inferred"' in html
    assert "เกิดพื้นที่ร่วมในการทำงานกับหน่วยงานอื่นๆ" in html


def _parse(text: str, fmt: str) -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(data=text, format=fmt)
    return graph


@pytest.mark.parametrize(
    ("accept", "media_type", "rdflib_format"),
    [
        ("text/turtle", "text/turtle", "turtle"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("*/*", "text/turtle", "turtle"),
        ("text/turtle;q=0.5, application/ld+json", "application/ld+json", "json-ld"),
    ],
)
def test_rdf_clients_get_the_description(
    client: TestClient, accept: str, media_type: str, rdflib_format: str
) -> None:
    response = client.get("/id/province/TH-60", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert "Accept" in response.headers["vary"]
    graph = _parse(response.text, rdflib_format)
    assert (TH60, RDFS.label, Literal("นครสวรรค์", lang="th")) in graph
    assert (TH60, RDF.type, PHK.Province) in graph
    # labels of the linked things, and the evidence nodes with their quotes
    assert (URIRef(BASE + "theme/decentralisation"), RDFS.label, None) in graph
    evidence = set(graph.subjects(RDF.subject, TH60))
    assert evidence and all((e, RDF.type, PHK.Evidence) in graph for e in evidence)
    quotes = {str(q) for e in evidence for q in graph.objects(e, PHK.quote)}
    assert "เรียกร้องการกระจายอำนาจสู่ชุมชน" in quotes


@pytest.mark.parametrize(
    ("suffix", "media_type", "rdflib_format"),
    [
        (".ttl", "text/turtle", "turtle"),
        (".jsonld", "application/ld+json", "json-ld"),
        (".nt", "application/n-triples", "nt"),
        (".rdf", "application/rdf+xml", "xml"),
    ],
)
def test_suffixes_choose_the_format(
    client: TestClient, suffix: str, media_type: str, rdflib_format: str
) -> None:
    response = client.get(f"/id/person/wichai-nasuwanno{suffix}", headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    graph = _parse(response.text, rdflib_format)
    person = URIRef(BASE + "person/wichai-nasuwanno")
    assert (person, RDFS.label, Literal("วิชัย นะสุวรรณโน", lang="th")) in graph


def test_every_kind_of_iri_dereferences(client: TestClient) -> None:
    turtle = client.get("/id/province/TH-60.ttl").text
    graph = _parse(turtle, "turtle")
    evidence = next(iter(graph.subjects(RDF.subject, TH60)))
    source = next(iter(graph.objects(evidence, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"))))
    membership = URIRef(BASE + "membership/wichai-nasuwanno--codi--deputy-director")
    for iri in (evidence, source, membership):
        path = site_path(str(iri), "https://w3id.org/phakhi/")
        assert path is not None
        assert client.get(path, headers={"Accept": BROWSER}).status_code == 200, path
        assert client.get(path, headers={"Accept": "text/turtle"}).status_code == 200, path


def test_unknown_iris_are_404_in_the_shape_the_client_reads(client: TestClient) -> None:
    as_json = client.get("/id/province/TH-99", headers={"Accept": "text/turtle"})
    assert as_json.status_code == 404
    assert as_json.json()["error"]["code"] == "not_found"
    as_html = client.get("/id/province/TH-99", headers={"Accept": BROWSER})
    assert as_html.status_code == 404
    assert as_html.headers["content-type"].startswith("text/html")
    assert "ไม่พบหน้านี้" in as_html.text
    for path in ("/id/no-such-kind/x", "/id/province/TH-99.ttl", "/id/", "/id/a%20b/c"):
        assert client.get(path).status_code == 404, path
    # other routes too: browsers get a page, API clients the JSON shape
    assert client.get("/no/such/page", headers={"Accept": BROWSER}).text.startswith("<!doctype")
    assert client.get("/no/such/page").json()["error"]["status"] == 404


def test_no_acceptable_format_is_406(client: TestClient) -> None:
    response = client.get("/id/province/TH-60", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert response.json()["error"]["code"] == "not_acceptable"


# -- languages ------------------------------------------------------------------------------


def test_language_switch(client: TestClient) -> None:
    english = html_get(client, "/id/province/TH-60?lang=en")
    assert '<html lang="en">' in english
    assert '<h1 id="entity-label">Nakhon Sawan</h1>' in english
    assert "Statements" in english and 'href="/id/province/TH-60?lang=th"' in english
    by_header = html_get(client, "/id/province/TH-60", **{"Accept-Language": "en-GB,en;q=0.9"})
    assert '<h1 id="entity-label">Nakhon Sawan</h1>' in by_header
    thai = html_get(client, "/id/province/TH-60?lang=th", **{"Accept-Language": "en"})
    assert '<html lang="th">' in thai and "นครสวรรค์" in thai
    query_en = html_get(client, "/?lang=en")
    assert "Which are the year-2 study provinces of the research project?" in query_en
    query_th = html_get(client, "/")
    assert "จังหวัดพื้นที่ศึกษาปีที่ 2 ของโครงการวิจัยมีจังหวัดใดบ้าง" in query_th
    bad = client.get("/?lang=fr", headers={"Accept": BROWSER})
    assert bad.status_code == 400 and bad.headers["content-type"].startswith("text/html")


# -- the query page ---------------------------------------------------------------------------


def test_competency_questions_and_recipes_are_the_examples(client: TestClient) -> None:
    examples = load_examples()
    assert [e.name for e in examples[:14]] == sorted(p.stem for p in COMPETENCY_DIR.glob("*.rq"))
    assert len(examples) == 14 + len(list(COOKBOOK_DIR.glob("*.rq")))
    assert all(e.titles.get("th") and e.titles.get("en") for e in examples)
    html = html_get(client, "/?example=02-study-provinces")
    assert html.count("<option value=") == len(examples) + 1  # and the placeholder
    assert '<option value="02-study-provinces" selected>' in html
    assert "phk:studyArea ?province" in html


def test_a_shared_link_restores_the_query(client: TestClient) -> None:
    query = 'SELECT ?x WHERE { ?x ?p "</textarea><script>alert(1)</script>" }'
    response = client.get("/", params={"query": query}, headers={"Accept": BROWSER})
    html = response.text
    assert "&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    data = re.search(r'<script type="application/json" id="page-data">(.*?)</script>', html, re.S)
    assert data is not None
    assert json.loads(data.group(1))["autorun"] is True


def test_labels_helper(client: TestClient) -> None:
    response = client.post(
        "/labels",
        json={"iris": [str(TH60), "http://example.org/elsewhere", str(PHK.Province)], "lang": "th"},
    )
    assert response.status_code == 200
    labels = response.json()["labels"]
    assert labels[str(TH60)] == {"label": "นครสวรรค์", "href": "/id/province/TH-60"}
    assert labels["http://example.org/elsewhere"]["href"] == "http://example.org/elsewhere"
    assert labels[str(PHK.Province)] == {"label": "จังหวัด", "href": "/ontology#Province"}
    english = client.post("/labels", json={"iris": [str(TH60)], "lang": "en"}).json()
    assert english["labels"][str(TH60)]["href"] == "/id/province/TH-60?lang=en"


def test_query_map_helper(client: TestClient) -> None:
    rows = [{"province": str(TH60), "n": "1"}, {"province": BASE + "province/TH-37", "n": "2"}]
    response = client.post("/query-map", json={"variables": ["province", "n"], "rows": rows})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert 'data-iso="TH-60"' in response.text and 'href="/id/province/TH-60"' in response.text
    none = client.post("/query-map", json={"variables": ["x"], "rows": [{"x": "hello"}]})
    assert none.status_code == 204


# -- offline, safe pages ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/?lang=en", "/id/province/TH-60", "/id/agency/codi?lang=en", "/docs", "/guide"]
)
def test_pages_load_nothing_from_elsewhere(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"Accept": BROWSER})
    assert response.status_code == 200
    found = assets(response.text)
    for url in found.loads:
        assert url.startswith("/") and not url.startswith("//"), url
    assert found.inline_scripts == []  # the CSP allows none
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self';" in policy
    assert "frame-ancestors 'self'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


def test_static_assets_are_served(client: TestClient) -> None:
    for path, media_type in [
        ("/static/vendor/yasgui/yasgui.min.js", "javascript"),
        ("/static/vendor/yasgui/yasgui.min.css", "text/css"),
        ("/static/vendor/swagger-ui/swagger-ui-bundle.js", "javascript"),
        ("/static/css/site.css", "text/css"),
        ("/static/js/query.js", "javascript"),
        ("/static/fonts/noto-sans-thai-thai-400-normal.woff2", "font/woff2"),
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert media_type in response.headers["content-type"], path
    for licence in ("vendor/yasgui/LICENSE", "vendor/swagger-ui/LICENSE", "fonts/OFL.txt"):
        assert (STATIC / licence).is_file(), licence


def test_own_static_files_name_no_external_url() -> None:
    own = [*STATIC.glob("css/*"), *STATIC.glob("js/*")]
    own += list((STATIC.parent / "templates").glob("*.html"))
    for path in own:
        if path.name == "map.html":  # the map engineer's
            continue
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", path.read_text()), path


def test_api_docs_are_served_without_a_cdn(client: TestClient) -> None:
    html = html_get(client, "/docs")
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert client.get("/redoc").status_code == 404
    assert client.get("/openapi.json").status_code == 200


def test_json_keeps_nosniff_and_no_csp(client: TestClient) -> None:
    response = client.get("/id/province/TH-60", headers={"Accept": "application/ld+json"})
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in response.headers


# -- hostile data is shown as text --------------------------------------------------------------

HOSTILE = "<img src=x onerror=alert(1)>"
HOSTILE_TTL = f"""\
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix phk: <https://w3id.org/phakhi/ontology#> .
@prefix id: <{BASE}> .

id:agency\\/evil a phk:Agency ;
    rdfs:label "{HOSTILE}"@th, "<script>alert(2)</script>"@en ;
    rdfs:comment "\\" onmouseover=\\"alert(3)"@th .
id:unit\\/good a org:OrganizationalUnit ; rdfs:label "หน่วยดี"@th ;
    org:subOrganizationOf id:agency\\/evil .
id:source\\/s1 a phk:SourceDocument ; rdfs:label "<b>source</b>"@th .
id:evidence\\/e1 a phk:Evidence ; rdf:subject id:unit\\/good ;
    rdf:predicate org:subOrganizationOf ; rdf:object id:agency\\/evil ;
    prov:wasDerivedFrom id:source\\/s1 ; phk:quote "</blockquote><script>alert(4)</script>"@th ;
    phk:line 1 ; phk:inferred true .
"""


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    folder = tmp_path_factory.mktemp("hostile")
    data = folder / "hostile.ttl"
    data.write_text(HOSTILE_TTL, encoding="utf-8")
    return TestClient(create_app(Settings(data_files=[data])))


def test_hostile_labels_and_quotes_are_text(hostile_client: TestClient) -> None:
    evil = html_get(hostile_client, "/id/agency/evil")
    assert "&lt;img src=x onerror=alert(1)&gt;" in evil
    assert HOSTILE not in evil
    assert "<script>alert" not in evil
    assert 'onmouseover="alert' not in evil
    good = html_get(hostile_client, "/id/unit/good?lang=en")
    assert "&lt;/blockquote&gt;&lt;script&gt;alert(4)&lt;/script&gt;" in good
    assert "<script>alert" not in good and "<b>source</b>" not in good
    assert 'class="badge badge-inferred"' in good
    for page in (evil, good):
        assert assets(page).inline_scripts == []
    labels = hostile_client.post("/labels", json={"iris": [BASE + "agency/evil"]}).json()
    assert labels["labels"][BASE + "agency/evil"]["label"] == HOSTILE  # JSON: data, not markup


def test_head_requests_are_answered(client: TestClient) -> None:
    response = client.head("/id/province/TH-60", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")


def test_the_network_view_is_embedded_when_it_exists(client: TestClient) -> None:
    from phakhi.api.routes.resources import route_paths

    html = html_get(client, "/id/agency/codi")
    app: FastAPI = client.app  # type: ignore[assignment]
    if any(p.startswith("/viz/ego/") for p in route_paths(app.routes)):
        assert '<iframe class="ego" src="/viz/ego/agency/codi?lang=th"' in html
    else:
        assert "<iframe" not in html
    # relations from the network projection, linked
    assert 'href="/id/person/wichai-nasuwanno"' in html


OTHER_BASE_TTL = """\
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://example.org/kg/id/thing/one> rdfs:label "หนึ่ง"@th, "one"@en ;
    rdfs:seeAlso <https://example.org/kg/id/thing/two> .
<https://example.org/kg/id/thing/two> rdfs:label "สอง"@th .
"""


def test_iris_under_another_base_resolve_here(tmp_path: Path) -> None:
    data = tmp_path / "other.ttl"
    data.write_text(OTHER_BASE_TTL, encoding="utf-8")
    other = TestClient(create_app(Settings(data_files=[data], base_iri="https://example.org/kg/")))
    html = html_get(other, "/id/thing/one")
    assert '<h1 id="entity-label">หนึ่ง</h1>' in html
    assert '<a href="/id/thing/two" title="https://example.org/kg/id/thing/two">สอง</a>' in html
    graph = _parse(other.get("/id/thing/one.ttl").text, "turtle")
    assert (
        URIRef("https://example.org/kg/id/thing/one"),
        RDFS.label,
        Literal("one", lang="en"),
    ) in graph
    assert other.get("/id/province/TH-60").status_code == 404
