"""Real servers for tests: an app under uvicorn on 127.0.0.1, on a free port, in a thread.

    with serve(create_app(settings)) as base_url:
        httpx.get(base_url + "/sparql")

The app's lifespan runs (so /sparql has its query workers) and is shut down at the end, workers
included. Also here: the small, stable dataset the SPARQL tests serve (reference_settings).
"""

import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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


def reference_settings(folder: Path, **overrides: Any) -> Settings:
    """Settings serving only the ontology and the province gazetteer.

    Both exist whatever state the curated sources are in, so tests built on them do not break
    while the sources are being written.
    """
    (folder / "reference").mkdir(parents=True, exist_ok=True)
    shutil.copy(PROVINCES, folder / "reference" / PROVINCES.name)
    return Settings(data_dir=folder, ontology=ONTOLOGY_FILE, **overrides)
