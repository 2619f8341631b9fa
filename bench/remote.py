"""The benchmark's remote-store column: Phakhi served over an Oxigraph server (graph/remote.py).

    .venv/bin/python -m bench.remote --size 100k          # on its own: prints a table

bench/run.py calls `run_remote` for each size with --remote: the same synthetic file is
published into a fresh `oxigraph serve` on 127.0.0.1 (Graph Store Protocol, in chunks, as
`phakhi load --to` does), then `phakhi serve` runs over it and wrk loads the same routes as
for the embedded store.
"""

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench import loadgen, synthetic
from bench.queries import JOIN, LOOKUP, PATH_TO, PERSON, SEARCH
from phakhi.graph.remote import Endpoints, RemoteStore

GRAPH = "https://w3id.org/phakhi/graph/synthetic"
READY = "/query?query=ASK%7B%7D"


@contextmanager
def oxigraph_server(folder: Path) -> Iterator[str]:
    """`oxigraph serve` (the PyPI `oxigraph` package) on a free port; yields its query URL."""
    binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    command = [binary, "serve", "--location", str(folder), "--bind", "127.0.0.1:{port}"]
    with loadgen.server(command, READY) as base:
        yield base + "/query"


def publish(query_url: str, file: Path) -> float:
    """Seconds to publish file into the store as one named graph."""
    store = RemoteStore(Endpoints.from_url(query_url), timeout=3600)
    started = time.perf_counter()
    store.publish({GRAPH: file.read_bytes()}, f"bench-{file.stem}")
    took = time.perf_counter() - started
    store.close()
    return took


def targets() -> dict[str, tuple[str, bool]]:
    def sparql(query: str) -> str:
        return "/sparql?query=" + quote(query, safe="")

    return {
        "/sparql lookup (cached)": (sparql(LOOKUP), False),
        "/sparql lookup (uncached)": (sparql(LOOKUP), True),
        "/sparql 3-way join (uncached)": (sparql(JOIN), True),
        "/api/search": (f"/api/search?q={quote(SEARCH)}", False),
        "/api/entities": (f"/api/entities/person/{PERSON}", False),
        "/api/…/neighbours depth 2": (f"/api/entities/person/{PERSON}/neighbours?depth=2", False),
        "/api/paths": (f"/api/paths?from=person/{PERSON}&to=person/{PATH_TO}", False),
    }


def run_remote(file: Path, *, seconds: float, connections: int, threads: int) -> dict[str, Any]:
    """{row name: loadgen.Load or seconds}: the load into the store, then each route."""
    wrk = loadgen.ensure_wrk()
    load: dict[str, Any] = {"seconds": seconds, "connections": connections, "threads": threads,
                            "timeout": 60.0}  # fmt: skip
    found: dict[str, Any] = {}
    uvicorn = [sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", "{port}",
               "--no-access-log", "--log-level", "warning", "--factory",
               "phakhi.api.app:create_app"]  # fmt: skip
    with (
        tempfile.TemporaryDirectory(prefix="phakhi-bench-ox-") as folder,
        oxigraph_server(Path(folder)) as query_url,
    ):
        found["load into oxigraph server (s)"] = publish(query_url, file)
        env = {"PHAKHI_STORE": "sparql+" + query_url}
        with loadgen.server(uvicorn, "/sparql?query=ASK%7B%7D", env=env) as base:
            for name, (path, unique) in targets().items():
                loadgen.run_wrk(wrk, base + path, unique=unique, **(load | {"seconds": 1.0}))
                found[name] = loadgen.run_wrk(wrk, base + path, unique=unique, **load)
    return found


def table(label: str, found: dict[str, Any]) -> str:
    lines = [f"### Phakhi over an Oxigraph server, {label}", "",
             "| route | req/s | p50 ms | p99 ms |", "|---|---:|---:|---:|"]  # fmt: skip
    for name, value in found.items():
        if isinstance(value, float):
            lines.append(f"| {name} | {value:.2f} s | | |")
        else:
            lines.append(f"| {name} | {value.rps:,.0f} | {value.p50_ms:.1f} | {value.p99_ms:.1f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.remote", description=__doc__)
    parser.add_argument("--size", default="100k")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="phakhi-bench-") as work:
        file = Path(work) / f"national-{args.size}.nt"
        synthetic.generate(synthetic.size(args.size), args.seed, file)
        found = run_remote(
            file, seconds=args.seconds, connections=args.connections, threads=args.threads
        )
    print(table(args.size, found))
    return 0


if __name__ == "__main__":
    sys.exit(main())
