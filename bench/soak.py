"""A soak test: mixed traffic for a fixed time against a real uvicorn on 127.0.0.1, memory watched.

    .venv/bin/python -m bench.soak --seconds 180 --connections 8,32 --out bench/SOAK.md
    .venv/bin/python -m bench.soak --seconds 20 --connections 8 --size 10k      # a quick look

bench/synthetic.py writes the graph (N-Quads: a named graph per source), uvicorn serves it from an
on-disk store (as `phakhi serve --store`), then, for each connection count in turn, that many
asyncio + httpx connections send a weighted mix of requests (MIX) for --seconds, and one more
connection sends a query that runs into the time limit every --slow-every seconds. Each answer
is judged by its route's expected statuses: the refusals the mix asks for (400 malformed, 413
over the cap, 404 unknown, 503 query_timeout) are intended; anything else, a transport error
or a timeout is not. The server's resident memory (its own and its query workers') is read from
/proc at the start, every 10 s and at the end; drift is measured from the end of the warm-up.
Exits 1 on any unintended error, on memory growth beyond the bound, or on a leaked worker.
"""

import argparse
import asyncio
import contextlib
import json
import math
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench import loadgen, synthetic
from bench.queries import ID, PREFIXES

ROOT = Path(__file__).resolve().parent.parent
GRAPH = "https://w3id.org/phakhi/graph/"
MIB = 2**20
# after the warm-up, the server (with its workers) may grow this much and no more
GROWTH_RATIO, GROWTH_MIB = 0.20, 50.0
REQUEST_TIMEOUT = 60.0
# every triple against every triple against every triple: past any time limit on any graph
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
INTENDED_503 = frozenset({"query_timeout", "busy"})
OK = frozenset({200})
HEALTH_PATHS = ("/health", "/healthz")
SERVICE_DESCRIPTION = "/sparql"  # the cheapest page when the app has no health route
MALFORMED = (
    "SELECT WHERE {",
    "SELEC * WHERE { ?s ?p ?o }",
    "SELECT * WHERE { ?s nope:p ?o }",
    "SELECT * WHERE " + "{" * 80 + "?s ?p ?o" + "}" * 80,  # refused before parsing: too deep
)
SEARCH_WORDS = ("Nakhon", "Chiang", "พอช.", "สภาองค์กรชุมชน", "council", "ตำบล", "Mr", "นาย")


@dataclass(frozen=True)
class Call:
    route: str
    path: str
    params: dict[str, str] = field(default_factory=dict)
    accept: str = "*/*"
    expect: frozenset[int] = OK


@dataclass(frozen=True)
class Targets:
    """What the mix asks about, read from the served graph."""

    health: str
    persons: list[str]
    agencies: list[str]
    provinces: list[str]
    sources: list[str]
    max_results: int


@dataclass(frozen=True)
class Knobs:
    # 2 s, not the served 10 s: the slow lane gets a worker killed and replaced every few seconds
    query_timeout: float = 2.0
    workers: int = 2
    max_results: int = 1000
    slow_every: float = 5.0
    warm_up: float = 30.0
    sample_every: float = 10.0
    seed: int = 1
    skip: tuple[str, ...] = ()  # names of MIX's makers left out

    def mix(self) -> dict["Maker", int]:
        return {maker: weight for maker, weight in MIX.items() if maker.__name__ not in self.skip}

    def env(self, file: Path, store: Path) -> dict[str, str]:
        return {
            "PHAKHI_DATA_FILES": json.dumps([str(file)]),
            "PHAKHI_STORE": str(store),
            "PHAKHI_QUERY_TIMEOUT": str(self.query_timeout),
            "PHAKHI_QUERY_WORKERS": str(self.workers),
            "PHAKHI_MAX_RESULTS": str(self.max_results),
            "PYTHONPATH": str(ROOT),
        }


# -- the mix ------------------------------------------------------------------------------------

Maker = Callable[[Targets, random.Random], Call]


def _fresh(query: str, rng: random.Random, share: float) -> str:
    # a SPARQL comment: a new cache key, the same evaluation
    return query + f"\n# {rng.getrandbits(48)}" if rng.random() < share else query


def _sparql(route: str, query: str, expect: frozenset[int] = OK) -> Call:
    graph = query.lstrip().startswith("CONSTRUCT")
    accept = "text/turtle" if graph else "application/sparql-results+json"
    return Call(route, "/sparql", {"query": query}, accept, expect)


def small_select(t: Targets, rng: random.Random) -> Call:
    person, province = f"<{ID}person/{rng.choice(t.persons)}>", rng.choice(t.provinces)
    forms = (
        f"SELECT ?l WHERE {{ {person} rdfs:label ?l }}",
        f"SELECT ?p ?o WHERE {{ {person} ?p ?o }} LIMIT 20",
        f"ASK {{ <{ID}province/{province}> ?p ?o }}",
        f"SELECT ?m ?l WHERE {{ ?m phk:inProvince <{ID}province/{province}> ; rdfs:label ?l }} "
        "LIMIT 10",
    )
    return _sparql("sparql small SELECT", _fresh(PREFIXES + rng.choice(forms), rng, 0.5))


def aggregate(t: Targets, rng: random.Random) -> Call:
    forms = (
        "SELECT ?p (COUNT(?m) AS ?n) WHERE { ?m phk:inProvince ?p } GROUP BY ?p ORDER BY DESC(?n)",
        "SELECT ?t (COUNT(*) AS ?n) WHERE { ?s a ?t } GROUP BY ?t ORDER BY DESC(?n) LIMIT 100",
        "SELECT ?o (COUNT(?m) AS ?n) WHERE { ?m org:organization ?o } GROUP BY ?o "
        "ORDER BY DESC(?n) LIMIT 100",
    )
    return _sparql("sparql aggregate", _fresh(PREFIXES + rng.choice(forms), rng, 0.3))


def over_cap(t: Targets, rng: random.Random) -> Call:
    limit = t.max_results + 1
    forms = (
        f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {limit}",
        f"CONSTRUCT WHERE {{ ?s ?p ?o }} LIMIT {limit}",
    )
    return _sparql("sparql over the cap (413)", rng.choice(forms), frozenset({413}))


def malformed(t: Targets, rng: random.Random) -> Call:
    return _sparql("sparql malformed (400)", rng.choice(MALFORMED), frozenset({400}))


def health(t: Targets, rng: random.Random) -> Call:
    return Call("health", t.health)


def search(t: Targets, rng: random.Random) -> Call:
    thai, roman = zip(*rng.sample(synthetic.SYLLABLES, 2), strict=True)
    word = rng.choice(("".join(thai), "".join(roman).capitalize(), rng.choice(SEARCH_WORDS)))
    return Call("api search", "/api/search", {"q": word, "lang": rng.choice(("th", "en"))})


def _entity(t: Targets, rng: random.Random) -> str:
    kind = rng.choice(("person", "person", "agency", "province"))
    found = {"person": t.persons, "agency": t.agencies, "province": t.provinces}[kind]
    return f"{kind}/{rng.choice(found)}"


def entity(t: Targets, rng: random.Random) -> Call:
    lang = rng.choice(("th", "en"))
    return Call("api entity", f"/api/entities/{_entity(t, rng)}", {"lang": lang})


def unknown(t: Targets, rng: random.Random) -> Call:
    path = f"/api/entities/person/nobody-{rng.randrange(10**6)}"
    return Call("api entity unknown (404)", path, expect=frozenset({404}))


def neighbours(t: Targets, rng: random.Random) -> Call:
    path = f"/api/entities/person/{rng.choice(t.persons)}/neighbours"
    return Call("api neighbours", path, {"depth": rng.choice(("1", "2"))})


def paths(t: Targets, rng: random.Random) -> Call:
    ends = {"from": f"person/{rng.choice(t.persons)}", "to": _entity(t, rng)}
    # 404 no_path is an answer: not every two actors are linked
    return Call("api paths", "/api/paths", ends, expect=frozenset({200, 404}))


def page(t: Targets, rng: random.Random) -> Call:
    return Call("entity page /id/…", f"/id/{_entity(t, rng)}", accept="text/html")


def viz(t: Targets, rng: random.Random) -> Call:
    path = rng.choice(("/viz", f"/viz/ego/person/{rng.choice(t.persons)}"))
    return Call("viz", path, {"lang": rng.choice(("th", "en"))}, "text/html")


def map_page(t: Targets, rng: random.Random) -> Call:
    return Call("map", "/map", {"lang": rng.choice(("th", "en"))}, "text/html")


def export(t: Targets, rng: random.Random) -> Call:
    path = f"/export/sources/{rng.choice(t.sources)}.{rng.choice(('ttl', 'nt', 'jsonld'))}"
    return Call("export of one source", path)


def entity_export(t: Targets, rng: random.Random) -> Call:
    path = f"/export/entities/{_entity(t, rng)}.{rng.choice(('ttl', 'nt', 'jsonld'))}"
    return Call("export of one entity", path)


def slow(t: Targets, rng: random.Random) -> Call:
    return _sparql("sparql past the time limit (503)", _fresh(SLOW, rng, 1), frozenset({503}))


MIX: dict[Maker, int] = {
    health: 10,
    small_select: 22,
    aggregate: 4,
    over_cap: 2,
    malformed: 2,
    search: 12,
    entity: 12,
    unknown: 2,
    neighbours: 7,
    paths: 6,
    page: 8,
    viz: 3,
    map_page: 3,
    export: 5,
    entity_export: 3,
}


# -- finding what to ask ------------------------------------------------------------------------


def _select(base: str, query: str) -> list[str]:
    response = httpx.get(base + "/sparql", params={"query": PREFIXES + query}, timeout=120)
    response.raise_for_status()
    rows = response.json()["results"]["bindings"]
    return [row["x"]["value"] for row in rows]


def _ids(base: str, kind: str, limit: int = 300) -> list[str]:
    prefix = f"{ID}{kind}/"
    query = f'SELECT DISTINCT ?x WHERE {{ ?x a ?t FILTER(STRSTARTS(STR(?x), "{prefix}")) }}'
    return [iri.removeprefix(prefix) for iri in _select(base, query + f" LIMIT {limit}")]


def health_path(base: str) -> str:
    """The app's health route, or the service description where it has none."""
    for path in HEALTH_PATHS:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(base + path, timeout=30).status_code == 200:
                return path
    return SERVICE_DESCRIPTION


def discover(base: str, max_results: int) -> Targets:
    small = f"""SELECT ?x WHERE {{ {{ SELECT ?x (COUNT(*) AS ?n) WHERE {{ GRAPH ?x {{ ?s ?p ?o }}
        FILTER(STRSTARTS(STR(?x), "{GRAPH}") && !CONTAINS(STR(?x), "ontology")) }}
        GROUP BY ?x }} FILTER(?n < 1000) }} LIMIT 200"""  # small graphs: exports stay cheap
    sources = [iri.removeprefix(GRAPH) for iri in _select(base, small)]
    targets = Targets(health_path(base), _ids(base, "person"), _ids(base, "agency"),
                      _ids(base, "province"), sources, max_results)  # fmt: skip
    if not (targets.persons and targets.agencies and targets.provinces and targets.sources):
        raise RuntimeError(
            f"the served graph lacks persons, agencies, provinces or sources: {base}"
        )
    return targets


# -- the server's memory, from /proc ------------------------------------------------------------


def _stat(pid: int) -> tuple[str, int]:
    """(state, parent pid) of a process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return fields[0], int(fields[1])


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                state, parent = _stat(int(entry.name))
                if parent == pid and state != "Z":
                    found.append(int(entry.name))
    return found


def rss_mib(pid: int) -> float:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024 / MIB
    return 0.0  # gone meanwhile (a worker killed at the time limit)


def server_pid(port: str) -> int:
    """Our child serving on port (loadgen.server starts it; its pid is not handed out)."""
    for pid in children(os.getpid()):
        with contextlib.suppress(OSError):
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            if port.encode() in command:
                return pid
    raise RuntimeError(f"no child process serving port {port}")


@dataclass(frozen=True)
class Sample:
    at: float  # seconds since the phase started
    server: float  # MiB
    workers: float  # MiB, all query workers together
    worker_count: int

    @property
    def total(self) -> float:
        return self.server + self.workers


def sample(pid: int, at: float) -> Sample:
    workers = children(pid)
    return Sample(at, rss_mib(pid), sum(rss_mib(w) for w in workers), len(workers))


# -- driving the load ---------------------------------------------------------------------------


@dataclass
class Route:
    expect: frozenset[int]
    latencies: list[float] = field(default_factory=list)  # ms
    statuses: Counter[str] = field(default_factory=Counter)
    intended: int = 0  # refusals the mix asked for (4xx, 503)
    unintended: int = 0


@dataclass
class Tally:
    routes: dict[str, Route] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)  # the first unintended answers

    def record(self, call: Call, label: str, ms: float, wanted: bool) -> None:
        route = self.routes.setdefault(call.route, Route(call.expect))
        route.latencies.append(ms)
        route.statuses[label] += 1
        if not wanted:
            route.unintended += 1
            if len(self.examples) < 10:
                self.examples.append(f"{call.route}: {label} ({call.path} {call.params})")
        elif not label.startswith("2"):
            route.intended += 1


def judge(call: Call, response: httpx.Response) -> tuple[str, bool]:
    """A label for the answer (status, and error code for errors), and whether it was expected."""
    status = response.status_code
    if status < 400:
        return str(status), status in call.expect
    try:
        code = str(response.json()["error"]["code"])
    except (ValueError, KeyError, TypeError):
        code = "?"
    wanted = status in call.expect and (status != 503 or code in INTENDED_503)
    return f"{status} {code}", wanted


async def ask(client: httpx.AsyncClient, call: Call, tally: Tally) -> None:
    started = time.perf_counter()
    try:
        headers = {"Accept": call.accept}
        response = await client.get(call.path, params=call.params, headers=headers)
        label, wanted = judge(call, response)
    except httpx.HTTPError as error:
        label, wanted = f"error {type(error).__name__}", False
    tally.record(call, label, (time.perf_counter() - started) * 1000, wanted)


async def mixed(client: httpx.AsyncClient, targets: Targets, until: float, tally: Tally,
                rng: random.Random, mix: dict[Maker, int]) -> None:  # fmt: skip
    makers, weights = list(mix), list(mix.values())
    while time.monotonic() < until:
        maker = rng.choices(makers, weights)[0]
        await ask(client, maker(targets, rng), tally)


async def slow_lane(client: httpx.AsyncClient, targets: Targets, until: float, tally: Tally,
                    rng: random.Random, every: float) -> None:  # fmt: skip
    # one at a time, so the pool keeps a worker for the mix: the flood is tests/test_flood.py
    while time.monotonic() + every < until:
        started = time.monotonic()
        await ask(client, slow(targets, rng), tally)
        await asyncio.sleep(max(0.0, started + every - time.monotonic()))


async def watch(pid: int, start: float, until: float, samples: list[Sample], every: float) -> None:
    while time.monotonic() < until:
        await asyncio.sleep(min(every, max(0.0, until - time.monotonic())))
        samples.append(sample(pid, time.monotonic() - start))


@dataclass
class Phase:
    connections: int
    seconds: float
    warm_up: float
    tally: Tally
    samples: list[Sample]  # the first before any load, the last after the last answer
    load_average: tuple[float, float]
    workers: int  # configured

    def all_latencies(self) -> list[float]:
        return [ms for route in self.tally.routes.values() for ms in route.latencies]

    @property
    def requests(self) -> int:
        return len(self.all_latencies())

    @property
    def intended(self) -> int:
        return sum(route.intended for route in self.tally.routes.values())

    @property
    def unintended(self) -> int:
        return sum(route.unintended for route in self.tally.routes.values())

    @property
    def warm(self) -> Sample:
        """The first sample after the warm-up: where drift is measured from."""
        return next((s for s in self.samples if s.at >= self.warm_up), self.samples[-1])

    @property
    def drift(self) -> float:
        return self.samples[-1].total - self.warm.total

    @property
    def bound(self) -> float:
        return self.warm.total * GROWTH_RATIO + GROWTH_MIB

    @property
    def leaked_workers(self) -> bool:
        return self.samples[-1].worker_count != self.workers

    @property
    def ok(self) -> bool:
        return self.unintended == 0 and self.drift <= self.bound and not self.leaked_workers


async def run_phase(base: str, pid: int, targets: Targets, knobs: Knobs, connections: int,
                    seconds: float) -> Phase:  # fmt: skip
    tally, rng = Tally(), random.Random(knobs.seed + connections)
    start = time.monotonic()
    samples, load_start = [sample(pid, 0.0)], os.getloadavg()[0]
    until = start + seconds
    limits = httpx.Limits(
        max_connections=connections + 1, max_keepalive_connections=connections + 1
    )
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=REQUEST_TIMEOUT) as client:
        lanes = [mixed(client, targets, until, tally, random.Random(rng.random()), knobs.mix())
                 for _ in range(connections)]  # fmt: skip
        lanes.append(slow_lane(client, targets, until, tally, rng, knobs.slow_every))
        await asyncio.gather(*lanes, watch(pid, start, until, samples, knobs.sample_every))
    samples.append(sample(pid, time.monotonic() - start))
    warm_up = min(knobs.warm_up, seconds / 4)
    load = (load_start, os.getloadavg()[0])
    return Phase(connections, seconds, warm_up, tally, samples, load, knobs.workers)


# -- serving ------------------------------------------------------------------------------------


@contextlib.contextmanager
def serving(file: Path, store: Path, knobs: Knobs) -> Iterator[tuple[str, int]]:
    """uvicorn serving file from an on-disk store (filled at start-up); yields (base URL, pid)."""
    shutil.rmtree(store, ignore_errors=True)
    command = [sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", "{port}",
               "--no-access-log", "--log-level", "warning", "--factory",
               "phakhi.api.app:create_app"]  # fmt: skip
    with loadgen.server(command, "/sparql?query=ASK%7B%7D", env=knobs.env(file, store)) as base:
        yield base, server_pid(base.rpartition(":")[2])


@dataclass(frozen=True)
class Soak:
    targets: Targets
    knobs: Knobs
    phases: list[Phase]

    @property
    def ok(self) -> bool:
        return all(phase.ok for phase in self.phases)


def soak(file: Path, work: Path, connections: list[int], seconds: float,
         knobs: Knobs = Knobs()) -> Soak:  # fmt: skip
    """Serve file, then run one phase per connection count, one after the other."""
    with serving(file, work / "store", knobs) as (base, pid):
        targets = discover(base, knobs.max_results)
        phases = [
            asyncio.run(run_phase(base, pid, targets, knobs, n, seconds)) for n in connections
        ]
    return Soak(targets, knobs, phases)


# -- the report ---------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """Nearest rank; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _ms(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def _memory(s: Sample) -> str:
    return f"{s.total:,.0f} ({s.server:,.0f} + {s.workers:,.0f})"


def summary_table(phases: list[Phase]) -> list[str]:
    rows = [
        "| connections | requests | req/s | intended refusals | unintended errors | p50 ms "
        "| p99 ms | memory MiB at start | after warm-up | at end | drift | bound | workers at end "
        "| load avg start → end | met |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|:-:|",
    ]
    for p in phases:
        latencies = p.all_latencies()
        rows.append(
            f"| {p.connections} | {p.requests:,} | {p.requests / p.seconds:,.0f} | {p.intended:,} "
            f"| {p.unintended} | {_ms(percentile(latencies, 0.5))} "
            f"| {_ms(percentile(latencies, 0.99))} | {_memory(p.samples[0])} | {_memory(p.warm)} "
            f"| {_memory(p.samples[-1])} | {p.drift:+,.1f} | {p.bound:,.0f} "
            f"| {p.samples[-1].worker_count}/{p.workers} "
            f"| {p.load_average[0]:.2f} → {p.load_average[1]:.2f} | {'yes' if p.ok else 'no'} |"
        )
    return rows


def route_table(phase: Phase) -> list[str]:
    rows = [
        f"{phase.connections} connections, per route:",
        "",
        "| route | expected | requests | answers | p50 ms | p99 ms | unintended |",
        "|---|---|---:|---|---:|---:|---:|",
    ]
    for name, route in sorted(phase.tally.routes.items()):
        expected = ", ".join(str(s) for s in sorted(route.expect))
        answers = ", ".join(f"{label} × {n:,}" for label, n in route.statuses.most_common())
        rows.append(
            f"| {name} | {expected} | {len(route.latencies):,} | {answers} "
            f"| {_ms(percentile(route.latencies, 0.5))} | {_ms(percentile(route.latencies, 0.99))} "
            f"| {route.unintended} |"
        )
    if phase.tally.examples:
        rows += ["", "Unintended answers (first ones):", ""]
        rows += [f"- {example}" for example in phase.tally.examples]
    return rows


def report(done: Soak, label: str, triples: int) -> str:
    phases, knobs = done.phases, done.knobs
    seconds = phases[0].seconds if phases else 0
    lines = [
        f"## Soak: {label} ({triples:,} triples), {seconds:g} s at "
        f"{', '.join(str(p.connections) for p in phases)} connections",
        "",
        f"`python -m bench.soak`, {time.strftime('%Y-%m-%d %H:%M')}, {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}. One uvicorn process "
        f"(no access log) on 127.0.0.1 serving an on-disk store, {knobs.workers} query workers, "
        f"query time limit {knobs.query_timeout:g} s, max_results {knobs.max_results}; the "
        "client (asyncio + httpx, same machine) sends the weighted mix "
        f"({', '.join(f'{m.__name__} {w}' for m, w in knobs.mix().items())}) on N connections "
        "and a "
        f"query past the time limit every {knobs.slow_every:g} s on one more. Health: "
        f"`{done.targets.health}`. Latencies are the client's, queueing in the client included.",
        "",
        f"Memory: resident MiB of the server + its query workers, sampled every "
        f"{knobs.sample_every:g} s; drift = end − after the warm-up (the first sample after "
        f"{min(knobs.warm_up, seconds / 4):g} s); bound: at most {GROWTH_RATIO:.0%} of the "
        f"warm figure + {GROWTH_MIB:g} MiB. Met: no unintended error, drift within the bound, "
        "and as many workers alive at the end as configured.",
        "",
        *summary_table(phases),
    ]
    for phase in phases:
        lines += ["", *route_table(phase)]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=300, help="per connection count")
    parser.add_argument("--connections", default="8,32", help="comma-separated, e.g. 8,32")
    parser.add_argument("--size", default="100k", help="synthetic graph size (default 100k)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--query-timeout", type=float, default=2.0, help="PHAKHI_QUERY_TIMEOUT")
    parser.add_argument("--slow-every", type=float, default=5.0, help="seconds between slow ones")
    parser.add_argument("--warm-up", type=float, default=30.0, help="seconds before drift counts")
    parser.add_argument("--skip", default="", help="leave out these parts of the mix: export,viz")
    parser.add_argument("--work", type=Path, help="folder for the graph and store (default: temp)")
    parser.add_argument("--out", type=Path, help="append the report to this Markdown file")
    args = parser.parse_args(argv)
    knobs = Knobs(query_timeout=args.query_timeout, slow_every=args.slow_every,
                  warm_up=args.warm_up, seed=args.seed,
                  skip=tuple(name for name in args.skip.split(",") if name))  # fmt: skip
    connections = [int(n) for n in args.connections.split(",")]
    with tempfile.TemporaryDirectory(prefix="phakhi-soak-") as temporary:
        work = args.work or Path(temporary)
        work.mkdir(parents=True, exist_ok=True)
        file = work / f"national-{args.size}.nq"
        triples = synthetic.generate(synthetic.size(args.size), args.seed, file)
        print(f"soak: {triples:,} triples; {args.seconds:g} s at {connections}…", file=sys.stderr)
        done = soak(file, work, connections, args.seconds, knobs)
    text = report(done, args.size, triples)
    print(text)
    if args.out:
        with args.out.open("a", encoding="utf-8") as out:
            out.write("\n" + text)
    return 0 if done.ok else 1


if __name__ == "__main__":
    sys.exit(main())
