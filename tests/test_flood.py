"""A flood of slow queries does not slow the cheap requests: health, an entity, a search and an
entity page answer as they did before it, while every slow query gets its 503.

Against a real uvicorn on 127.0.0.1 with two query workers, a 1 s time limit and many more slow
queries in flight than workers. The latency bound is deliberately generous (5x the baseline
median, or 250 ms): speed belongs to benchmarks, and this test runs on loaded 2-core machines.
test_sparql_limits.py covers one slow query at a time, busy workers and worker replacement.
"""

import statistics
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI
from server import reference_settings, serve

from bench.soak import SLOW, health_path
from phakhi.api.app import create_app

TIMEOUT = 1.0
QUEUE_WAIT = 0.5
WORKERS = 2
FLOOD = 16  # slow queries in flight at once, 8 per worker
FLOOD_SECONDS = 4.0
SLOWEST_CHEAP = 5.0  # seconds: no cheap request may take longer, flood or not


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    settings = reference_settings(
        tmp_path_factory.mktemp("data"),
        query_timeout=TIMEOUT,
        query_workers=WORKERS,
        query_queue_wait=QUEUE_WAIT,
        cache_entries=0,  # every slow query must reach a worker
    )
    app: FastAPI = create_app(settings)
    return app


@pytest.fixture(scope="module")
def base(app: FastAPI) -> Iterator[str]:
    with serve(app) as url:
        yield url


def cheap_requests(base: str) -> dict[str, tuple[str, str]]:
    """name: (path, Accept); on the reference data (the ontology and the 77 provinces)."""
    return {
        "health": (health_path(base), "*/*"),
        "entity": ("/api/entities/province/TH-60?lang=en", "application/json"),
        "search": ("/api/search?q=นครสวรรค์", "application/json"),
        "page": ("/id/province/TH-60", "text/html"),
    }


@dataclass
class Timings:
    seconds: dict[str, list[float]]
    failed: list[str]

    def median(self, name: str) -> float:
        return statistics.median(self.seconds[name])


def measure(client: httpx.Client, requests: dict[str, tuple[str, str]], *, rounds: int = 1000,
            until: float = float("inf")) -> Timings:  # fmt: skip
    """Each cheap request in turn, one at a time, for `rounds` rounds or until `until`."""
    timings = Timings({name: [] for name in requests}, [])
    for _ in range(rounds):
        if time.monotonic() >= until:
            break
        for name, (path, accept) in requests.items():
            started = time.perf_counter()
            response = client.get(path, headers={"Accept": accept})
            timings.seconds[name].append(time.perf_counter() - started)
            if response.status_code != 200:
                timings.failed.append(f"{name}: {response.status_code} {response.text[:200]}")
    return timings


@dataclass(frozen=True)
class SlowAnswer:
    status: int
    code: str
    retry_after: str | None
    seconds: float


class Flood:
    """FLOOD threads, each sending slow queries one after another until stopped."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.answers: list[SlowAnswer] = []
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._send, daemon=True) for _ in range(FLOOD)]

    def __enter__(self) -> "Flood":
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def _send(self) -> None:
        with httpx.Client(base_url=self.base, timeout=60) as client:
            serial = 0
            while not self._stop.is_set():
                serial += 1
                query = f"{SLOW}\n# {threading.get_ident()}-{serial}"  # never the same query
                started = time.perf_counter()
                try:
                    response = client.get("/sparql", params={"query": query})
                except httpx.HTTPError as error:
                    self.errors.append(repr(error))
                    continue
                self.answers.append(_answer(response, time.perf_counter() - started))


def _answer(response: httpx.Response, seconds: float) -> SlowAnswer:
    try:
        code = str(response.json()["error"]["code"])
    except (ValueError, KeyError, TypeError):
        code = "?"
    return SlowAnswer(response.status_code, code, response.headers.get("retry-after"), seconds)


def test_cheap_requests_keep_their_latency_under_a_flood_of_slow_queries(
    base: str, app: FastAPI
) -> None:
    requests = cheap_requests(base)
    with httpx.Client(base_url=base, timeout=60) as client:
        measure(client, requests, rounds=3)  # warm-up: first renders, connections
        before = measure(client, requests, rounds=15)
        with Flood(base) as flood:
            time.sleep(TIMEOUT / 2)  # every worker busy, a queue waiting
            during = measure(client, requests, until=time.monotonic() + FLOOD_SECONDS)
        after = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})

    assert not before.failed and not during.failed, before.failed + during.failed
    for name in requests:
        bound = max(5 * before.median(name), 0.25)
        assert during.median(name) <= bound, (name, before.seconds[name], during.seconds[name])
        assert max(during.seconds[name]) < SLOWEST_CHEAP, (name, during.seconds[name])
        assert len(during.seconds[name]) >= 3  # measured throughout the flood

    assert not flood.errors, flood.errors[:5]
    assert len(flood.answers) > FLOOD  # the flood kept coming
    for answer in flood.answers:
        assert answer.status == 503 and answer.code in ("query_timeout", "busy"), answer
        assert answer.code != "busy" or answer.retry_after == "1", answer
        assert answer.seconds < TIMEOUT + QUEUE_WAIT + 10, answer  # refused in time, never hung
    codes = {answer.code for answer in flood.answers}
    assert codes == {"query_timeout", "busy"}  # more queries than workers: both refusals

    assert after.status_code == 200 and after.json()["boolean"] is True
    assert len(app.state.query_runner.pids()) == WORKERS  # every killed worker replaced
