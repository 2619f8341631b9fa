"""One engine, in this process: load the file, then time each query. Run by bench/run.py in a
fresh process per engine (so peak memory is the engine's own); prints one JSON object a line.

    python -m bench.inproc ENGINE FILE [--store DIR] [--skip NAME ...] [--limit S]

ENGINE: pyoxigraph (the floor), phakhi (the graph layer, in memory), phakhi-disk (fill an
on-disk store and its indexes), phakhi-reopen (open them again, as `phakhi serve --store` does),
rdflib (its in-memory Dataset and SPARQL evaluator).
"""

import argparse
import json
import os
import resource
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from bench.queries import API_SPARQL, PATH_TO, PERSON, SEARCH, competency, entity

GRAPH = "urn:phakhi-bench:graph"
Run = Callable[[], object]


def emit(**record: Any) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(run: Run) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def measure(name: str, run: Run, *, reps: int, budget: float, limit: float) -> None:
    """Time run: once, then again until reps runs or budget seconds; a watchdog ends the
    process when one run passes limit seconds (the parent records a timeout)."""
    done = threading.Event()

    def watchdog() -> None:
        if not done.wait(limit):
            emit(kind="timeout", name=name, limit=limit)
            os._exit(3)

    threading.Thread(target=watchdog, daemon=True).start()
    try:
        times = [timed(run)]
    except Exception as error:  # e.g. rdflib fails some of the competency queries
        done.set()
        emit(kind="error", name=name, error=f"{type(error).__name__}: {error}"[:200])
        return
    done.set()
    spent = times[0]
    while len(times) < reps and spent < budget:
        times.append(timed(run))
        spent += times[-1]
    times.sort()
    p99 = times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]
    emit(kind="query", name=name, p50=statistics.median(times) * 1000, p99=p99 * 1000, n=len(times))


def _oxigraph(file: Path, args: argparse.Namespace) -> None:
    store = ox.Store()
    took = timed(lambda: store.bulk_load(path=str(file), to_graph=ox.NamedNode(GRAPH)))
    emit(kind="load", seconds=took, rss_mb=rss_mb(), what="Store().bulk_load")

    def runner(text: str) -> Run:
        def run() -> object:
            result = store.query(text, use_default_graph_as_union=True)
            assert isinstance(result, ox.QuerySolutions)
            return result.serialize(format=ox.QueryResultsFormat.JSON)

        return run

    _queries(runner, args, api=API_SPARQL)


def _rdflib(file: Path, args: argparse.Namespace) -> None:
    from rdflib import Dataset, URIRef

    dataset = Dataset(default_union=True)
    took = timed(lambda: dataset.graph(URIRef(GRAPH)).parse(str(file), format="nt"))
    emit(kind="load", seconds=took, rss_mb=rss_mb(), what="Dataset.parse")

    def runner(text: str) -> Run:
        return lambda: dataset.query(text).serialize(format="json")

    _queries(runner, args, api=API_SPARQL)


def _phakhi(file: Path, args: argparse.Namespace) -> None:
    from phakhi.api.results import QueryJob, execute
    from phakhi.graph.loader import load_files
    from phakhi.graph.store import OxigraphStore

    engine = OxigraphStore()
    took = timed(lambda: load_files(engine, [file]))
    emit(kind="load", seconds=took, rss_mb=rss_mb(), what="graph.loader.load_files")

    def runner(text: str) -> Run:
        job = QueryJob(text, None, None, "application/sparql-results+json", None, 10**7, 10**10)
        return lambda: execute(engine, job)

    _queries(runner, args, api=_api_calls(engine, args))


def _api_calls(engine: Any, args: argparse.Namespace) -> dict[str, Run]:
    """The JSON API's calls as its routes make them (graph layer and response models)."""
    from phakhi.api.schemas import Subgraph
    from phakhi.graph.entities import describe
    from phakhi.graph.loader import cached_index
    from phakhi.graph.network import Network
    from phakhi.graph.search import SearchIndex

    started = time.perf_counter()
    index = cached_index(engine, "search", SearchIndex.build)
    emit(kind="index", name="search", seconds=time.perf_counter() - started, rss_mb=rss_mb())
    started = time.perf_counter()
    network = cached_index(engine, "network", Network.build)
    emit(kind="index", name="network", seconds=time.perf_counter() - started, rss_mb=rss_mb())
    person, other = entity("person", PERSON), entity("person", PATH_TO)
    return {
        "api: search": lambda: index.search(SEARCH, lang="th"),
        "api: entity": lambda: describe(engine, person, "th"),
        "api: neighbours": lambda: Subgraph.parts(network.neighbours(person, 2), "th"),
        "api: path": lambda: network.shortest_path(person, other),
    }


def _queries(runner: Callable[[str], Run], args: argparse.Namespace, api: Any) -> None:
    skip = set(args.skip or [])
    for query in competency():
        if query.name not in skip:
            measure(query.name, runner(query.text), reps=args.reps, budget=2, limit=args.limit)
    for name, call in api.items():
        if name not in skip:
            run = runner(call) if isinstance(call, str) else call
            measure(name, run, reps=args.reps, budget=2, limit=args.limit)


def _phakhi_disk(file: Path, args: argparse.Namespace) -> None:
    from phakhi.graph.loader import cached_index, open_engine
    from phakhi.graph.network import Network
    from phakhi.graph.paths import DATA_DIR, ONTOLOGY_FILE
    from phakhi.graph.search import SearchIndex

    holder: list[Any] = []
    took = timed(lambda: holder.append(open_engine(DATA_DIR, ONTOLOGY_FILE, [file], args.store)))
    emit(kind="load", seconds=took, rss_mb=rss_mb(), what="open_engine(store=…) bulk")
    started = time.perf_counter()
    cached_index(holder[0], "search", SearchIndex.build)
    emit(kind="index", name="search", seconds=time.perf_counter() - started, rss_mb=rss_mb())
    started = time.perf_counter()
    cached_index(holder[0], "network", Network.build)
    emit(kind="index", name="network", seconds=time.perf_counter() - started, rss_mb=rss_mb())


def _phakhi_reopen(file: Path, args: argparse.Namespace) -> None:
    from phakhi.graph.store import OxigraphStore

    def reopen() -> None:
        store = OxigraphStore.open(args.store)
        assert not store.is_empty()
        store.query("ASK { ?s ?p ?o }")

    emit(kind="start", name="store", seconds=timed(reopen), rss_mb=rss_mb())
    from phakhi.api.app import create_app
    from phakhi.api.settings import Settings

    took = timed(lambda: create_app(Settings(store=args.store)))
    emit(kind="start", name="app", seconds=took, rss_mb=rss_mb())


ENGINES: dict[str, Callable[[Path, argparse.Namespace], None]] = {
    "pyoxigraph": _oxigraph,
    "phakhi": _phakhi,
    "phakhi-disk": _phakhi_disk,
    "phakhi-reopen": _phakhi_reopen,
    "rdflib": _rdflib,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("engine", choices=ENGINES)
    parser.add_argument("file", type=Path)
    parser.add_argument("--store", type=Path)
    parser.add_argument("--skip", nargs="*", help="query names already measured")
    parser.add_argument("--reps", type=int, default=21)
    parser.add_argument("--limit", type=float, default=60.0, help="seconds one run may take")
    args = parser.parse_args(argv)
    ENGINES[args.engine](args.file, args)
    emit(kind="done", rss_mb=rss_mb())
    return 0


if __name__ == "__main__":
    sys.exit(main())
