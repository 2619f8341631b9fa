"""Servers on 127.0.0.1 and a load generator (wrk: fixed duration, connections and threads).

Each server is a child process on a free loopback port, stopped (by its own pid) when done.
wrk comes from Debian (`apt-get install -y wrk`); `ensure_wrk` installs it when missing.
"""

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

LUA = """
local path = os.getenv("BENCH_PATH")
wrk.headers["Accept"] = "application/sparql-results+json, application/json;q=0.9"
local unique = os.getenv("BENCH_UNIQUE") == "1"
local counter = 0
local made = 0
function setup(thread)
  made = made + 1
  thread:set("tid", made)
end
request = function()
  if unique then
    counter = counter + 1
    -- a SPARQL comment appended to the query: a new cache key, the same evaluation
    return wrk.format("GET", path .. "%0A%23" .. tid .. "-" .. counter)
  end
  return wrk.format("GET", path)
end
"""


@dataclass(frozen=True)
class Load:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("installing wrk (Debian package)…", file=sys.stderr)
    subprocess.run(["apt-get", "update", "-qq"], check=True, capture_output=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, capture_output=True)
    return shutil.which("wrk") or "wrk"


@contextlib.contextmanager
def server(command: list[str], ready_path: str, *, env: dict[str, str] | None = None,
           timeout: float = 300.0) -> Iterator[str]:  # fmt: skip
    """Run command (with {port} filled in) until the block ends; yields its base URL."""
    port = free_port()
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [part.format(port=port) for part in command],
            env=os.environ | (env or {}),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(process, base + ready_path, timeout, log)
            yield base
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)  # the server's own group, workers too
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _wait_ready(process: subprocess.Popen[bytes], url: str, timeout: float, log: IO[bytes]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            output = log.read().decode(errors="replace")[-3000:]
            raise RuntimeError(f"server exited ({process.returncode}):\n{output}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=30).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{url} not ready within {timeout:g} s")


def run_wrk(wrk: str, url: str, *, seconds: float, connections: int, threads: int,
            unique: bool = False, timeout: float | None = None) -> Load:  # fmt: skip
    """wrk against url (path and query) for a fixed time; unique appends a counter comment;
    timeout: seconds before wrk gives up on a request (wrk's default: 2)."""
    base, _, path = url.partition("://")[2].partition("/")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA)
    limit = [f"--timeout={timeout:g}s"] if timeout is not None else []
    try:
        done = subprocess.run(
            [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--latency", *limit,
             "-s", script.name, f"http://{base}"],
            env=os.environ | {"BENCH_PATH": "/" + path, "BENCH_UNIQUE": "1" if unique else "0"},
            capture_output=True, text=True, timeout=seconds + (timeout or 2) + 60, check=True,
        )  # fmt: skip
    finally:
        Path(script.name).unlink()
    return parse_wrk(done.stdout)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    found = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if not found:
        raise ValueError(f"wrk latency {text!r}")
    return float(found[1]) * _UNITS[found[2]]


def parse_wrk(output: str) -> Load:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    failed = re.search(r"Socket errors:.*?timeout (\d+)", output)
    if not (rps and p50 and p99):
        raise ValueError(f"unexpected wrk output:\n{output}")
    count = (int(errors[1]) if errors else 0) + (int(failed[1]) if failed else 0)
    return Load(float(rps[1]), _ms(p50[1]), _ms(p99[1]), count)
