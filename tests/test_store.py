"""The on-disk store, the dataset version and what hangs on it: derived indexes, the workers'
read-only view, the /sparql result cache; gzip and streamed answers.

Orderings and counts only: speed belongs to bench/.
"""

import asyncio
import gzip
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from server import reference_settings

from phakhi.api.app import create_app
from phakhi.api.cache import CachedAnswer, CacheKey, ResultCache
from phakhi.api.results import Answer, QueryJob, Refusal, execute
from phakhi.graph import loader
from phakhi.graph.loader import cached_index, open_engine
from phakhi.graph.paths import ONTOLOGY_FILE
from phakhi.graph.runner import QueryRunner
from phakhi.graph.search import SearchIndex
from phakhi.graph.store import META_FILE, OxigraphStore

JSON = "application/sparql-results+json"
PROVINCES = "SELECT ?p WHERE { ?p a <https://w3id.org/phakhi/ontology#Province> }"


def job(query: str, max_results: int = 100_000, version: str = "") -> QueryJob:
    return QueryJob(
        query, None, None, JSON, "text/turtle", max_results, 10**9, dataset_version=version
    )


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder: Path = reference_settings(tmp_path_factory.mktemp("data")).data_dir
    return folder


def test_an_empty_store_is_filled_then_reopened_as_it_is(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "store"
    filled = open_engine(data_dir, ONTOLOGY_FILE, [], path)
    assert not filled.is_empty() and len(filled.version) == 16
    assert (path / META_FILE).is_file()
    count = len(filled)
    del filled  # closes RocksDB

    def no_parse(*args: object) -> None:
        raise AssertionError("a store with data must not be loaded again")

    monkeypatch.setattr(loader, "load_seed", no_parse)
    monkeypatch.setattr(loader, "load_files", no_parse)
    reopened = open_engine(data_dir, ONTOLOGY_FILE, [], path)
    assert len(reopened) == count
    assert reopened.version == OxigraphStore.open(path, read_only=True).version


def test_the_version_follows_the_content(data_dir: Path, tmp_path: Path) -> None:
    file = tmp_path / "one.nt"
    file.write_text("<http://a/s> <http://a/p> <http://a/o> .\n")
    one = open_engine(data_dir, ONTOLOGY_FILE, [file])
    assert open_engine(data_dir, ONTOLOGY_FILE, [file]).version == one.version  # same file
    file.write_text("<http://a/s> <http://a/p> <http://a/other> .\n")
    assert open_engine(data_dir, ONTOLOGY_FILE, [file]).version != one.version
    before = one.version
    assert one.bump_version() != before  # a write makes a new version


def test_derived_indexes_are_kept_per_version(data_dir: Path, tmp_path: Path) -> None:
    store = open_engine(data_dir, ONTOLOGY_FILE, [], tmp_path / "store")
    built: list[int] = []

    def build(engine: OxigraphStore) -> SearchIndex:
        built.append(1)
        return SearchIndex.build(engine)

    first = cached_index(store, "search", build)
    again = cached_index(store, "search", build)
    assert len(built) == 1  # the second came from the file
    assert again.search("Bangkok")[0].iri == first.search("Bangkok")[0].iri
    store.bump_version()
    cached_index(store, "search", build)
    assert len(built) == 2  # a new version builds again …
    assert len(list((tmp_path / "store").glob("phakhi-search-*.pickle"))) == 1  # … and replaces


def test_workers_open_the_store_read_only_and_see_new_versions(
    data_dir: Path, tmp_path: Path
) -> None:
    store = open_engine(data_dir, ONTOLOGY_FILE, [], tmp_path / "store")
    assert store.path is not None
    ask = "ASK { <http://a/s> <http://a/p> <http://a/o> }"
    with QueryRunner(store.path, execute, workers=1, timeout=30) as runner:
        answer = asyncio.run(runner.run(job(PROVINCES, version=store.version)))
        assert isinstance(answer, Answer) and answer.body.count(b'"uri"') == 77
        s, p, o, g = (ox.NamedNode(f"http://a/{name}") for name in "spog")
        store.store.add(ox.Quad(s, p, o, g))
        version = store.bump_version()
        fresh = asyncio.run(runner.run(job(ask, version=version)))
    assert fresh == Answer(JSON, b'{"head":{},"boolean":true}')


def test_json_rows_are_counted_exactly(data_dir: Path) -> None:
    engine = open_engine(data_dir, ONTOLOGY_FILE, [])
    assert isinstance(execute(engine, job(PROVINCES, max_results=77)), Answer)
    refused = execute(engine, job(PROVINCES, max_results=76))
    assert isinstance(refused, Refusal) and refused.code == "too_large"
    # rows without any binding are written {}: counted again as TSV, still exact
    empty = "SELECT ?x WHERE { ?p a <https://w3id.org/phakhi/ontology#Province> }"
    answer = execute(engine, job(empty, max_results=77))
    assert isinstance(answer, Answer) and answer.body.count(b"{}") == 77
    refused = execute(engine, job(empty, max_results=76))
    assert isinstance(refused, Refusal) and refused.code == "too_large"
    # "{}" and ",{" inside literals are not rows
    tricky = 'SELECT ?x WHERE { VALUES ?x { "a,{}" "[{}]" ",{\\"x\\":1}" } }'
    answer = execute(engine, job(tricky, max_results=3))
    assert isinstance(answer, Answer)
    assert answer.body == engine.store.query(tricky).serialize(format=ox.QueryResultsFormat.JSON)


def test_result_cache_is_a_bounded_lru() -> None:
    cache = ResultCache(entries=2, max_bytes=10)
    keys = [CacheKey(f"q{n}", (), (), (), "", "v1") for n in range(3)]
    for key in keys:
        cache.put(key, CachedAnswer(JSON, b"{}"))
    assert cache.get(keys[0]) is None and cache.get(keys[2]) is not None
    cache.put(CacheKey("big", (), (), (), "", "v1"), CachedAnswer(JSON, b"x" * 11))
    assert len(cache) == 2  # too large to keep
    assert ResultCache(entries=0).get(keys[0]) is None


@pytest.fixture(scope="module")
def client(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    store = tmp_path_factory.mktemp("served") / "store"
    settings = reference_settings(
        data_dir, store=store, query_workers=1, stream_min_bytes=20_000, gzip_min_bytes=1000
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_sparql_answers_are_cached_until_the_version_changes(client: TestClient) -> None:
    app = client.app
    cache, engine = app.state.result_cache, app.state.engine  # type: ignore[attr-defined]
    first = client.get("/sparql", params={"query": PROVINCES})
    hits = cache.hits
    second = client.get("/sparql", params={"query": PROVINCES})
    assert first.status_code == second.status_code == 200
    assert second.content == first.content and cache.hits == hits + 1
    assert second.headers["content-type"] == first.headers["content-type"]
    assert client.get("/sparql", params={"query": PROVINCES, "format": "csv"}).text.startswith("p")
    assert cache.hits == hits + 1  # another format is another entry
    engine.bump_version()
    client.get("/sparql", params={"query": PROVINCES})
    assert cache.hits == hits + 1  # a write makes older answers unreachable
    refused = client.get("/sparql", params={"query": "SELECT * WHERE { SERVICE <http://x/> {} }"})
    again = client.get("/sparql", params={"query": "SELECT * WHERE { SERVICE <http://x/> {} }"})
    assert refused.status_code == again.status_code == 403  # refusals are never cached


def test_large_answers_are_gzipped_and_streamed(client: TestClient) -> None:
    query = "SELECT * WHERE { ?s ?p ?o } LIMIT 400"
    identity = {"Accept-Encoding": "identity"}
    plain = client.get("/sparql", params={"query": query}, headers=identity)
    assert plain.status_code == 200 and len(plain.content) > 20_000
    assert "content-length" not in plain.headers  # streamed in chunks
    with client.stream(
        "GET", "/sparql", params={"query": query}, headers={"Accept-Encoding": "gzip"}
    ) as zipped:
        raw = b"".join(zipped.iter_raw())
        assert zipped.headers["content-encoding"] == "gzip"
    assert gzip.decompress(raw) == plain.content
    small = client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers  # below gzip_min_bytes
