"""The limits of /sparql: time (the worker is killed), busy workers, result size; worker life.

Against a real uvicorn on 127.0.0.1 with a 1 s query_timeout, two workers and no result cache.
Timing checks are orderings, with generous bounds: speed belongs to benchmarks.
"""

import asyncio
import os
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from server import reference_settings, serve

from phakhi.api.app import create_app
from phakhi.api.results import Answer, QueryJob, Refusal, execute
from phakhi.graph.loader import open_seed
from phakhi.graph.runner import QueryRunner
from phakhi.graph.store import OxigraphStore

# every triple against every triple against every triple: (~1,300)^3 rows to count
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
CHEAP = "ASK { ?s ?p ?o }"
TIMEOUT = 1.0
MAX_RESULTS = 100
MAX_BYTES = 10_000
TINY_ROWS = 'SELECT ?x WHERE {{ ?s ?p ?o BIND("x" AS ?x) }} LIMIT {limit}'


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    settings = reference_settings(
        tmp_path_factory.mktemp("data"),
        query_timeout=TIMEOUT,
        query_workers=2,
        query_queue_wait=0.3,
        max_results=MAX_RESULTS,
        max_response_bytes=MAX_BYTES,
        cache_entries=0,  # these tests are about the workers: every query must reach one
    )
    return create_app(settings)


@pytest.fixture(scope="module")
def url(app: FastAPI) -> Iterator[str]:
    with serve(app) as base:
        yield base + "/sparql"


def get(url: str, query: str, **params: str) -> httpx.Response:
    return httpx.get(url, params={"query": query, **params}, timeout=60)


def error_of(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["status"] == status and error["code"] == code
    return error


class Timed(threading.Thread):
    """A request in the background, remembering its response and when it came."""

    def __init__(self, url: str, query: str) -> None:
        super().__init__(daemon=True)
        self.url, self.query = url, query
        self.response: httpx.Response | None = None
        self.started_at = self.done_at = 0.0

    def run(self) -> None:
        self.started_at = time.monotonic()
        self.response = get(self.url, self.query)
        self.done_at = time.monotonic()

    def result(self) -> httpx.Response:
        self.join(timeout=60)
        assert self.response is not None, "the request did not finish"
        return self.response


def gone(pid: int) -> bool:
    """No such process, or only a zombie (an orphan waiting for init to reap it)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rpartition(")")[2].split()[0] == "Z"


def wait_gone(pids: list[int], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not all(gone(pid) for pid in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


# -- time ---------------------------------------------------------------------------------------


def test_slow_query_is_stopped_while_others_are_answered(url: str, app: FastAPI) -> None:
    runner = app.state.query_runner
    before = runner.pids()
    slow = Timed(url, SLOW)
    slow.start()
    time.sleep(0.2)  # let it reach a worker
    cheap = get(url, CHEAP)
    cheap_at = time.monotonic()
    description = httpx.get(url, timeout=60)
    response = slow.result()

    assert cheap.status_code == 200 and cheap.json()["boolean"] is True
    assert description.status_code == 200
    assert cheap_at < slow.done_at  # answered while the slow one was still running
    error = error_of(response, 503, "query_timeout")
    assert "1 s limit" in error["message"]
    assert TIMEOUT * 0.9 <= slow.done_at - slow.started_at < TIMEOUT + 10

    after = runner.pids()
    killed = set(before) - set(after)
    assert len(after) == 2 and len(killed) == 1  # one worker killed, and replaced
    assert all(gone(pid) for pid in killed)
    assert get(url, CHEAP).json()["boolean"] is True  # the next query works


def test_busy_workers(url: str) -> None:
    slow = [Timed(url, SLOW) for _ in range(2)]
    for request in slow:
        request.start()
    time.sleep(0.3)
    busy = get(url, CHEAP)
    error = error_of(busy, 503, "busy")
    assert busy.headers["retry-after"] == "1"
    assert error["detail"]["retry_after"] == 1
    for request in slow:
        error_of(request.result(), 503, "query_timeout")
    assert get(url, CHEAP).status_code == 200


def test_idle_worker_killed_from_outside_is_replaced(url: str, app: FastAPI) -> None:
    victim = app.state.query_runner.pids()[0]
    os.kill(victim, 9)
    assert wait_gone([victim])
    for _ in range(3):  # whichever worker each query gets
        assert get(url, CHEAP).status_code == 200
    assert victim not in app.state.query_runner.pids()


# -- size ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_rows_up_to_the_cap(url: str, fmt: str) -> None:
    response = get(url, TINY_ROWS.format(limit=MAX_RESULTS), format=fmt)
    assert response.status_code == 200, response.text
    if fmt == "json":
        assert len(response.json()["results"]["bindings"]) == MAX_RESULTS
    if fmt in ("csv", "tsv"):
        assert len(response.text.splitlines()) == MAX_RESULTS + 1


@pytest.mark.parametrize(
    "query", [TINY_ROWS.format(limit=MAX_RESULTS + 1), "SELECT ?s WHERE { ?s ?p ?o }"]
)
def test_rows_over_the_cap(url: str, query: str) -> None:
    error = error_of(get(url, query), 413, "too_large")
    assert error["message"] == (
        f"the result has more than {MAX_RESULTS} rows; add LIMIT/OFFSET to page through it"
    )
    assert error["detail"] == {"max_results": MAX_RESULTS}


def test_triples_over_the_cap(url: str) -> None:
    error = error_of(get(url, "CONSTRUCT WHERE { ?s ?p ?o }"), 413, "too_large")
    assert f"more than {MAX_RESULTS} triples" in error["message"]
    assert get(url, "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 10").status_code == 200


def test_bytes_over_the_cap(url: str) -> None:
    error = error_of(get(url, "SELECT * WHERE { ?s ?p ?o } LIMIT 90"), 413, "too_large")
    assert f"larger than {MAX_BYTES} bytes" in error["message"]
    assert error["detail"] == {"max_response_bytes": MAX_BYTES}


# -- the worker's writing, in process ---------------------------------------------------------


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> OxigraphStore:
    settings = reference_settings(tmp_path_factory.mktemp("engine"))
    return open_seed(settings.data_dir, settings.ontology)


def job(query: str, media_type: str, max_results: int = 100_000) -> QueryJob:
    return QueryJob(query, None, None, media_type, "text/turtle", max_results, 10**9)


@pytest.mark.parametrize(
    "fmt", [ox.QueryResultsFormat.JSON, ox.QueryResultsFormat.XML, ox.QueryResultsFormat.CSV]
)
def test_capped_writing_equals_native_writing(
    engine: OxigraphStore, fmt: ox.QueryResultsFormat
) -> None:
    """The TSV round trip used to count rows loses nothing: same bytes as writing directly."""
    query = "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"
    outcome = execute(engine, job(query, fmt.media_type.split(";")[0]))
    assert isinstance(outcome, Answer)
    assert outcome.body == engine.store.query(query).serialize(format=fmt)


def test_cap_boundary_in_the_worker(engine: OxigraphStore) -> None:
    query = "SELECT ?p WHERE { ?p a <https://w3id.org/phakhi/ontology#Province> }"
    assert isinstance(execute(engine, job(query, "text/csv", max_results=77)), Answer)
    refused = execute(engine, job(query, "text/csv", max_results=76))
    assert isinstance(refused, Refusal) and refused.code == "too_large"


# -- worker life ------------------------------------------------------------------------------


def test_workers_stop_with_the_app(tmp_path: Path) -> None:
    app = create_app(reference_settings(tmp_path, query_workers=2))
    with TestClient(app) as client:
        pids = app.state.query_runner.pids()
        assert len(pids) == 2
        assert client.get("/sparql", params={"query": CHEAP}).status_code == 200
    assert wait_gone(pids, timeout=5)


def test_workers_die_with_a_crashed_server(tmp_path: Path) -> None:
    """No clean shutdown at all (os._exit): the workers notice their parent is gone."""
    dataset = tmp_path / "tiny.nq"
    dataset.write_text("<http://a/s> <http://a/p> <http://a/o> <http://a/g> .\n")
    # no `if __name__ == "__main__":` either: workers do not re-import the server's script
    script = textwrap.dedent(
        f"""
        import os
        from pathlib import Path
        from phakhi.api.results import execute
        from phakhi.graph.runner import QueryRunner

        runner = QueryRunner(Path({str(dataset)!r}), execute, workers=2)
        runner.start()
        print(*runner.pids(), flush=True)
        os._exit(0)
        """
    )
    (tmp_path / "crash.py").write_text(script)
    done = subprocess.run(
        [sys.executable, str(tmp_path / "crash.py")], capture_output=True, text=True, timeout=60
    )
    pids = [int(pid) for pid in done.stdout.split()]
    assert len(pids) == 2, done.stderr
    assert wait_gone(pids, timeout=10)


def test_runner_directly(tmp_path: Path) -> None:
    dataset = tmp_path / "tiny.nq"
    dataset.write_text("<http://a/s> <http://a/p> <http://a/o> <http://a/g> .\n")
    with QueryRunner(dataset, execute, workers=1, timeout=5) as runner:
        answer = asyncio.run(runner.run(job(CHEAP, "application/sparql-results+json")))
        pids = runner.pids()
    assert answer == Answer("application/sparql-results+json", b'{"head":{},"boolean":true}')
    assert wait_gone(pids, timeout=5)
