"""Real servers for tests: an app under uvicorn on 127.0.0.1, on a free port, in a thread.

    with serve(create_app(settings)) as base_url:
        httpx.get(base_url + "/sparql")

The app's lifespan runs (so /sparql has its query workers) and is shut down at the end, workers
included. Also here: the small, stable dataset the SPARQL tests serve (reference_settings).
"""

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from phakhi.api.settings import Settings
from phakhi.graph.paths import DATA_DIR, ONTOLOGY_FILE

PROVINCES = DATA_DIR / "reference" / "provinces.yaml"


@contextmanager
def serve(app: FastAPI, *, start_timeout: float = 30.0) -> Iterator[str]:
    """Run app until the block ends; yields its base URL, e.g. http://127.0.0.1:40123."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    try:
        _wait_started(server, thread, start_timeout)
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def _wait_started(server: uvicorn.Server, thread: threading.Thread, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("uvicorn stopped during start-up (see the log above)")
        if time.monotonic() > deadline:
            raise RuntimeError(f"uvicorn did not start within {timeout:g} s")
        time.sleep(0.02)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_process(
    args: list[str], env: dict[str, str], log: Path, *, timeout: float = 90.0
) -> tuple[subprocess.Popen[bytes], str]:
    """`phakhi serve ARGS` as a real process on a free port, with env added to this one's;
    returns it (the caller stops it) once /sparql answers, and its base URL."""
    port = free_port()
    command = [sys.executable, "-m", "phakhi.api.cli", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), *args]
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, env=os.environ | env, stdout=out, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited ({process.returncode}):\n{log.read_text()}")
        try:
            if httpx.get(base + "/sparql", params={"query": "ASK {}"}, timeout=2).is_success:
                return process, base
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    process.kill()
    raise AssertionError(f"the server did not start:\n{log.read_text()}")


def reference_settings(folder: Path, **overrides: Any) -> Settings:
    """Settings serving only the ontology and the province gazetteer.

    Both exist whatever state the curated sources are in, so tests built on them do not break
    while the sources are being written.
    """
    (folder / "reference").mkdir(parents=True, exist_ok=True)
    shutil.copy(PROVINCES, folder / "reference" / PROVINCES.name)
    return Settings(data_dir=folder, ontology=ONTOLOGY_FILE, **overrides)
