"""A remote SPARQL 1.1 store as the engine: Oxigraph server, Virtuoso, Fuseki, GraphDB, ...

Only the standard protocols are used: queries and updates as form POSTs (a POST of
application/sparql-query can hang on Virtuoso), the Graph Store Protocol for bulk loads, and an
explicit Accept on every request. Answers are parsed into pyoxigraph's own result types, so the
rest of Phakhi cannot tell this engine from the embedded one.

The dataset is the store's named graphs whose IRIs start with one of `graph_prefixes` (a shared
store may hold other data, and Virtuoso keeps system graphs); a query without FROM sees their
union, as the embedded store's does. The dataset version lives in the store itself (a triple in
META_GRAPH), so every replica of the service in front of one store sees the same version: each
write through Phakhi stamps a new one, and `check_version` reads it.
"""

import hashlib
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlencode, urlsplit, urlunsplit

import httpx
import pyoxigraph as ox

from phakhi.graph.store import OxigraphStore, QueryResult

META_GRAPH = "https://w3id.org/phakhi/graph/meta"
DATASET = "https://w3id.org/phakhi/dataset"
VERSION = "https://schema.org/version"
PHAKHI_GRAPHS = "https://w3id.org/phakhi/"
# asked by the query's form: Virtuoso answers a CONSTRUCT in SPARQL JSON if JSON comes first
_ACCEPT_RESULTS = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
_ACCEPT_TRIPLES = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
_GRAPH_FORM = re.compile(
    r"^(?:\s|#[^\n]*(?:\n|$)|(?:PREFIX\s*[^\s:]*:\s*|BASE\s*)<[^>]*>)*(CONSTRUCT|DESCRIBE)\b",
    re.IGNORECASE,
)
_RESULTS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
_FORM = "application/x-www-form-urlencoded"
_BOOLEAN_TYPE = b"http://www.w3.org/2001/XMLSchema#boolean"
_NODE_ID = re.compile(rb'("type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*")nodeID://')
_ZERO_ONE = re.compile(
    rb'("datatype"\s*:\s*"http://www\.w3\.org/2001/XMLSchema#boolean"\s*,\s*"value"\s*:\s*")'
    rb'([01])(")'
)


class StoreError(Exception):
    """The remote store could not answer; the message says why."""


class StoreUnavailable(StoreError):
    """No connection to the store (it is down or unreachable)."""


class StoreTimeout(StoreError):
    """The store did not answer in time."""


class StoreFailed(StoreError):
    """The store answered with a server error, or with something that cannot be read."""


class StoreRefused(StoreError):
    """The store refused the request as malformed (a 4xx answer)."""


@dataclass(frozen=True)
class Endpoints:
    """Where a SPARQL store answers, and how to sign in (for updates)."""

    query: str
    update: str
    graph_store: str | None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    auth: Literal["basic", "digest"] = "basic"

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        update: str | None = None,
        graph_store: str | None = None,
        user: str | None = None,
        password: str | None = None,
        auth: Literal["basic", "digest"] = "basic",
    ) -> "Endpoints":
        """From the query URL (`sparql+` in front is dropped); the update and Graph Store URLs
        default to Oxigraph server's (/update, /store beside /query) and Virtuoso's (/sparql
        for both, /sparql-graph-crud) layouts, else the query URL and none."""
        query = url.removeprefix("sparql+")
        if not query.startswith(("http://", "https://")):
            raise ValueError(f"a remote store's URL starts with http:// or https://: {url!r}")
        found_update, found_store = _beside(query)
        return cls(query, update or found_update, graph_store or found_store, user, password, auth)


def _beside(query: str) -> tuple[str, str | None]:
    base, _, last = query.rpartition("/")
    if last == "query":
        return f"{base}/update", f"{base}/store"
    if last in ("sparql", "sparql-auth"):
        crud = "sparql-graph-crud-auth" if last == "sparql-auth" else "sparql-graph-crud"
        return query, f"{base}/{crud}"
    return query, None


class RemoteStore:
    """A SPARQL 1.1 store over HTTP, behind the same interface as graph.store.OxigraphStore."""

    path = None  # nothing on this machine's disk
    read_only = False

    def __init__(
        self,
        endpoints: Endpoints,
        *,
        timeout: float = 60.0,
        connect_timeout: float = 5.0,
        graph_prefixes: Iterable[str] = (PHAKHI_GRAPHS,),
        chunk_bytes: int = 4_000_000,
        max_response_bytes: int = 200_000_000,
    ) -> None:
        self.endpoints, self.timeout, self.chunk_bytes = endpoints, timeout, chunk_bytes
        self.graph_prefixes = tuple(graph_prefixes)
        self.max_response_bytes = max_response_bytes
        self._connect_timeout = connect_timeout
        self._auths = threading.local()  # see _auth_here
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=16),
            follow_redirects=False,  # a store that redirects is misconfigured: say so
        )
        self._lock = threading.Lock()
        self._version, self._notes = "", 0  # _notes: how many times a version was noted
        self._graphs: tuple[str | None, list[str]] = (None, [])  # (of which version, list)
        self._listeners: list[Callable[[str], None]] = []

    def close(self) -> None:
        self._client.close()

    # -- the dataset version ---------------------------------------------------------------

    @property
    def version(self) -> str:
        """The version last read from (or written to) the store; no request."""
        return self._version

    def check_version(self) -> str:
        """Read the version from the store; listeners hear of a change (a write made through
        another replica)."""
        began = self._notes
        found = self._select(
            f"SELECT ?v WHERE {{ GRAPH <{META_GRAPH}> {{ <{DATASET}> <{VERSION}> ?v }} }}",
            timeout=self._connect_timeout + 5.0,
        )
        self._note_version(next((str(row["v"].value) for row in found), ""), began)
        return self._version

    def listen(self, listener: Callable[[str], None]) -> None:
        """listener(new version), called when check_version or a write finds a new one."""
        self._listeners.append(listener)

    def _note_version(self, version: str, began: int | None = None) -> None:
        """Take version as the store's; a read that began before the last note (a stamp made
        meanwhile) is older than what is known, and is dropped."""
        with self._lock:
            if began is not None and began != self._notes:
                return
            changed, self._version = version != self._version, version
            self._notes += 1
        if changed:
            for listener in self._listeners:
                listener(version)

    def stamp(self, version: str | None = None) -> str:
        """Write a new version into the store (after a write through Phakhi); returns it."""
        version = version or _new_version(self._version)
        try:
            self.update(_stamp(version))
        except StoreError:
            self._note_version("")  # the data may have changed: no version, no cached answer
            raise
        self._note_version(version)
        return version

    # -- reading ---------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        timeout: float | None = None,
    ) -> QueryResult:
        """Like OxigraphStore.query: without a dataset, the default graph is the union of the
        dataset's graphs, and GRAPH ranges over them."""
        ours = self.graphs() if default_graphs is None or named_graphs is None else []
        dataset = [("default-graph-uri", g) for g in ours if default_graphs is None]
        dataset += [("default-graph-uri", g) for g in default_graphs or []]
        dataset += [
            ("named-graph-uri", g) for g in (ours if named_graphs is None else named_graphs)
        ]
        if default_graphs is None and not ours:
            dataset.append(("default-graph-uri", META_GRAPH + "#none"))  # empty, not the store's
        return self._query(sparql, dataset, timeout)

    def query_as_written(self, sparql: str, *, timeout: float | None = None) -> QueryResult:
        """The query's own FROM / FROM NAMED decide its dataset (none is added)."""
        return self._query(sparql, [], timeout)

    def graphs(self) -> list[str]:
        """The dataset's named graphs, read again when the version changes."""
        version, found = self._graphs
        if version != self._version:
            version = self._version
            starts = " || ".join(f"STRSTARTS(STR(?g), {_string(p)})" for p in self.graph_prefixes)
            rows = self._select(
                f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER({starts}) }}"
            )
            found = sorted(g for row in rows if self.is_ours(g := str(row["g"].value)))
            self._graphs = (version, found)
        return list(found)

    def __len__(self) -> int:
        graphs = self.graphs()
        if not graphs:
            return 0
        rows = self._select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", graphs)
        return int(next(iter(rows))["n"].value)

    def is_empty(self) -> bool:
        return not self.graphs()

    def is_ours(self, graph: str) -> bool:
        return graph != META_GRAPH and graph.startswith(self.graph_prefixes)

    def _select(
        self, sparql: str, named: list[str] | None = None, *, timeout: float | None = None
    ) -> ox.QuerySolutions:
        dataset = [("named-graph-uri", g) for g in named or []]
        result = self._query(sparql, dataset, timeout)
        if not isinstance(result, ox.QuerySolutions):
            raise StoreFailed("the store answered a SELECT with something else than rows")
        return result

    def _query(
        self, sparql: str, dataset: list[tuple[str, str]], timeout: float | None
    ) -> QueryResult:
        form = urlencode([("query", sparql), *dataset]).encode()
        accept = _ACCEPT_TRIPLES if _GRAPH_FORM.match(sparql) else _ACCEPT_RESULTS
        body, media_type = self._send(
            "POST",
            self.endpoints.query,
            timeout,
            content=form,
            headers={"Accept": accept, "Content-Type": _FORM},
        )
        return _parse(body, media_type)

    # -- writing ---------------------------------------------------------------------------

    def update(self, sparql: str, *, timeout: float | None = None) -> None:
        """A SPARQL 1.1 Update, as a form POST to the update endpoint."""
        self._send(
            "POST",
            self.endpoints.update,
            timeout,
            content=urlencode([("update", sparql)]).encode(),
            headers={"Content-Type": _FORM, "Accept": "*/*"},
        )

    def exists(self, graph: str) -> bool:
        result = self._query(f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", [], None)
        return bool(result)

    def put_graph(self, graph: str, ntriples: bytes) -> None:
        """Graph Store PUT: graph becomes exactly these triples, sent in chunks (the first
        replaces, the others add). Triples with blank nodes all go in the first chunk, so a
        blank node is not split across requests (each request names its own)."""
        for index, chunk in enumerate(_chunks(ntriples, self.chunk_bytes)):
            self._graph_store("PUT" if index == 0 else "POST", graph, chunk)

    def post_graph(self, graph: str, ntriples: bytes) -> None:
        """Graph Store POST: the triples are added to graph (created when missing)."""
        for chunk in _chunks(ntriples, self.chunk_bytes):
            self._graph_store("POST", graph, chunk)

    def publish(self, graphs: dict[str, bytes], version: str) -> None:
        """Make the dataset exactly graphs (IRI → N-Triples): each graph is replaced, the
        dataset's graphs not in it are dropped, then version is stamped. Running it again with
        the same graphs changes nothing."""
        before = set(self.graphs())
        for graph, ntriples in sorted(graphs.items()):
            self.put_graph(graph, ntriples)
        for graph in sorted(before - graphs.keys()):
            self.update(f"DROP SILENT GRAPH <{graph}>")
        self.stamp(version)

    def _graph_store(self, method: str, graph: str, ntriples: bytes) -> None:
        if self.endpoints.graph_store is None:
            raise StoreRefused("no Graph Store URL is set for the remote store")
        self._send(
            method,
            self.endpoints.graph_store,
            None,
            params={"graph": graph},
            content=ntriples,
            headers={"Content-Type": "application/n-triples", "Accept": "*/*"},
        )

    # -- the wire --------------------------------------------------------------------------

    def _auth_here(self) -> httpx.Auth | None:
        """This thread's sign-in: httpx's digest auth counts nonces without a lock, so each
        thread has its own (the connections are shared)."""
        found: httpx.Auth | None = getattr(self._auths, "auth", None)
        if found is None and self.endpoints.user is not None:
            found = self._auths.auth = _auth(self.endpoints)
        return found

    def _send(
        self, method: str, url: str, timeout: float | None, **request: object
    ) -> tuple[bytes, str]:
        limit = self.timeout if timeout is None else timeout
        shown = _shown(url)
        try:
            with self._client.stream(
                method,
                url,
                auth=self._auth_here(),
                timeout=httpx.Timeout(limit, connect=self._connect_timeout),
                **request,  # type: ignore[arg-type]
            ) as response:
                body = self._read(response, time.monotonic() + limit, limit)
        except httpx.TimeoutException as error:
            raise StoreTimeout(f"the store at {shown} did not answer within {limit:g} s") from error
        except httpx.TransportError as error:
            raise StoreUnavailable(f"the store at {shown} cannot be reached: {error}") from error
        except (httpx.HTTPError, httpx.InvalidURL) as error:
            raise StoreFailed(f"the store at {shown} cannot be read: {error}") from error
        return body, _media_type(response)

    def _read(self, response: httpx.Response, deadline: float, limit: float) -> bytes:
        """The whole body, within the deadline (a store that trickles is stopped too)."""
        body = bytearray()
        for block in response.iter_bytes():
            body += block
            if len(body) > self.max_response_bytes:
                raise StoreFailed(
                    f"the store's answer is larger than {self.max_response_bytes} bytes"
                )
            if time.monotonic() > deadline:
                raise StoreTimeout(f"the store's answer took longer than {limit:g} s")
        if not response.is_success:  # a redirect too: the write did not happen
            raise _refusal(response, bytes(body))
        return bytes(body)


def graphs_of(store: OxigraphStore) -> dict[str, bytes]:
    """Each named graph of an embedded store as N-Triples, for RemoteStore.publish."""
    return {
        graph: store.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))
        or b""
        for graph in store.graphs()
    }


def _auth(endpoints: Endpoints) -> httpx.Auth | None:
    if endpoints.user is None:
        return None
    password = endpoints.password or ""
    if endpoints.auth == "digest":
        return httpx.DigestAuth(endpoints.user, password)
    return httpx.BasicAuth(endpoints.user, password)


def _refusal(response: httpx.Response, body: bytes) -> StoreError:
    """A store's answer that is not a success, as the error that says whose fault it is: only a
    400 is the request's (a query the store cannot parse); the rest is the store's."""
    status, url = response.status_code, _shown(str(response.url))
    said = " ".join(body.decode("utf-8", "replace").split())[:300]
    if 300 <= status < 400:
        where = _shown(response.headers.get("location", "elsewhere"))
        return StoreFailed(f"the store at {url} redirects ({status}) to {where}: set its URL")
    if status in (401, 403):
        return StoreFailed(f"the store at {url} refused the service's credentials ({status})")
    if status in (408, 504):
        return StoreTimeout(f"the store at {url} gave up ({status}): {said}")
    if status in (429, 503):
        return StoreUnavailable(f"the store at {url} is busy or down ({status}): {said}")
    if status == 400:
        return StoreRefused(f"the store refused the request (400): {said}")
    return StoreFailed(f"the store at {url} failed ({status}): {said}")


def _shown(url: str) -> str:
    """url without a user or password in it (for messages)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def _string(text: str) -> str:
    """A SPARQL string literal of text."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _media_type(response: httpx.Response) -> str:
    found: str = response.headers.get("content-type", "")
    return found.split(";")[0].strip().lower()


def _parse(body: bytes, media_type: str) -> QueryResult:
    results = _RESULTS.get(media_type)
    try:
        if results is not None:
            if results is ox.QueryResultsFormat.JSON:
                body = _virtuoso_terms(body)
            found = ox.parse_query_results(body, results)
            if isinstance(found, ox.QueryBoolean):
                return found
            for _ in found:  # rows are read lazily: a broken one would fail later, elsewhere
                pass
            return ox.parse_query_results(body, results)
        rdf = ox.RdfFormat.from_media_type(media_type)
        if rdf is not None:
            return _triples(body, rdf)
    except SyntaxError as error:
        raise StoreFailed(f"the store's answer ({media_type}) cannot be read: {error}") from error
    raise StoreFailed(f"the store answered with {media_type or 'no media type'}, not results")


def _virtuoso_terms(body: bytes) -> bytes:
    """Virtuoso's JSON results, made plain: xsd:boolean values written "0" and "1" (valid, but
    neither what was stored nor what the embedded engine gives) as "false" and "true", and
    blank nodes labelled `nodeID://b123` (not a valid label) as `b123`."""
    if _BOOLEAN_TYPE in body:
        body = _ZERO_ONE.sub(lambda m: m[1] + (b"true" if m[2] == b"1" else b"false") + m[3], body)
    return _NODE_ID.sub(rb"\1", body)


def _triples(body: bytes, rdf: ox.RdfFormat) -> ox.QueryTriples:
    """A CONSTRUCT/DESCRIBE answer as pyoxigraph's own triples (loaded into a scratch store and
    read back, so callers get the type the embedded engine gives)."""
    scratch = ox.Store()
    scratch.load(body, format=rdf)
    found = scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")
    assert isinstance(found, ox.QueryTriples)
    return found


def _chunks(ntriples: bytes, size: int) -> Iterator[bytes]:
    """N-Triples in blocks of about size bytes, whole lines, blank-node lines first together;
    at least one block (an empty PUT still replaces the graph)."""
    lines = ntriples.splitlines(keepends=True)
    blank = [line for line in lines if b"_:" in line]
    rest = [line for line in lines if b"_:" not in line]
    block, length = list(blank), sum(map(len, blank))
    for line in rest:
        if block and length + len(line) > size:
            yield b"".join(block)
            block, length = [], 0
        block.append(line)
        length += len(line)
    yield b"".join(block)


def _stamp(version: str) -> str:
    """One request (one transaction on Oxigraph server). A single DELETE/INSERT … WHERE
    OPTIONAL would spare Virtuoso's readers a moment without a version, but Virtuoso 7 then
    inserts nothing."""
    triple = f"<{DATASET}> <{VERSION}>"
    return (
        f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ {triple} ?old }} }} ;\n"
        f'INSERT DATA {{ GRAPH <{META_GRAPH}> {{ {triple} "{version}" }} }}'
    )


def _new_version(previous: str) -> str:
    what = f"{previous} write {time.time_ns()} {os.getpid()}".encode()
    return hashlib.sha256(what).hexdigest()[:16]
