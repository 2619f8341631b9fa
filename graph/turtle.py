"""Deterministic RDF text: the fixed prefix table, term syntax, and the Turtle/TriG and
N-Triples/N-Quads writers.

The writers take *blocks* (one subject with its sorted predicate-object pairs, in one graph),
already in a stable order, plus a `Blanks` index of the blank-node triples, which are few (the
ontology's owl:members lists; the compiled data has none) and held in memory with canonical
(RDFC-1.0) labels. Turtle and TriG write a blank node inline, as `[ ... ]` or `( ... )`, wherever
it is used exactly once, so labels only show for shared or cyclic blank nodes.
"""

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

import pyoxigraph as ox

Subject = ox.NamedNode | ox.BlankNode
Term = ox.NamedNode | ox.BlankNode | ox.Literal
Pair = tuple[ox.NamedNode, Term]
GraphName = str | None  # a named graph's IRI; None is the default graph (or the union)

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD_NS = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = RDF_NS + "type"
RDF_FIRST = RDF_NS + "first"
RDF_REST = RDF_NS + "rest"
RDF_NIL = RDF_NS + "nil"
RDF_LANG_STRING = RDF_NS + "langString"
XSD_STRING = XSD_NS + "string"
INDENT = "    "

_ID = "https://w3id.org/phakhi/id/"
# Kinds of entity (graph.compiler.CLASSES) and the other things that have IRIs under /id/.
DATA_KINDS = (
    "agency", "capacity", "commitment", "direction", "event", "evidence", "grant", "mechanism",
    "mechanism-type", "membership", "objective", "participation", "person", "phase", "place",
    "programme", "project", "province", "role", "source", "statistic", "status", "theme", "unit",
)  # fmt: skip

# The one prefix table of every export, always declared in full and in this order, so a change
# to the data never changes a file's header. Data prefixes read as the entity's kind.
PREFIXES: tuple[tuple[str, str], ...] = (
    ("phk", "https://w3id.org/phakhi/ontology#"),
    ("phks", "https://w3id.org/phakhi/shapes#"),
    ("org", "http://www.w3.org/ns/org#"),
    ("foaf", "http://xmlns.com/foaf/0.1/"),
    ("skos", "http://www.w3.org/2004/02/skos/core#"),
    ("prov", "http://www.w3.org/ns/prov#"),
    ("dcterms", "http://purl.org/dc/terms/"),
    ("schema", "https://schema.org/"),
    ("geo", "http://www.w3.org/2003/01/geo/wgs84_pos#"),
    ("vann", "http://purl.org/vocab/vann/"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("rdf", RDF_NS),
    ("owl", "http://www.w3.org/2002/07/owl#"),
    ("xsd", XSD_NS),
    ("sh", "http://www.w3.org/ns/shacl#"),
    ("graph", "https://w3id.org/phakhi/graph/"),
    ("refgraph", "https://w3id.org/phakhi/graph/reference/"),
    *((kind, f"{_ID}{kind}/") for kind in DATA_KINDS),
)
# Longest namespace first, so .../graph/reference/x is refgraph:x, not graph:reference/x.
_BY_LENGTH = sorted(PREFIXES, key=lambda item: -len(item[1]))
# A conservative, non-empty PN_LOCAL (Turtle), also a valid JSON-LD compact IRI suffix.
_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?")
_NUMBER = {
    XSD_NS + "integer": re.compile(r"[+-]?[0-9]+"),
    XSD_NS + "decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    XSD_NS + "boolean": re.compile(r"true|false"),
}
_ECHAR = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_STRING_ESCAPE = re.compile(r'["\\\x00-\x1f\x7f]')
_IRI_ESCAPE = re.compile(r'[\x00-\x20<>"{}|^`\\]')


# -- terms ---------------------------------------------------------------------------------------


def escape_string(text: str) -> str:
    """The body of a quoted literal: canonical N-Triples escaping, also valid Turtle."""

    def one(match: re.Match[str]) -> str:
        char = match.group()
        return _ECHAR.get(char) or f"\\u{ord(char):04X}"

    return _STRING_ESCAPE.sub(one, text)


def iri_ref(iri: str) -> str:
    return "<" + _IRI_ESCAPE.sub(lambda m: f"\\u{ord(m.group()):04X}", iri) + ">"


@lru_cache(maxsize=65536)
def split_prefixed(iri: str) -> tuple[str, str] | None:
    """(prefix, local) when the IRI can be written as a prefixed name of the fixed table."""
    for prefix, namespace in _BY_LENGTH:
        if iri.startswith(namespace):
            local = iri[len(namespace) :]
            return (prefix, local) if _LOCAL.fullmatch(local) else None
    return None


@lru_cache(maxsize=65536)
def turtle_iri(iri: str) -> str:
    found = split_prefixed(iri)
    return f"{found[0]}:{found[1]}" if found else iri_ref(iri)


def nt_term(term: Term) -> str:
    """A term in N-Triples syntax (canonical form)."""
    if isinstance(term, ox.NamedNode):
        return iri_ref(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return _literal(term, iri_ref)


def turtle_literal(literal: ox.Literal) -> str:
    datatype = literal.datatype.value
    pattern = _NUMBER.get(datatype)
    if pattern is not None and pattern.fullmatch(literal.value):
        return literal.value
    return _literal(literal, turtle_iri)


def _literal(literal: ox.Literal, write_iri: Callable[[str], str]) -> str:
    body = f'"{escape_string(literal.value)}"'
    if literal.language:
        direction = f"--{literal.direction}" if literal.direction else ""
        return f"{body}@{literal.language}{direction}"
    if literal.datatype.value == XSD_STRING:
        return body
    return f"{body}^^{write_iri(literal.datatype.value)}"


def pair_key(pair: Pair) -> tuple[int, str, int, str, str, str]:
    """rdf:type first, then predicates by IRI; objects IRIs, blank nodes, literals (by text,
    language, datatype)."""
    predicate, obj = pair
    first = 0 if predicate.value == RDF_TYPE else 1
    if isinstance(obj, ox.Literal):
        return first, predicate.value, 2, obj.value, obj.language or "", obj.datatype.value
    return first, predicate.value, _RANK[type(obj)], obj.value, "", ""


_RANK: dict[type, int] = {ox.NamedNode: 0, ox.BlankNode: 1, ox.Literal: 2}


def subject_key(subject: Subject) -> tuple[int, str]:
    """IRIs in code-point order (SPARQL's ORDER BY), then blank nodes by canonical label."""
    if isinstance(subject, ox.NamedNode):
        return 0, subject.value
    return 1, f"{len(subject.value):04d}{subject.value}"


def graph_key(graph: GraphName) -> tuple[int, str]:
    return (0, "") if graph is None else (1, graph)


# -- blocks and blank nodes ----------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """One subject of one graph with its predicate-object pairs, deduplicated and sorted."""

    graph: GraphName
    subject: Subject
    pairs: tuple[Pair, ...]


def make_block(graph: GraphName, subject: Subject, pairs: Iterable[Pair]) -> Block:
    return Block(graph, subject, tuple(sorted(set(pairs), key=pair_key)))


@dataclass
class Blanks:
    """Every triple that has a blank node, with canonical labels, and how Turtle writes each."""

    described: dict[tuple[GraphName, Subject], list[Pair]] = field(default_factory=dict)
    uses: dict[ox.BlankNode, int] = field(default_factory=lambda: defaultdict(int))
    graphs: dict[ox.BlankNode, set[GraphName]] = field(default_factory=lambda: defaultdict(set))
    inline: set[ox.BlankNode] = field(default_factory=set)

    @classmethod
    def build(cls, quads: Iterable[tuple[GraphName, Subject, ox.NamedNode, Term]]) -> "Blanks":
        blanks = cls()
        described: dict[tuple[GraphName, Subject], set[Pair]] = defaultdict(set)
        for graph, subject, predicate, obj in quads:
            described[graph, subject].add((predicate, obj))
            if isinstance(subject, ox.BlankNode):
                blanks.graphs[subject].add(graph)
            if isinstance(obj, ox.BlankNode):
                blanks.uses[obj] += 1
                blanks.graphs[obj].add(graph)
        blanks.described = {key: sorted(v, key=pair_key) for key, v in described.items()}
        blanks._mark_inline()
        return blanks

    def anonymous(self, node: ox.BlankNode) -> bool:
        """Used by nothing: Turtle writes it as a top-level `[ ... ] .`."""
        return self.uses[node] == 0 and len(self.graphs[node]) == 1

    def _mark_inline(self) -> None:
        """Blank nodes used once, reachable from an IRI, an unused or a shared blank node, are
        written inline where they are used; the rest (shared, cyclic) keep canonical labels."""
        stack = [
            key for key in self.described
            if isinstance(key[1], ox.NamedNode) or not self._single(key[1])
        ]  # fmt: skip
        while stack:
            graph, subject = stack.pop()
            for _, obj in self.described.get((graph, subject), []):
                if isinstance(obj, ox.BlankNode) and obj not in self.inline and self._single(obj):
                    self.inline.add(obj)
                    stack.append((graph, obj))

    def _single(self, node: ox.BlankNode) -> bool:
        return self.uses[node] == 1 and len(self.graphs[node]) == 1

    def pairs(self, graph: GraphName, node: Subject) -> list[Pair]:
        return self.described.get((graph, node), [])

    def list_items(self, graph: GraphName, node: ox.BlankNode) -> list[Term] | None:
        """The members when node heads a well-formed RDF list written inline, else None."""
        items: list[Term] = []
        current: Term = node
        while not (isinstance(current, ox.NamedNode) and current.value == RDF_NIL):
            if not isinstance(current, ox.BlankNode) or current not in self.inline:
                return None
            pairs = self.pairs(graph, current)
            by_predicate = {predicate.value: obj for predicate, obj in pairs}
            if len(pairs) != 2 or set(by_predicate) != {RDF_FIRST, RDF_REST}:
                return None
            items.append(by_predicate[RDF_FIRST])
            current = by_predicate[RDF_REST]
        return items


# -- Turtle and TriG -----------------------------------------------------------------------------


def prefix_lines() -> str:
    return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES)


class TurtleWriter:
    """Turtle (one graph) or TriG (named graphs in `graph:x { ... }` blocks)."""

    def __init__(self, blanks: Blanks, *, trig: bool = False) -> None:
        self.blanks = blanks
        self.trig = trig

    def write(self, blocks: Iterable[Block]) -> Iterator[str]:
        yield prefix_lines()
        current: GraphName = None
        opened = False
        for block in blocks:
            if self.trig and (not opened or block.graph != current):
                if opened:
                    yield "}\n"
                current, opened = block.graph, True
                name = "" if current is None else turtle_iri(current) + " "
                yield f"\n{name}{{\n"
            text = self.block(block)
            if text:
                yield "\n" + text
        if self.trig and opened:
            yield "}\n"

    def block(self, block: Block) -> str:
        """A subject and its pairs; '' for a blank node written inline where it is used."""
        base = INDENT if self.trig else ""
        subject = block.subject
        if isinstance(subject, ox.BlankNode):
            if subject in self.blanks.inline:
                return ""
            if self.blanks.anonymous(subject):
                body = self._pairs(block.graph, block.pairs, base + INDENT)
                return f"{base}[\n{body}\n{base}] .\n"
        head = turtle_iri(subject.value) if isinstance(subject, ox.NamedNode) else nt_term(subject)
        return f"{base}{head}\n{self._pairs(block.graph, block.pairs, base + INDENT)} .\n"

    def _pairs(self, graph: GraphName, pairs: Iterable[Pair], indent: str) -> str:
        groups: dict[str, list[Term]] = {}
        for predicate, obj in pairs:
            groups.setdefault(predicate.value, []).append(obj)
        parts = []
        for iri, objects in groups.items():
            name = "a" if iri == RDF_TYPE else turtle_iri(iri)
            first = self._object(graph, objects[0], indent)
            rest = [self._object(graph, obj, indent + INDENT) for obj in objects[1:]]
            parts.append(f"{indent}{name} " + f" ,\n{indent}{INDENT}".join([first, *rest]))
        return " ;\n".join(parts)

    def _object(self, graph: GraphName, term: Term, indent: str) -> str:
        if isinstance(term, ox.NamedNode):
            return turtle_iri(term.value)
        if isinstance(term, ox.Literal):
            return turtle_literal(term)
        if term not in self.blanks.inline:
            return nt_term(term)
        items = self.blanks.list_items(graph, term)
        if items is not None:
            inner = indent + INDENT
            lines = "".join(f"{inner}{self._object(graph, item, inner)}\n" for item in items)
            return f"(\n{lines}{indent})"
        pairs = self.blanks.pairs(graph, term)
        if not pairs:
            return "[]"
        return f"[\n{self._pairs(graph, pairs, indent + INDENT)}\n{indent}]"


# -- N-Triples and N-Quads -----------------------------------------------------------------------


def ntriples(blocks: Iterable[Block], *, quads: bool = False) -> Iterator[str]:
    """One line per statement, in block order; N-Quads adds the graph name (none: default)."""
    for block in blocks:
        subject = nt_term(block.subject)
        graph = f" {iri_ref(block.graph)}" if quads and block.graph is not None else ""
        yield "".join(f"{subject} {nt_term(p)} {nt_term(o)}{graph} .\n" for p, o in block.pairs)
