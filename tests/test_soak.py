"""The soak (bench/soak.py) as a short bounded run: 8 connections for 10 s of mixed traffic against
a real uvicorn on 127.0.0.1 serving a 10k-triple synthetic graph from an on-disk store.

Every route of the mix is hit, nothing fails that was not meant to, no query worker is leaked, and
memory stays within the soak's bound; exports (which once crashed the server when several streamed
at once) among them. No timing is checked: the figures of the full soak (minutes, 100k triples, 8
and 32 connections) are in bench/SOAK.md.
"""

from pathlib import Path

from bench.soak import MIX, Knobs, soak
from bench.synthetic import generate, size

SECONDS = 10.0


def test_short_soak(tmp_path: Path) -> None:
    file = tmp_path / "national-10k.nq"
    generate(size("10k"), 1, file)
    # a 1 s time limit and a slow query every 2 s: several workers killed and replaced
    knobs = Knobs(query_timeout=1.0, slow_every=2.0, warm_up=3.0, sample_every=1.0)
    done = soak(file, tmp_path, [8], SECONDS, knobs)
    phase = done.phases[0]
    routes = phase.tally.routes

    assert phase.unintended == 0, phase.tally.examples
    assert len(routes) == len(MIX) + 1  # the mix and the slow lane
    assert all(route.latencies for route in routes.values())
    for name in ("export of one source", "export of one entity"):
        assert routes[name].statuses["200"] >= 2, routes[name].statuses
    timeouts = routes["sparql past the time limit (503)"].statuses["503 query_timeout"]
    assert timeouts >= 2
    assert phase.intended > 0
    assert not phase.leaked_workers, phase.samples[-1]
    assert len(phase.samples) >= 5  # sampled throughout
    assert phase.drift <= phase.bound, phase.samples
