"""The formats /sparql speaks, and choosing one from `format=` or the Accept header (RFC 9110)."""

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from phakhi.api.errors import BadRequest

FORMATS_NS = "http://www.w3.org/ns/formats/"


@dataclass(frozen=True)
class Format:
    media_type: str  # the type we send
    names: tuple[str, ...]  # values of the `format` parameter that pick it
    iri: str  # its W3C format IRI, for the service description
    aliases: tuple[str, ...] = ()  # other media types clients ask for it by

    @property
    def content_type(self) -> str:
        # every format here is text in UTF-8; saying so spares clients from guessing
        return f"{self.media_type}; charset=utf-8"

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)


JSON = Format(
    "application/sparql-results+json", ("json",), FORMATS_NS + "SPARQL_Results_JSON",
    ("application/json",),
)  # fmt: skip
XML = Format("application/sparql-results+xml", ("xml",), FORMATS_NS + "SPARQL_Results_XML")
CSV = Format("text/csv", ("csv",), FORMATS_NS + "SPARQL_Results_CSV")
TSV = Format("text/tab-separated-values", ("tsv",), FORMATS_NS + "SPARQL_Results_TSV")
TURTLE = Format(
    "text/turtle", ("turtle", "ttl"), FORMATS_NS + "Turtle",
    ("application/turtle", "application/x-turtle"),
)  # fmt: skip
NTRIPLES = Format("application/n-triples", ("ntriples", "nt"), FORMATS_NS + "N-Triples")
# "json" and "xml" also name the graph formats, so `format=json` works for every query form
JSONLD = Format(
    "application/ld+json", ("jsonld", "json-ld", "json"), FORMATS_NS + "JSON-LD",
    ("application/json", "application/x-json+ld"),
)  # fmt: skip
RDFXML = Format("application/rdf+xml", ("rdfxml", "rdf+xml", "xml"), FORMATS_NS + "RDF_XML")

# Server preference order: the first is the default, and wins ties.
RESULT_FORMATS: tuple[Format, ...] = (JSON, XML, CSV, TSV)  # SELECT, ASK
GRAPH_FORMATS: tuple[Format, ...] = (TURTLE, NTRIPLES, JSONLD, RDFXML)  # CONSTRUCT, DESCRIBE
ALL_FORMATS = RESULT_FORMATS + GRAPH_FORMATS
FORMAT_NAMES = sorted({name for fmt in ALL_FORMATS for name in fmt.names})


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float

    def specificity(self, media_type: str) -> int:
        """3 for an exact match, 2 for type/*, 1 for */*, 0 when it does not match."""
        kind, _, sub = media_type.partition("/")
        if self.type == "*":
            return 1
        if self.type != kind:
            return 0
        if self.subtype == "*":
            return 2
        return 3 if self.subtype == sub else 0


def parse_accept(header: str) -> list[MediaRange]:
    """The media ranges of an Accept header; malformed ranges are ignored, as RFC 9110 allows."""
    ranges = []
    for item in header.split(","):
        found = _parse_range(item)
        if found is not None:
            ranges.append(found)
    return ranges


def _parse_range(item: str) -> MediaRange | None:
    media, *params = (part.strip() for part in item.split(";"))
    kind, slash, sub = media.lower().partition("/")
    if not slash or not kind or not sub or (kind == "*" and sub != "*"):
        return None
    q = 1.0
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                q = float(value.strip())
            except ValueError:
                return None
            if not math.isfinite(q):  # q=nan, q=inf: malformed, not a preference
                return None
    return MediaRange(kind, sub, min(max(q, 0.0), 1.0))


def quality(fmt: Format, ranges: Sequence[MediaRange]) -> float:
    """The q the client gives fmt: that of the most specific range matching it.

    Aliases count only when named exactly: application/* means our canonical types.
    """
    best, q = 0, 0.0
    for media_range in ranges:
        specificity = media_range.specificity(fmt.media_type)
        if any(media_range.specificity(alias) == 3 for alias in fmt.aliases):
            specificity = 3
        if specificity > best or (specificity == best and specificity and media_range.q > q):
            best, q = specificity, media_range.q
    return q


@functools.lru_cache(maxsize=256)  # clients send the same few Accept headers again and again
def negotiate(accept: str | None, offered: tuple[Format, ...]) -> Format | None:
    """The acceptable format with the highest q (ties: server order); None if none is."""
    if accept is None or not accept.strip():
        return offered[0]
    ranges = parse_accept(accept)
    if not ranges:  # an Accept header we cannot read at all is treated as absent
        return offered[0]
    scored = [(quality(fmt, ranges), -index, fmt) for index, fmt in enumerate(offered)]
    q, _, fmt = max(scored, key=lambda item: item[:2])
    return fmt if q > 0 else None


def by_name(value: str, offered: Sequence[Format]) -> Format | None:
    """The format a `format=` value names among offered: a short name or a media type."""
    value = value.strip().lower()
    for fmt in offered:
        if value in fmt.names or value in fmt.media_types:
            return fmt
    return None


def choose(
    formats: Sequence[str], accept: str | None, offered: tuple[Format, ...]
) -> Format | None:
    """`format=` wins over Accept; its first value we know decides.

    Raises BadRequest when no `format` value is known at all (a typo should not silently give
    the default); returns None when the known ones only fit the other query form.
    """
    if not formats:
        return negotiate(accept, offered)
    for value in formats:
        fmt = by_name(value, offered)
        if fmt is not None:
            return fmt
    if not any(by_name(value, ALL_FORMATS) for value in formats):
        raise BadRequest(
            f"unknown format {formats[0]!r}; use one of {', '.join(FORMAT_NAMES)}",
            detail={"format": list(formats), "known": FORMAT_NAMES},
        )
    return None
