"""Durability: `phakhi serve --store` killed with SIGKILL in the middle of a stream of writes.

The server runs as a real process on 127.0.0.1 with a write token. Client threads send INSERT
DATA updates, each adding a numbered pair of triples, and note which were acknowledged (2xx);
the server is killed (no shutdown of any kind), started again on the same store, and then:
every acknowledged pair is there, and no pair is there by half.
"""

import itertools
import os
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from server import start_process

from phakhi.graph.store import META_FILE

TOKEN = "durability-token-0123456789"
EX = "http://example.org/durable/"
STREAM_SECONDS = 2.0  # the stream runs at most this long before the kill
SENDERS = 4


@pytest.fixture()
def seed(tmp_path: Path) -> Path:
    file = tmp_path / "seed.nt"
    file.write_text(f'<{EX}seed> <{EX}p> "seed" .\n')
    return file


def start(store: Path, seed: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    env = {"PHAKHI_WRITE_TOKEN": TOKEN, "PHAKHI_QUERY_WORKERS": "1"}
    return start_process(["--store", str(store), "--data", str(seed)], env, log)


@pytest.fixture()
def servers() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:  # only the processes this test started
        if process.poll() is None:
            process.kill()
        process.wait(10)


def pair(n: int) -> str:
    return f'INSERT DATA {{ <{EX}n{n}> <{EX}a> "{n}" . <{EX}n{n}> <{EX}b> "{n}" . }}'


def send(base: str, numbers: Iterator[int], acked: list[int], stop: threading.Event) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}
    with httpx.Client(timeout=10) as client:
        while not stop.is_set():
            n = next(numbers)
            try:
                response = client.post(base + "/sparql", content=pair(n), headers=headers)
            except httpx.HTTPError:  # the server is gone: unacknowledged
                return
            if response.is_success:
                acked.append(n)


def stored_pairs(base: str) -> Counter[int]:
    query = f'SELECT ?s ?p WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{EX}n")) }}'
    response = httpx.get(base + "/sparql", params={"query": query}, timeout=30)
    assert response.status_code == 200, response.text
    rows = response.json()["results"]["bindings"]
    return Counter(int(row["s"]["value"].removeprefix(EX + "n")) for row in rows)


def test_acknowledged_writes_survive_sigkill(
    tmp_path: Path, seed: Path, servers: list[subprocess.Popen[bytes]]
) -> None:
    store, log = tmp_path / "store", tmp_path / "server.log"
    process, base = start(store, seed, log)
    servers.append(process)
    numbers = itertools.count()
    acked: list[int] = []
    stop = threading.Event()
    senders = [
        threading.Thread(target=send, args=(base, numbers, acked, stop), daemon=True)
        for _ in range(SENDERS)
    ]
    for thread in senders:
        thread.start()
    deadline = time.monotonic() + STREAM_SECONDS
    while time.monotonic() < deadline and len(acked) < 200:
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)  # mid-stream: updates are in flight
    process.wait(10)
    stop.set()
    for thread in senders:
        thread.join(15)
    sent = next(numbers)
    assert len(acked) >= 5, f"too few writes acknowledged before the kill:\n{log.read_text()}"
    assert sent > len(acked)  # some were cut off

    process, base = start(store, seed, log)
    servers.append(process)
    found = stored_pairs(base)
    assert not [n for n in acked if found[n] != 2], "acknowledged writes were lost"
    assert not [n for n, count in found.items() if count != 2], "a write is there by half"
    assert set(found) <= set(range(sent))
    meta = (store / META_FILE).read_text()
    assert '"writing"' not in meta  # the restart versioned the store again
