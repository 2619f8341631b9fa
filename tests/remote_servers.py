"""Real remote SPARQL stores on 127.0.0.1, started by the tests themselves.

    pytest_plugins = ["remote_servers"]          # in tests/conftest.py (tests/ is on sys.path)

    def test_remote(oxigraph_server, virtuoso_server):
        httpx.post(oxigraph_server.query_url, data={"query": "ASK {}"})
        ...

- `OxigraphServer`: the `oxigraph` CLI from PyPI (the `test` extra), `oxigraph serve` on a free
  port with its data in a temporary folder. Endpoints `/query`, `/update`, `/store`. No auth.
- `VirtuosoServer`: Debian's `virtuoso-t` (package virtuoso-opensource-7-bin) with its own ini,
  database and two free ports (SQL and HTTP) in a temporary folder. On every start the role
  "SPARQL" (the anonymous web user) is granted SPARQL_UPDATE through `isql-vt`, so `/sparql`
  and `/sparql-graph-crud` take updates without auth. `VirtuosoServer(authenticated=True)` uses
  `/sparql-auth` and `/sparql-graph-crud-auth` with digest auth (dba/dba) instead.
- `start()`, `stop()`, `restart()` (same data, same port: a test can take the store away and
  bring it back), `close()` (stop and delete the folder); a context manager does start/close.
- The session fixtures `oxigraph_server` and `virtuoso_server` are shared by every test that
  asks: write into graphs of your own (a unique IRI per test) and leave other graphs alone.
  A test that stops a server should start its own instance with `with OxigraphServer() as s:`.
- A missing binary skips the test, except on CI (env CI set), where it fails: .ci/run installs
  virtuoso-opensource-7-bin, and `pip install -e '.[test]'` installs oxigraph.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Literal, Self

import httpx
import pytest

HOST = "127.0.0.1"
AuthKind = Literal["digest", "basic"] | None


class ServerNotReady(RuntimeError):
    """The server exited or did not answer a query in time."""


def _missing(reason: str, install: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} on CI: .ci/run must install it ({install})")
    pytest.skip(f"{reason} ({install})")


def free_port() -> int:
    """A port nobody listens on now (the OS picks it; a small race with others is accepted)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def oxigraph_binary() -> str:
    """The `oxigraph` CLI of this venv (it need not be on PATH), or skip (fail on CI)."""
    beside_python = Path(sys.executable).parent / "oxigraph"
    path = str(beside_python) if beside_python.exists() else shutil.which("oxigraph")
    if path is None:
        _missing("the oxigraph CLI is not installed", "pip install -e '.[test]'")
        raise AssertionError("unreachable")  # pragma: no cover
    return path


def virtuoso_binaries() -> tuple[str, str]:
    """`virtuoso-t` and `isql-vt` (both in virtuoso-opensource-7-bin), or skip (fail on CI)."""
    server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if server is None or isql is None:
        _missing(
            "virtuoso-t is not installed",
            "apt-get install virtuoso-opensource-7-bin; .ci/run installs it",
        )
        raise AssertionError("unreachable")  # pragma: no cover
    return server, isql


class RemoteServer:
    """A server process over a temporary folder that outlives stop() until close()."""

    name = "server"
    ready_timeout = 120.0  # seconds; Oxigraph replays its log for ~15 s after a big write
    user: str | None = None
    password: str | None = None
    auth: AuthKind = None

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix=f"phakhi-{self.name}-"))
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.startup_seconds = 0.0  # of the last start(), until the first answered query

    # What a subclass says about itself.
    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def query_url(self) -> str:
        raise NotImplementedError

    @property
    def update_url(self) -> str:
        raise NotImplementedError

    @property
    def graph_store_url(self) -> str:
        raise NotImplementedError

    @property
    def ping_url(self) -> str:
        """An endpoint that answers a query without auth, to tell when the server is up."""
        return self.query_url

    def command(self) -> list[str]:
        raise NotImplementedError

    def after_ready(self) -> None:
        """Set-up that needs the running server (called after every start)."""

    # Life cycle.
    @property
    def log_path(self) -> Path:
        return self.directory / "server.log"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        if self.running:
            return
        began = time.monotonic()
        with self.log_path.open("ab") as log:
            # The child keeps its own copy of the descriptor; ours can close at once.
            self.process = subprocess.Popen(
                self.command(), cwd=self.directory, stdout=log, stderr=subprocess.STDOUT
            )
        try:
            self.wait_ready()
            self.after_ready()
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - began

    def stop(self) -> None:
        """Terminate (both servers flush on SIGTERM), kill if it lingers; keep the data."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> Self:
        try:
            self.start()
        except BaseException:
            self.close()  # __exit__ will not run: remove the folder here
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    # Readiness.
    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def answers(self) -> bool:
        try:
            response = httpx.post(
                self.ping_url,
                data={"query": "ASK {}"},
                headers={"Accept": "application/sparql-results+json"},
                timeout=2.0,
            )
        except httpx.TransportError:
            return False
        return response.status_code == 200 and '"boolean"' in response.text

    def wait_ready(self) -> None:
        """Poll with a real query until it answers; fail with the log tail if it never does."""
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                code = None if self.process is None else self.process.returncode
                raise ServerNotReady(
                    f"{self.name} exited with code {code} before answering a query;"
                    f" log tail ({self.log_path}):\n{self.log_tail()}"
                )
            if self.answers():
                return
            time.sleep(0.05)
        raise ServerNotReady(
            f"{self.name} did not answer a query on {self.ping_url} within"
            f" {self.ready_timeout:.0f} s; log tail ({self.log_path}):\n{self.log_tail()}"
        )

    def client_auth(self) -> httpx.Auth | None:
        """The httpx auth matching `auth`, `user` and `password`."""
        if self.auth is None or self.user is None or self.password is None:
            return None
        if self.auth == "digest":
            return httpx.DigestAuth(self.user, self.password)
        return httpx.BasicAuth(self.user, self.password)


class OxigraphServer(RemoteServer):
    """`oxigraph serve`: `/query`, `/update`, `/store`; no auth.

    union_default_graph: queries without a dataset see the union of all graphs (the
    server's --union-default-graph); otherwise only the default graph.
    timeout_seconds: the server's --timeout-s (a query running longer gets an error).
    """

    name = "oxigraph"

    def __init__(
        self, *, union_default_graph: bool = False, timeout_seconds: int | None = None
    ) -> None:
        self.binary = oxigraph_binary()
        super().__init__()
        self.union_default_graph = union_default_graph
        self.timeout_seconds = timeout_seconds

    @property
    def query_url(self) -> str:
        return f"{self.base_url}/query"

    @property
    def update_url(self) -> str:
        return f"{self.base_url}/update"

    @property
    def graph_store_url(self) -> str:
        return f"{self.base_url}/store"

    def command(self) -> list[str]:
        command = [self.binary, "serve", "--location", str(self.directory / "data")]
        command += ["--bind", f"{HOST}:{self.port}"]
        if self.union_default_graph:
            command.append("--union-default-graph")
        if self.timeout_seconds is not None:
            command += ["--timeout-s", str(self.timeout_seconds)]
        return command


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = {host}:{sql_port}
DisableUnixSocket = 1
MaxClientConnections = 10
CheckpointInterval = 60
O_DIRECT = 0
CaseMode = 2
MaxStaticCursorRows = 5000
AllowOSCalls = 0
DirsAllowed = ., {dir}
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 4
; ~160 MB of buffers: plenty for test graphs, small beside the 24 GB machine.
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
MaxQueryMem = 500M

[HTTPServer]
ServerPort = {host}:{http_port}
ServerRoot = {dir}
MaxClientConnections = 10
DavRoot = DAV
EnabledDavVSP = 0
HTTPProxyEnabled = 0
MaxKeepAlives = 10
KeepAliveTimeout = 10
Charset = UTF-8
EnabledGzipContent = 0

[Client]
SQL_PREFETCH_ROWS = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT = 0
SQL_TXN_TIMEOUT = 0

[Replication]
ServerName = phakhi-test
ServerEnable = 0

[SPARQL]
; The default (10000) silently truncates results; the tests read bigger graphs.
ResultSetMaxRows = 1000000
; 0: never refuse a query on the optimiser's cost guess.
MaxQueryCostEstimationTime = 0
; Seconds; 0 = no limit. With a limit Virtuoso returns PARTIAL results, marked only by headers.
MaxQueryExecutionTime = {max_query_seconds}
"""

# The anonymous web user's role may update, so /sparql and /sparql-graph-crud need no auth.
VIRTUOSO_GRANTS = 'GRANT SPARQL_UPDATE TO "SPARQL";'


class VirtuosoServer(RemoteServer):
    """Virtuoso 7 (`virtuoso-t`): `/sparql` (query and update), `/sparql-graph-crud`.

    authenticated: use `/sparql-auth` and `/sparql-graph-crud-auth` with digest auth as dba.
    max_query_seconds: MaxQueryExecutionTime (0 = none); past it Virtuoso answers 200 with
    partial results (see /tmp/remote-notes.md), so keep 0 unless a test wants exactly that.
    """

    name = "virtuoso"
    dba_password = "dba"  # the password a new database starts with

    def __init__(self, *, authenticated: bool = False, max_query_seconds: int = 0) -> None:
        self.binary, self.isql_binary = virtuoso_binaries()
        super().__init__()
        self.sql_port = free_port()
        self.authenticated = authenticated
        self.max_query_seconds = max_query_seconds
        self.granted = False
        if authenticated:
            self.user, self.password, self.auth = "dba", self.dba_password, "digest"

    @property
    def query_url(self) -> str:
        return f"{self.base_url}/sparql-auth" if self.authenticated else self.ping_url

    @property
    def update_url(self) -> str:
        return self.query_url

    @property
    def graph_store_url(self) -> str:
        suffix = "-auth" if self.authenticated else ""
        return f"{self.base_url}/sparql-graph-crud{suffix}"

    @property
    def ping_url(self) -> str:
        return f"{self.base_url}/sparql"

    @property
    def ini_path(self) -> Path:
        return self.directory / "virtuoso.ini"

    def command(self) -> list[str]:
        self.ini_path.write_text(
            VIRTUOSO_INI.format(
                dir=self.directory,
                host=HOST,
                sql_port=self.sql_port,
                http_port=self.port,
                max_query_seconds=self.max_query_seconds,
            ),
            encoding="utf-8",
        )
        return [self.binary, "+foreground", "+configfile", str(self.ini_path)]

    def log_tail(self, lines: int = 30) -> str:
        # Virtuoso writes its real log to ErrorLogFile, not to stdout.
        own = self.directory / "virtuoso.log"
        text = own.read_text(encoding="utf-8", errors="replace") if own.exists() else ""
        return (
            super().log_tail(lines)
            + "\n--- virtuoso.log ---\n"
            + "\n".join(text.splitlines()[-lines:])
        )

    def sql(self, statements: str) -> str:
        """Run SQL as dba through isql-vt; raise with its output if it fails."""
        result = subprocess.run(
            [self.isql_binary, f"{HOST}:{self.sql_port}", "dba", self.dba_password],
            input=statements + "\nEXIT;\n",
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if result.returncode != 0 or "*** Error" in result.stdout + result.stderr:
            raise ServerNotReady(f"isql-vt failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def after_ready(self) -> None:
        # A grant lives in the database and a second GRANT is an error: once per database.
        if not self.granted:
            self.sql(VIRTUOSO_GRANTS)
            self.granted = True


@pytest.fixture(scope="session")
def oxigraph_server() -> Iterator[OxigraphServer]:
    """One Oxigraph server for the session (default graph = the unnamed graph only)."""
    with OxigraphServer() as server:
        yield server


@pytest.fixture(scope="session")
def virtuoso_server() -> Iterator[VirtuosoServer]:
    """One Virtuoso 7 for the session; anonymous updates allowed, no query time limit."""
    with VirtuosoServer() as server:
        yield server
