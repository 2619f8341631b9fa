"""The benchmark runs end to end on a tiny graph and prints its tables (no timing is checked:
the figures belong to bench/RESULTS.md). HTTP load needs wrk and rdflib-endpoint, so only the
parsing of wrk's report is checked here."""

import re
import subprocess
import sys
from pathlib import Path

from bench.loadgen import parse_wrk
from bench.synthetic import generate, size

ROOT = Path(__file__).resolve().parent.parent

WRK_OUTPUT = """Running 1s test @ http://127.0.0.1:40000
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.10ms  400.00us   9.00ms   90.00%
  Latency Distribution
     50%    1.95ms
     75%    2.20ms
     90%    2.60ms
     99%    4.10ms
  3000 requests in 1.00s, 1.00MB read
  Non-2xx or 3xx responses: 2
Requests/sec:   2999.50
Transfer/sec:      1.00MB
"""


def test_synthetic_graph_is_deterministic(tmp_path: Path) -> None:
    one, two, three = tmp_path / "1.nt", tmp_path / "2.nt", tmp_path / "3.nt"
    count = generate(size("10k"), 7, one)
    assert count >= 10_000 and count < 11_000
    generate(size("10k"), 7, two)
    generate(size("10k"), 8, three)

    def named(path: Path) -> list[str]:  # the seed's blank nodes get new labels each compile
        return [line for line in path.read_text(encoding="utf-8").splitlines() if "_:" not in line]

    assert named(one) == named(two) != named(three)
    assert len(one.read_text(encoding="utf-8").splitlines()) == count
    quads = tmp_path / "1.nq"
    assert generate(size("10k"), 7, quads) >= count  # N-Quads keep the graphs (and duplicates)


def test_wrk_report_is_read() -> None:
    load = parse_wrk(WRK_OUTPUT)
    assert (load.rps, load.p50_ms, load.p99_ms, load.errors) == (2999.5, 1.95, 4.1, 2)


def test_bench_runs_on_a_tiny_graph(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--sizes", "10k", "--reps", "2", "--query-limit", "2",
         "--engine-budget", "120", "--work", str(tmp_path / "work"), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    text = out.read_text(encoding="utf-8")
    assert text.strip() == done.stdout.strip()
    for heading in ("## Targets", "### Load and start-up", "### Queries", "Python 3."):
        assert heading in text
    rows = [line for line in text.splitlines() if re.match(r"\| (\d\d |api: )", line)]
    assert len(rows) == 14 + 4  # the competency queries and the JSON API calls
    assert "| load N-Triples in memory, s |" in text
    assert "reopen the on-disk store" in text
