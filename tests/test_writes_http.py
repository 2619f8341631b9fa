"""Writes over real HTTP: the app under uvicorn on 127.0.0.1 (tests/server.py), driven by httpx,
SPARQLWrapper and rdflib's SPARQLUpdateStore, as clients out there would."""

from collections.abc import Iterator

import httpx
import pytest
from rdflib import Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLUpdateStore
from server import reference_settings, serve
from SPARQLWrapper import JSON, POST, POSTDIRECTLY, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import Unauthorized

from phakhi.api.app import create_app

TOKEN = "http-test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
EX = "http://example.org/"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("http-writes")
    settings = reference_settings(
        folder / "data", store=folder / "store", write_token=TOKEN, query_workers=2
    )
    with serve(create_app(settings)) as url:
        yield url


def ask(base: str, query: str) -> bool:
    response = httpx.get(base + "/sparql", params={"query": query})
    assert response.status_code == 200, response.text
    found: bool = response.json()["boolean"]
    return found


def test_update_over_http(base: str) -> None:
    update = f'INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}a> <{EX}p> "over http" }} }}'
    headers = {"Content-Type": "application/sparql-update"}
    refused = httpx.post(base + "/sparql", content=update, headers=headers)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"].startswith("Bearer")
    wrong = httpx.post(
        base + "/sparql", content=update, headers=headers | {"Authorization": "Bearer nope"}
    )
    assert wrong.status_code == 401
    assert not ask(base, f'ASK {{ <{EX}a> <{EX}p> "over http" }}')
    done = httpx.post(base + "/sparql", content=update, headers=headers | AUTH)
    assert done.status_code == 204 and done.content == b""
    assert ask(base, f'ASK {{ <{EX}a> <{EX}p> "over http" }}')


def sparqlwrapper(base: str, update: str, token: str | None, direct: bool = False) -> SPARQLWrapper:
    client = SPARQLWrapper(base + "/sparql", updateEndpoint=base + "/sparql")
    client.setMethod(POST)
    client.setRequestMethod(POSTDIRECTLY if direct else URLENCODED)
    if token is not None:
        client.addCustomHttpHeader("Authorization", f"Bearer {token}")
    client.setQuery(update)
    return client


@pytest.mark.parametrize("direct", [False, True], ids=["urlencoded", "postdirectly"])
def test_sparqlwrapper_update(base: str, direct: bool) -> None:
    value = f"wrapper {direct}"
    update = f'PREFIX ex: <{EX}>\nINSERT DATA {{ GRAPH ex:w {{ ex:w ex:p "{value}" }} }}'
    with pytest.raises(Unauthorized):
        sparqlwrapper(base, update, None, direct).query()
    result = sparqlwrapper(base, update, TOKEN, direct).query()
    assert result.response.status == 204
    check = SPARQLWrapper(base + "/sparql")
    check.setQuery(f'ASK {{ <{EX}w> <{EX}p> "{value}" }}')
    check.setReturnFormat(JSON)
    assert check.query().convert()["boolean"] is True


def test_rdflib_update_store(base: str) -> None:
    store = SPARQLUpdateStore(
        query_endpoint=base + "/sparql", update_endpoint=base + "/sparql", headers=AUTH
    )
    store.add((URIRef(EX + "r"), URIRef(EX + "p"), Literal("rdflib")))
    assert ask(base, f'ASK {{ <{EX}r> <{EX}p> "rdflib" }}')


def test_graph_store_over_http(base: str) -> None:
    where = {"graph": EX + "gsp-http"}
    turtle = {"Content-Type": "text/turtle"}
    body = f'<{EX}s> <{EX}p> "ไทย"@th .\n'.encode()
    assert httpx.put(base + "/store", params=where, content=body, headers=turtle).status_code == 401
    put = httpx.put(base + "/store", params=where, content=body, headers=turtle | AUTH)
    assert put.status_code == 201, put.text
    got = httpx.get(base + "/store", params=where, headers={"Accept": "application/n-triples"})
    assert got.status_code == 200 and got.text == body.decode()
    assert httpx.delete(base + "/store", params=where, headers=AUTH).status_code == 204
    assert httpx.get(base + "/store", params=where).status_code == 404
