"""Hostile RDF files and uploads: no external entity is ever expanded or fetched, no entity bomb
is parsed, no remote JSON-LD context is fetched, no LOAD reaches another host.

Every place that parses RDF a user gives: `phakhi serve --data FILE` (graph.loader.load_files,
also behind `phakhi map --data` and `phakhi viz --data`) and the Graph Store uploads at /store
(api/routes/store.py) parse with pyoxigraph; updates at /sparql run in pyoxigraph. rdflib parses
only the curated Turtle sources and the ontology of this repository (graph/dataset.py,
graph/reference.py, graph/validation.py), never a user's file.

A listener on a loopback address stands for the remote host: pyoxigraph's HTTP client is native
code, out of netguard's sight, so what counts is that nothing connected to it.
"""

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from netguard import Listener
from netguard import netguard as netguard  # the fixture
from server import reference_settings
from test_hostile_input import assert_error_shape

from phakhi.api import cli
from phakhi.api.app import create_app
from phakhi.graph.loader import load_files
from phakhi.graph.store import OxigraphStore
from phakhi.graph.xml_entities import FILE_GROWTH, UnsafeXml, check_entities, external_entity

pytestmark = pytest.mark.usefixtures("netguard")

SECRET = "phakhi-secret-3f9c"
TOKEN = "hostile-rdf-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
RDF_NS = 'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
RDFS_NS = 'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#"'


def rdfxml(doctype: str, label: str) -> str:
    return (
        '<?xml version="1.0"?>\n'
        f"{doctype}\n"
        f"<rdf:RDF {RDF_NS} {RDFS_NS}>\n"
        f'  <rdf:Description rdf:about="http://example.org/a"><rdfs:label>{label}</rdfs:label>'
        "</rdf:Description>\n"
        "</rdf:RDF>\n"
    )


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    with Listener("127.0.0.2") as found:
        yield found


@pytest.fixture(scope="module")
def secret(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("secret") / "secret.txt"
    path.write_text(SECRET, encoding="utf-8")
    return path


def hostile_documents(secret: Path, url: str) -> dict[str, str]:
    """RDF/XML that would read a local file or call a host if entities were expanded."""
    lol = "".join(
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10 if i else "lol"}">' for i in range(10)
    )  # 10^9 "lol"s
    return {
        "file-entity": rdfxml(
            f'<!DOCTYPE rdf:RDF [ <!ENTITY xxe SYSTEM "{secret.as_uri()}"> ]>', "&xxe;"
        ),
        "http-entity": rdfxml(f'<!DOCTYPE rdf:RDF [ <!ENTITY xxe SYSTEM "{url}/e"> ]>', "&xxe;"),
        "public-entity": rdfxml(
            f'<!DOCTYPE rdf:RDF [ <!ENTITY xxe PUBLIC "-//x//EN" "{url}/p"> ]>', "&xxe;"
        ),
        "parameter-entity": rdfxml(
            f'<!DOCTYPE rdf:RDF [ <!ENTITY % p SYSTEM "{url}/pe"> %p; ]>', "x"
        ),
        "billion-laughs": rdfxml(f"<!DOCTYPE rdf:RDF [ {lol} ]>", "&l9;"),
        "quadratic": rdfxml(
            f'<!DOCTYPE rdf:RDF [ <!ENTITY a "{"A" * 100_000}"> ]>', "&a;" * 20_000
        ),
        # declarations written in ways pyoxigraph reads, and a decoy that only a text search
        # would take for one: each once hid 200 MB of expansion from the upload check
        "decoy-after-root": rdfxml(
            f'<!DOCTYPE rdf:RDF [ <!ENTITY a "{"A" * 100_000}"> ]>', "&a;" * 2_000
        ).replace("</rdf:RDF>", '<!-- <!ENTITY a ""> --></rdf:RDF>'),
        "no-space": rdfxml(f'<!DOCTYPE rdf:RDF [ <!ENTITYa "{"A" * 100_000}"> ]>', "&a;" * 2_000),
        "quote-in-name": rdfxml(
            f'<!DOCTYPE rdf:RDF [ <!ENTITY a\'b "{"A" * 100_000}"> ]>', "&a'b;" * 2_000
        ),
        "nbsp-before-name": rdfxml(
            f'<!DOCTYPE rdf:RDF [ <!ENTITY\u00a0a "{"A" * 100_000}"> ]>', "&a;" * 2_000
        ),
    }


HOSTILE = [
    "file-entity",
    "http-entity",
    "public-entity",
    "parameter-entity",
    "billion-laughs",
    "quadratic",
    "decoy-after-root",
    "no-space",
    "quote-in-name",
    "nbsp-before-name",
]


SAFE_EXTERNALS = {
    # an external DTD is not fetched, and nothing in it is needed: the file loads
    "external-dtd": lambda url: rdfxml(f'<!DOCTYPE rdf:RDF SYSTEM "{url}/dtd">', "plain"),
    "public-dtd": lambda url: rdfxml(f'<!DOCTYPE rdf:RDF PUBLIC "-//x//EN" "{url}/d">', "plain"),
}


def labels(store: OxigraphStore) -> list[str]:
    query = "SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
    return [row["o"].value for row in store.query(query)]  # type: ignore[union-attr]


# -- phakhi serve --data FILE ----------------------------------------------------------------


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_rdfxml_file_is_refused(
    tmp_path: Path, secret: Path, listener: Listener, name: str
) -> None:
    path = tmp_path / f"{name}.rdf"
    path.write_text(hostile_documents(secret, listener.url)[name], encoding="utf-8")
    store = OxigraphStore()
    started = time.monotonic()
    with pytest.raises(ValueError, match=str(path)):
        load_files(store, [path])
    assert time.monotonic() - started < 2.0  # refused, not expanded
    assert not any(SECRET in text for text in labels(store))
    time.sleep(0.1)
    assert listener.connections == []


@pytest.mark.parametrize("name", sorted(SAFE_EXTERNALS))
def test_external_dtd_is_never_fetched(tmp_path: Path, listener: Listener, name: str) -> None:
    path = tmp_path / f"{name}.rdf"
    path.write_text(SAFE_EXTERNALS[name](listener.url), encoding="utf-8")
    store = OxigraphStore()
    load_files(store, [path])
    assert "plain" in labels(store)
    time.sleep(0.1)
    assert listener.connections == []


def test_internal_entities_for_namespaces_still_load(tmp_path: Path) -> None:
    """The common, harmless use of entities (OWL files abbreviating namespaces) is accepted."""
    path = tmp_path / "ontology.owl"
    path.write_text(
        '<?xml version="1.0"?>\n'
        '<!DOCTYPE rdf:RDF [ <!ENTITY ex "http://example.org/"> '
        '<!ENTITY rdfs "http://www.w3.org/2000/01/rdf-schema#"> ]>\n'
        f"<rdf:RDF {RDF_NS} {RDFS_NS}>\n"
        + "".join(
            f'<rdf:Description rdf:about="&ex;t{i}"><rdfs:seeAlso rdf:resource="&rdfs;Class"/>'
            "</rdf:Description>\n"
            for i in range(200)
        )
        + "</rdf:RDF>\n",
        encoding="utf-8",
    )
    store = OxigraphStore()
    load_files(store, [path])
    assert len(labels(store)) == 200


def test_entity_limits() -> None:
    check_entities(rdfxml('<!DOCTYPE rdf:RDF [ <!ENTITY a "12345"> ]>', "&a;" * 10).encode(), 500)
    with pytest.raises(UnsafeXml, match="expand"):
        check_entities(rdfxml('<!DOCTYPE x [ <!ENTITY a "12345"> ]>', "&a;" * 100).encode(), 500)
    with pytest.raises(UnsafeXml, match="other entities"):
        check_entities(b'<!DOCTYPE x [ <!ENTITY a "&#38;b;"> ]>', 10**9)
    with pytest.raises(UnsafeXml, match="cannot be read"):
        check_entities(b'<!DOCTYPE x [ <!ENTITY "a" "b"> ]>', 10**9)
    # external entities are left to pyoxigraph, which refuses them (check_file says so first)
    external = b"<!DOCTYPE x [ <!ENTITY a SYSTEM 'file:///etc/passwd'> ]>"
    check_entities(external, 10**9)
    assert external_entity(external) == "a"
    assert FILE_GROWTH >= 1_000_000


@pytest.mark.parametrize(
    "context",
    [
        '"{url}/context.jsonld"',
        '["{url}/c1", {{"n": "http://example.org/n"}}]',
        '{{"@import": "{url}/imported", "n": "http://example.org/n"}}',
        '"{secret}"',
        '{{"n": {{"@id": "http://example.org/n", "@context": "{url}/scoped"}}}}',
    ],
    ids=["string", "list", "import", "file", "scoped"],
)
def test_jsonld_remote_context_is_never_fetched(
    tmp_path: Path, secret: Path, listener: Listener, context: str
) -> None:
    """Decided: a remote context is not fetched, and the file is refused, naming why (a file
    read without its context would mean something else than its author meant)."""
    path = tmp_path / "remote.jsonld"
    body = context.format(url=listener.url, secret=secret.as_uri())
    path.write_text(
        f'{{"@context": {body}, "@id": "http://example.org/a", "n": {{"@id": "http://example.org/b"}}}}',
        encoding="utf-8",
    )
    store = OxigraphStore()
    with pytest.raises(ValueError, match=r"remote context|LoadDocumentCallback"):
        load_files(store, [path])
    time.sleep(0.1)
    assert listener.connections == []
    assert not any(SECRET in text for text in labels(store))


def test_serve_refuses_a_hostile_file_clearly(
    tmp_path: Path,
    secret: Path,
    listener: Listener,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`phakhi serve --data evil.rdf`: exit 1 with the file and the reason, no traceback, no
    server started."""
    import uvicorn

    started: list[object] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: started.append(args))
    for name, text in (
        ("evil.rdf", hostile_documents(secret, listener.url)["file-entity"]),
        ("evil.jsonld", f'{{"@context": "{listener.url}/c", "@id": "http://example.org/a"}}'),
    ):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        assert cli.main(["serve", "--data", str(path)]) == 1
        message = capsys.readouterr().err
        assert message.startswith("phakhi serve: ") and str(path) in message
        assert "Traceback" not in message and SECRET not in message
    assert started == []
    assert listener.connections == []


# -- uploads: the Graph Store Protocol and SPARQL Update ---------------------------------------


@pytest.fixture(scope="module")
def writable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("hostile-writes")
    settings = reference_settings(
        folder / "data",
        store=folder / "store",
        write_token=TOKEN,
        query_workers=1,
        max_write_bytes=1_000_000,
        max_body_bytes=100_000,
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_rdfxml_upload_is_refused(
    writable: TestClient, secret: Path, listener: Listener, name: str
) -> None:
    body = hostile_documents(secret, listener.url)[name].encode("utf-8")
    started = time.monotonic()
    response = writable.put(
        "/store",
        params={"graph": f"http://example.org/{name}"},
        content=body,
        headers=AUTH | {"Content-Type": "application/rdf+xml"},
    )
    assert time.monotonic() - started < 2.0
    assert response.status_code in (400, 413), response.text
    assert_error_shape(response)
    stored = writable.get("/store", params={"graph": f"http://example.org/{name}"})
    assert stored.status_code == 404
    assert SECRET not in stored.text
    time.sleep(0.1)
    assert listener.connections == []


def test_only_the_write_token_buys_a_larger_body(writable: TestClient) -> None:
    """max_body_bytes for everyone, max_write_bytes for the holder of the write token."""
    turtle = b"".join(
        b'<http://example.org/s> <http://example.org/p> "%d" .\n' % n for n in range(8_000)
    )
    assert 100_000 < len(turtle) < 1_000_000
    where = {"graph": "http://example.org/big"}
    for headers in ({}, {"Authorization": "Bearer not-the-token-0123456789"}):
        response = writable.put(
            "/store",
            params=where,
            content=turtle,
            headers=headers | {"Content-Type": "text/turtle"},
        )
        assert response.status_code == 413, response.text
        assert assert_error_shape(response)["code"] == "too_large"
    done = writable.put(
        "/store", params=where, content=turtle, headers=AUTH | {"Content-Type": "text/turtle"}
    )
    assert done.status_code in (201, 204), done.text


def test_jsonld_upload_with_remote_context_is_refused(
    writable: TestClient, listener: Listener
) -> None:
    body = f'{{"@context": "{listener.url}/ctx", "@id": "http://example.org/a", "n": "x"}}'
    response = writable.put(
        "/store",
        params={"graph": "http://example.org/jsonld"},
        content=body.encode(),
        headers=AUTH | {"Content-Type": "application/ld+json"},
    )
    assert response.status_code == 400
    assert assert_error_shape(response)["code"] == "malformed_rdf"
    time.sleep(0.1)
    assert listener.connections == []


@pytest.mark.parametrize(
    "update",
    [
        "LOAD <{url}/data.ttl>",
        "LOAD SILENT <{url}/data.ttl> INTO GRAPH <http://example.org/g>",
        "load<{url}/data.ttl>",
        "LOADSILENT<{url}/data.ttl>",
        "PREFIX ex: <{url}/>\nLOADex:data.ttl",
        "PREFIX ex: <{url}/>\nLOAD # comment\n ex:data.ttl",
        "INSERT { <http://example.org/a> <http://example.org/p> ?o } "
        "WHERE { SERVICE <{url}/sparql> { ?s ?p ?o } }",
        "INSERT { <http://example.org/a> <http://example.org/p> ?o } "
        "WHERE { serviceSILENT<{url}/sparql> { ?s ?p ?o } }",
    ],
)
def test_update_never_fetches(writable: TestClient, listener: Listener, update: str) -> None:
    response = writable.post(
        "/sparql",
        content=update.replace("{url}", listener.url).encode(),
        headers=AUTH | {"Content-Type": "application/sparql-update"},
    )
    assert response.status_code == 403, response.text
    assert assert_error_shape(response)["code"] == "forbidden"
    time.sleep(0.1)
    assert listener.connections == []
