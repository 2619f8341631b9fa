"""What a query worker does with one job: evaluate it and write the answer, within the caps.

Runs inside the worker processes of phakhi.graph.runner, so it imports neither FastAPI nor
rdflib (each new worker starts faster) and reports errors as values (Refusal), which cross the
process boundary intact.

Writing is pyoxigraph's own, with the caps enforced without evaluating a query twice:
- SELECT as JSON (the default) is written natively straight into a buffer that counts rows
  with bytes.count on each block pyoxigraph writes (no per-row Python); only when rows without
  any binding make the count ambiguous near the cap is the query evaluated again, as below.
- Other SELECT formats are written natively as TSV into a buffer that counts lines: TSV
  escapes newlines inside terms, so rows = lines - 1 exactly, and writing stops at the first
  row over the cap. The TSV is then parsed and rewritten natively in the asked format
  (lossless: TSV carries full RDF terms).
- CONSTRUCT/DESCRIBE triples go through a generator that stops at the cap into
  pyoxigraph.serialize.
- Every body is written into a buffer that stops at max_bytes.
"""

import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from phakhi.api import errors
from phakhi.api.query_shape import QUERY_FORMS, check_query
from phakhi.graph.store import Engine, QueryResult

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

TSV_TYPE = "text/tab-separated-values"
JSON_TYPE = "application/sparql-results+json"
# Prefixes for Turtle and RDF/XML answers (formats without prefixes ignore them).
PREFIXES = {
    "phk": "https://w3id.org/phakhi/ontology#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "org": "http://www.w3.org/ns/org#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "schema": "https://schema.org/",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
}
_POSITION = re.compile(r"at (\d+):(\d+)")
GRAPH_FORMS = {"CONSTRUCT", "DESCRIBE"}


@dataclass(frozen=True)
class QueryJob:
    query: str
    default_graphs: tuple[str, ...] | None  # None: not given (the union of all named graphs)
    named_graphs: tuple[str, ...] | None  # None: not given (all named graphs)
    result_type: str | None  # media type for SELECT/ASK; None: the client accepts none
    graph_type: str | None  # media type for CONSTRUCT/DESCRIBE; None: the client accepts none
    max_results: int
    max_bytes: int
    allowed_hosts: tuple[str, ...] = ()  # SERVICE may call these (service_allow_list)
    forms_only: bool = False  # refuse what does not start as a query (query_shape.check_query)
    dataset_version: str = ""  # the worker reopens its on-disk store when this changes


@dataclass(frozen=True)
class Answer:
    media_type: str
    body: bytes


@dataclass(frozen=True)
class Refusal:
    code: str  # an errors.PhakhiError code, or query_failed
    message: str
    detail: dict[str, Any] = field(default_factory=dict)


Outcome = Answer | Refusal


class _CapExceeded(Exception):
    """Raised from inside pyoxigraph's writing (write callbacks, the triples iterator)."""

    def __init__(self, message: str, detail: dict[str, Any]) -> None:
        super().__init__(message)
        self.message, self.detail = message, detail


def _over_rows(cap: int, unit: str) -> _CapExceeded:
    message = f"the result has more than {cap} {unit}; add LIMIT/OFFSET to page through it"
    return _CapExceeded(message, {"max_results": cap})


class _BoundedBuffer(io.BytesIO):
    def __init__(self, max_bytes: int) -> None:
        super().__init__()
        self.max_bytes = max_bytes

    def write(self, data: "ReadableBuffer", /) -> int:
        written = super().write(data)
        if self.tell() > self.max_bytes:
            message = (
                f"the response would be larger than {self.max_bytes} bytes; "
                "add LIMIT/OFFSET to page through it"
            )
            raise _CapExceeded(message, {"max_response_bytes": self.max_bytes})
        return written


class _TsvRowCounter(_BoundedBuffer):
    def __init__(self, max_bytes: int, max_rows: int) -> None:
        super().__init__(max_bytes)
        self.max_rows, self.lines = max_rows, 0

    def write(self, data: "ReadableBuffer", /) -> int:
        self.lines += bytes(data).count(b"\n")
        if self.lines > self.max_rows + 1:  # the header is a line too
            raise _over_rows(self.max_rows, "rows")
        return super().write(data)


class _JsonRowCounter(_BoundedBuffer):
    """Counts the rows of SPARQL JSON results as pyoxigraph writes them, in C (bytes.count).

    In pyoxigraph's compact JSON a row is an object in the bindings array: `[{"` or `,{"` opens
    one, and neither can occur inside a string (a quote there is written \"). A row without
    bindings is `{}`, which a string can hold too: those make `lower` exact but `upper` an upper
    bound; when the cap falls between the two the caller counts again (TSV)."""

    JSON_ROW_STARTS = (b'[{"', b',{"')

    def __init__(self, max_bytes: int, max_rows: int) -> None:
        super().__init__(max_bytes)
        self.max_rows, self.lower, self.empty = max_rows, 0, 0
        self.tail = b""

    def write(self, data: "ReadableBuffer", /) -> int:
        chunk = bytes(data)
        seen = self.tail + chunk
        self.lower += sum(seen.count(start) for start in self.JSON_ROW_STARTS)
        self.empty += (self.tail[-1:] + chunk).count(b"{}")
        self.tail = seen[-2:]
        if self.lower > self.max_rows:
            raise _over_rows(self.max_rows, "rows")
        return super().write(chunk)

    @property
    def upper(self) -> int:
        return self.lower + self.empty


def _capped(triples: Iterable[ox.Triple], cap: int) -> Iterator[ox.Triple]:
    for count, triple in enumerate(triples):
        if count >= cap:
            raise _over_rows(cap, "triples")
        yield triple


def _evaluate(engine: Engine, job: QueryJob, own_dataset: bool) -> QueryResult:
    if job.default_graphs is None and job.named_graphs is None:
        if own_dataset:
            return engine.query_as_written(job.query)
        return engine.query(job.query)
    named = job.named_graphs
    if named is None and own_dataset:
        named = tuple(engine.graphs())  # the protocol's dataset replaces the query's FROM NAMED
    return engine.query(
        job.query,
        default_graphs=list(job.default_graphs) if job.default_graphs is not None else None,
        named_graphs=list(named) if named is not None else None,
    )


def _write(
    result: QueryResult, job: QueryJob, media_type: str, *, direct_json: bool = True
) -> bytes | None:
    """The body, or None when a JSON row count was ambiguous (evaluate again without
    direct_json: counted as TSV, then rewritten as JSON)."""
    if isinstance(result, ox.QueryTriples):
        out = _BoundedBuffer(job.max_bytes)
        fmt = ox.RdfFormat.from_media_type(media_type)
        ox.serialize(_capped(result, job.max_results), out, fmt, prefixes=PREFIXES)
        return out.getvalue()
    if isinstance(result, ox.QueryBoolean):
        return result.serialize(format=ox.QueryResultsFormat.from_media_type(media_type)) or b""
    if media_type == JSON_TYPE and direct_json:
        counted = _JsonRowCounter(job.max_bytes, job.max_results)
        result.serialize(counted, format=ox.QueryResultsFormat.JSON)
        if counted.upper <= job.max_results:
            return counted.getvalue()
        return None  # ambiguous: rows without bindings, or "{}" inside strings; count again
    tsv = _TsvRowCounter(job.max_bytes, job.max_results)
    result.serialize(tsv, format=ox.QueryResultsFormat.TSV)
    if media_type == TSV_TYPE:
        return tsv.getvalue()
    out = _BoundedBuffer(job.max_bytes)
    rows = ox.parse_query_results(tsv.getvalue(), ox.QueryResultsFormat.TSV)
    rows.serialize(out, format=ox.QueryResultsFormat.from_media_type(media_type))
    return out.getvalue()


def malformed(error: SyntaxError) -> Refusal:
    """pyoxigraph's parser message, with its line and column (counted in characters)."""
    message = str(error)
    found = _POSITION.search(message)
    detail = {"line": int(found[1]), "column": int(found[2])} if found else {}
    return Refusal("malformed_query", f"malformed query: {message}", detail)


def _not_acceptable(is_graph: bool) -> Refusal:
    form = "CONSTRUCT/DESCRIBE" if is_graph else "SELECT/ASK"
    detail = {"form": "graph" if is_graph else "results"}
    return Refusal("not_acceptable", f"no acceptable format for a {form} result", detail)


def execute(engine: Engine, job: QueryJob) -> Outcome:
    """Check job.query (query_shape.check_query), evaluate it and write it in the asked format;
    the handler of every query worker."""
    try:
        shape = check_query(job.query, job.allowed_hosts, forms_only=job.forms_only)
    except errors.PhakhiError as error:
        return Refusal(error.code, error.message, error.detail)
    if shape.form in QUERY_FORMS:  # known before evaluating: refuse first
        is_graph = shape.form in GRAPH_FORMS
        if (job.graph_type if is_graph else job.result_type) is None:
            return _not_acceptable(is_graph)
    try:
        result = _evaluate(engine, job, shape.own_dataset)
    except SyntaxError as error:
        return malformed(error)
    is_graph = isinstance(result, ox.QueryTriples)
    media_type = job.graph_type if is_graph else job.result_type
    if media_type is None:
        return _not_acceptable(is_graph)
    try:
        body = _write(result, job, media_type)
        if body is None:
            again = _evaluate(engine, job, shape.own_dataset)
            body = _write(again, job, media_type, direct_json=False)
            assert body is not None
        return Answer(media_type, body)
    except _CapExceeded as error:
        return Refusal("too_large", error.message, error.detail)
    except OSError as error:  # pyoxigraph reports evaluation failures as OSError
        return Refusal("query_failed", f"the query failed: {error}")
