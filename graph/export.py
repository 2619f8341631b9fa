"""Exports that other tools open: RDF in six syntaxes, and the network for Gephi, Cytoscape and
spreadsheets. Every export is a generator of byte chunks (HTTP streams it, the CLI writes it to
a file atomically) and is deterministic: the same graph gives byte-identical files.

Where the data comes from. RDF exports read the engine through `Engine.query` only (SPARQL
SELECT), so they work unchanged on the embedded Oxigraph store and on a remote SPARQL store:

* the statements without blank nodes come from one `SELECT ... ORDER BY ?g ?s` and are turned
  into text one subject at a time; the engine sorts (Oxigraph natively, a remote store on its
  side), and this process holds one subject and one output chunk, never the whole file;
* the statements with a blank node (the ontology's owl:members lists; the compiled data has
  none) come from one second SELECT, are held in memory and given canonical RDFC-1.0 labels
  (pyoxigraph `Dataset.canonicalize`). Taking them all from one query keeps blank-node
  identity consistent even where a remote store relabels blank nodes per result.

Order: named graphs by IRI (the default graph first), subjects by IRI in code-point order
(SPARQL ORDER BY; an engine that returns rows out of order is caught, not silently trusted),
then blank subjects by canonical label; rdf:type first, then predicates by IRI; objects IRIs,
blank nodes, literals. The prefix table is fixed (graph.turtle.PREFIXES).

Named graphs (TriG, N-Quads, JSON-LD with named=True): every graph named by an IRI, plus what
is only in the store's default graph (`MINUS` the named graphs: a statement in both is written
once, in its named graph). Graphs named by a blank node are not exported; Phakhi makes none.

The network exports (GraphML, GEXF, CSV) write `graph.network.project(engine)`, which lives in
memory anyway; they are written once to a spooled temporary file and streamed from it.
"""

import csv
import heapq
import io
import json
import re
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeAlias

import networkx as nx
import pyoxigraph as ox
from networkx.readwrite.gexf import GEXFWriter

from phakhi.graph.atomic import write_atomically
from phakhi.graph.namespaces import BASE, ONTOLOGY_IRI
from phakhi.graph.store import Engine
from phakhi.graph.turtle import (
    PREFIXES,
    RDF_NS,
    RDF_TYPE,
    XSD_STRING,
    Blanks,
    Block,
    GraphName,
    Pair,
    Subject,
    Term,
    TurtleWriter,
    graph_key,
    make_block,
    ntriples,
    split_prefixed,
    subject_key,
)

if TYPE_CHECKING:
    AnyGraph: TypeAlias = nx.Graph[Any]
    NetworkGraph: TypeAlias = nx.MultiDiGraph[str]
else:  # networkx's classes are not subscriptable at run time
    AnyGraph = nx.Graph
    NetworkGraph = nx.MultiDiGraph

CHUNK = 1 << 16
Quad = tuple[GraphName, Subject, ox.NamedNode, Term]


class ExportNotFound(LookupError):
    """The graph or entity asked for is not in the engine (HTTP 404)."""


# -- formats -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Format:
    name: str  # as given to `phakhi export --format`
    extension: str
    media_type: str
    quads: bool = False  # keeps named graphs
    rdf: bool = True


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("ttl", "ttl", "text/turtle; charset=utf-8"),
        Format("nt", "nt", "application/n-triples"),
        Format("rdfxml", "rdf", "application/rdf+xml"),
        Format("jsonld", "jsonld", "application/ld+json"),
        Format("trig", "trig", "application/trig", quads=True),
        Format("nq", "nq", "application/n-quads", quads=True),
        Format("graphml", "graphml", "application/graphml+xml", rdf=False),
        Format("gexf", "gexf", "application/gexf+xml", rdf=False),
        Format("csv", "csv", "text/csv; charset=utf-8", rdf=False),
    )
}
FORMAT_CHOICES = tuple(FORMATS)  # for argparse choices


def get_format(name: str) -> Format:
    try:
        return FORMATS[name]
    except KeyError:
        raise ValueError(f"unknown export format {name!r} (one of {', '.join(FORMATS)})") from None


# -- reading the engine --------------------------------------------------------------------------


def _select(engine: Engine, sparql: str) -> ox.QuerySolutions:
    result = engine.query(sparql)
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError("expected SELECT solutions from the engine")
    return result


def _iri(iri: str) -> str:
    """An IRI as a SPARQL term; refuses anything that is not a valid IRI (no injection)."""
    return str(ox.NamedNode(iri))


def _pattern(graph: str | None, named: bool) -> str:
    if graph is not None:
        return f"GRAPH ?g {{ ?s ?p ?o }} VALUES ?g {{ {_iri(graph)} }}"
    if named:  # every named graph, and what is only in the default graph
        return (
            "{ GRAPH ?g { ?s ?p ?o } FILTER(isIRI(?g)) } UNION "
            "{ ?s ?p ?o MINUS { GRAPH ?h { ?s ?p ?o } } }"
        )
    return "?s ?p ?o"  # the default graph: the union of all graphs


def _rows(engine: Engine, graph: str | None, named: bool, blank: bool) -> Iterator[Quad]:
    test = "isBlank(?s) || isBlank(?o)" if blank else "!isBlank(?s) && !isBlank(?o)"
    order = "" if blank else " ORDER BY ?g ?s"
    sparql = f"SELECT ?g ?s ?p ?o WHERE {{ {_pattern(graph, named)} FILTER({test}) }}{order}"
    for g, s, p, o in _select(engine, sparql):  # by position: twice as fast as by name
        yield (g.value if named and isinstance(g, ox.NamedNode) else None), s, p, o


def canonical_blanks(quads: Iterable[Quad]) -> Blanks:
    """The blank-node statements relabelled canonically (RDFC-1.0), indexed for the writers."""
    dataset = ox.Dataset(
        ox.Quad(s, p, o, ox.NamedNode(g) if g is not None else ox.DefaultGraph())
        for g, s, p, o in quads
    )
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return Blanks.build(
        (q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else None,
         q.subject, q.predicate, q.object)
        for q in dataset
    )  # fmt: skip


_Key = tuple[tuple[int, str], tuple[int, str]]


def _groups(rows: Iterable[Quad]) -> Iterator[tuple[_Key, GraphName, Subject, list[Pair]]]:
    """Consecutive rows of one subject, checked to arrive in order."""
    key: _Key | None = None
    graph: GraphName = None
    subject: Subject | None = None
    pairs: list[Pair] = []
    for g, s, p, o in rows:
        if s != subject or g != graph:
            new = (graph_key(g), subject_key(s))
            if key is not None and subject is not None:
                if new <= key:
                    raise RuntimeError(f"the engine returned {s} out of order")
                yield key, graph, subject, pairs
            key, graph, subject, pairs = new, g, s, []
        pairs.append((p, o))
    if key is not None and subject is not None:
        yield key, graph, subject, pairs


def _blocks(rows: Iterable[Quad], blanks: Blanks) -> Iterator[Block]:
    """Merge the sorted stream with the blank-node statements, one block per subject."""
    described = blanks.described.items()
    extra = sorted(
        (((graph_key(g), subject_key(s)), g, s, pairs) for (g, s), pairs in described),
        key=lambda item: item[0],
    )
    merged = heapq.merge(_groups(rows), extra, key=lambda item: item[0])
    current: tuple[_Key, GraphName, Subject] | None = None
    pairs: list[Pair] = []
    for key, graph, subject, more in merged:
        if current is not None and key != current[0]:
            yield make_block(current[1], current[2], pairs)
            pairs = []
        current = (key, graph, subject)
        pairs.extend(more)
    if current is not None:
        yield make_block(current[1], current[2], pairs)


@dataclass(frozen=True)
class Selection:
    """What an RDF export covers: one named graph or all of them, named or merged."""

    graph: str | None = None
    named: bool = False


def read(engine: Engine, selection: Selection) -> tuple[Blanks, Iterator[Block]]:
    blanks = canonical_blanks(_rows(engine, selection.graph, selection.named, blank=True))
    return blanks, _blocks(_rows(engine, selection.graph, selection.named, False), blanks)


def from_triples(
    triples: Iterable[tuple[Subject, ox.NamedNode, Term]],
) -> tuple[Blanks, list[Block]]:
    """Blocks of a small graph held in memory (an entity's neighbourhood)."""
    plain: set[Quad] = set()
    blank: set[Quad] = set()
    for s, p, o in triples:
        has_blank = isinstance(s, ox.BlankNode) or isinstance(o, ox.BlankNode)
        (blank if has_blank else plain).add((None, s, p, o))
    blanks = canonical_blanks(blank)
    rows = sorted(plain, key=lambda q: subject_key(q[1]))
    return blanks, list(_blocks(rows, blanks))


# -- writers -------------------------------------------------------------------------------------


def _chunks(pieces: Iterable[str], size: int = CHUNK) -> Iterator[bytes]:
    buffer: list[str] = []
    length = 0
    for piece in pieces:
        buffer.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(buffer).encode("utf-8")
            buffer, length = [], 0
    if buffer:
        yield "".join(buffer).encode("utf-8")


def write_rdf(fmt: Format, blanks: Blanks, blocks: Iterable[Block], named: bool) -> Iterator[str]:
    if fmt.name in ("ttl", "trig"):
        return TurtleWriter(blanks, trig=fmt.name == "trig").write(blocks)
    if fmt.name in ("nt", "nq"):
        return ntriples(blocks, quads=named)
    if fmt.name == "rdfxml":
        return rdfxml(blocks)
    if fmt.name == "jsonld":
        return jsonld(blocks, named=named)
    raise ValueError(f"{fmt.name} is not an RDF format")


# RDF/XML -----------------------------------------------------------------------------------------

_NCNAME = re.compile(r"[A-Za-z_][A-Za-z0-9._-]*")
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_XML_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_XML_ATTR = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;", "\n": "&#10;",
     "\t": "&#9;"}
)  # fmt: skip


def _xml(text: str, table: dict[int, str]) -> str:
    if _XML_FORBIDDEN.search(text):
        raise ValueError(f"XML 1.0 cannot hold the control characters of {text[:40]!r}")
    return text.translate(table)


def _qname(iri: str) -> tuple[str, str]:
    """The element name of a predicate, and a namespace declaration when it needs its own."""
    found = split_prefixed(iri)
    if found and _NCNAME.fullmatch(found[1]):
        return f"{found[0]}:{found[1]}", ""
    cut = max(iri.rfind("#"), iri.rfind("/"), iri.rfind(":")) + 1
    if cut and _NCNAME.fullmatch(iri[cut:]):
        return f"ns:{iri[cut:]}", f' xmlns:ns="{_xml(iri[:cut], _XML_ATTR)}"'
    raise ValueError(f"RDF/XML cannot write the predicate <{iri}> as an XML name")


def _rdfxml_block(block: Block) -> str:
    subject = block.subject
    if isinstance(subject, ox.NamedNode):
        head = f'rdf:about="{_xml(subject.value, _XML_ATTR)}"'
    else:
        head = f'rdf:nodeID="{subject.value}"'
    lines = [f"  <rdf:Description {head}>\n"]
    for predicate, obj in block.pairs:
        name, declare = _qname(predicate.value)
        if isinstance(obj, ox.NamedNode):
            lines.append(f'    <{name}{declare} rdf:resource="{_xml(obj.value, _XML_ATTR)}"/>\n')
        elif isinstance(obj, ox.BlankNode):
            lines.append(f'    <{name}{declare} rdf:nodeID="{obj.value}"/>\n')
        else:
            if obj.language:
                attr = f' xml:lang="{obj.language}"'
            elif obj.datatype.value != XSD_STRING:
                attr = f' rdf:datatype="{_xml(obj.datatype.value, _XML_ATTR)}"'
            else:
                attr = ""
            lines.append(f"    <{name}{declare}{attr}>{_xml(obj.value, _XML_TEXT)}</{name}>\n")
    lines.append("  </rdf:Description>\n")
    return "".join(lines)


def rdfxml(blocks: Iterable[Block]) -> Iterator[str]:
    """RDF/XML (for Protégé): one rdf:Description per subject, blank nodes by rdf:nodeID."""
    spaces = "".join(f'\n    xmlns:{p}="{ns}"' for p, ns in PREFIXES)
    yield f'<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF{spaces}>\n'
    for block in blocks:
        yield _rdfxml_block(block)
    yield "</rdf:RDF>\n"


# JSON-LD -----------------------------------------------------------------------------------------

_PREFIX_NAMES = {p for p, _ in PREFIXES}


def context_document() -> dict[str, Any]:
    """The published JSON-LD @context (ontology/context.jsonld): the export prefix table."""
    return {"@context": {prefix: namespace for prefix, namespace in PREFIXES}}


def _jsonld_iri(iri: str) -> str:
    found = split_prefixed(iri)
    if found:
        return f"{found[0]}:{found[1]}"
    if iri.split(":", 1)[0] in _PREFIX_NAMES:
        raise ValueError(f"JSON-LD would read <{iri}> as a compact IRI")
    return iri


def _jsonld_value(term: Term) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"@id": _jsonld_iri(term.value)}
    if isinstance(term, ox.BlankNode):
        return {"@id": f"_:{term.value}"}
    value = {"@value": term.value}
    if term.language:
        value["@language"] = term.language
    elif term.datatype.value != XSD_STRING:
        value["@type"] = _jsonld_iri(term.datatype.value)
    return value


def _jsonld_node(block: Block, indent: str) -> str:
    def dump(value: object) -> str:
        return json.dumps(value, ensure_ascii=False)

    subject = block.subject
    node_id = (
        _jsonld_iri(subject.value) if isinstance(subject, ox.NamedNode) else f"_:{subject.value}"
    )
    lines = [f'{indent}  "@id": {dump(node_id)}']
    types = [o for p, o in block.pairs if p.value == RDF_TYPE and isinstance(o, ox.NamedNode)]
    if types:
        lines.append(f'{indent}  "@type": {dump([_jsonld_iri(t.value) for t in types])}')
    groups: dict[str, list[Term]] = {}
    for predicate, obj in block.pairs:
        if not (predicate.value == RDF_TYPE and isinstance(obj, ox.NamedNode)):
            groups.setdefault(predicate.value, []).append(obj)
    for iri, objects in groups.items():
        values = f",\n{indent}    ".join(dump(_jsonld_value(o)) for o in objects)
        key = dump(_jsonld_iri(iri))
        lines.append(f"{indent}  {key}: [\n{indent}    {values}\n{indent}  ]")
    return f"{indent}{{\n" + ",\n".join(lines) + f"\n{indent}}}"


def jsonld(blocks: Iterable[Block], *, named: bool = False) -> Iterator[str]:
    """JSON-LD with the published context inline (nothing to fetch); named graphs nest as
    `{"@id": graph, "@graph": [...]}` when named."""
    context = json.dumps(context_document()["@context"], ensure_ascii=False, indent=2)
    yield '{\n  "@context": ' + context.replace("\n", "\n  ") + ',\n  "@graph": ['
    first, current, opened = True, None, False
    for block in blocks:
        indent = "    "
        if named and block.graph is not None:
            if not opened or block.graph != current:
                if opened:
                    yield "\n      ]\n    }"
                yield ("" if first else ",") + "\n    {\n"
                yield f'      "@id": {json.dumps(_jsonld_iri(block.graph))},\n      "@graph": ['
                current, opened, first = block.graph, True, True
            indent = "        "
        yield ("" if first else ",") + "\n" + _jsonld_node(block, indent)
        first = False
    if opened:
        yield "\n      ]\n    }"
    yield "\n  ]\n}\n"


# -- what to export ------------------------------------------------------------------------------


def source_graph(source_id: str) -> str:
    """The named graph of a source (or `reference/<stem>` for a reference file)."""
    return f"{BASE}graph/{source_id}"


def _require_graph(engine: Engine, graph: str) -> None:
    if graph not in engine.graphs():
        raise ExportNotFound(f"no graph {graph} in the store")


def export_rdf(
    engine: Engine, fmt: str | Format, *, graph: str | None = None, named: bool | None = None
) -> Iterator[bytes]:
    """The whole graph (default: the union of all graphs), or one named graph, in an RDF format.

    named: keep graph names (default: only for TriG and N-Quads; JSON-LD may too). Raises
    ExportNotFound for an unknown graph before the first chunk, ValueError for a bad format.
    """
    fmt = fmt if isinstance(fmt, Format) else get_format(fmt)
    keep = fmt.quads if named is None else named
    if not fmt.rdf:
        raise ValueError(f"{fmt.name} is not an RDF format")
    if keep and fmt.name not in ("trig", "nq", "jsonld"):
        raise ValueError(f"{fmt.name} cannot hold named graphs")
    if graph is not None:
        _require_graph(engine, graph)
    blanks, blocks = read(engine, Selection(graph, keep))
    return _chunks(write_rdf(fmt, blanks, blocks, keep))


def ontology_version(engine: Engine) -> str | None:
    onto = _iri(str(ONTOLOGY_IRI))
    version = "<http://www.w3.org/2002/07/owl#versionInfo>"
    sparql = f"SELECT ?v WHERE {{ GRAPH {onto} {{ {onto} {version} ?v }} }}"
    versions = sorted(str(row["v"].value) for row in _select(engine, sparql))
    return versions[0] if versions else None


def export_ontology(engine: Engine, fmt: str | Format = "ttl") -> Iterator[bytes]:
    """The ontology's graph alone (with its owl:versionInfo)."""
    return export_rdf(engine, fmt, graph=str(ONTOLOGY_IRI))


def export_source(engine: Engine, source_id: str, fmt: str | Format = "ttl") -> Iterator[bytes]:
    """One source's named graph: its metadata, statements and evidence."""
    return export_rdf(engine, fmt, graph=source_graph(source_id))


# -- an entity's neighbourhood -------------------------------------------------------------------

_IDENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_NARY = "<http://www.w3.org/ns/org#Membership>, <https://w3id.org/phakhi/ontology#Participation>"
_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_TITLE = "http://purl.org/dc/terms/title"  # a source document's name
_EVIDENCE = "https://w3id.org/phakhi/ontology#Evidence"
Triple = tuple[Subject, ox.NamedNode, Term]


def entity_iri(kind: str, ident: str) -> str:
    if not (_IDENT.fullmatch(kind) and _IDENT.fullmatch(ident)):
        raise ExportNotFound(f"no entity {kind}/{ident}")
    return f"{BASE}id/{kind}/{ident}"


def neighbourhood(engine: Engine, iri: str) -> set[Triple]:
    """What a reader of one entity needs, as a small graph:

    * its concise bounded description: every statement about it, through blank nodes;
    * the statements that point at it from other IRIs (memberships, events, sub-units), and the
      whole of the n-ary nodes among them (org:Membership, phk:Participation), which mean
      nothing without their other legs; not the evidence nodes' rdf:subject/rdf:object;
    * the phk:Evidence nodes of all those statements (quote, line, source);
    * the rdfs:label (dcterms:title: sources) of every other IRI as subject or object.
    """
    e = _iri(iri)
    found: set[Triple] = set()
    for row in _select(engine, f"SELECT ?p ?o WHERE {{ {e} ?p ?o }}"):
        found.add((ox.NamedNode(iri), row["p"], row["o"]))
    if not found:
        raise ExportNotFound(f"no entity {iri}")
    if any(isinstance(o, ox.BlankNode) for _, _, o in found):
        found = {t for t in found if not isinstance(t[2], ox.BlankNode)} | _blank_closure(
            engine, iri
        )
    for sparql in _incoming(e):
        found.update((row["s"], row["p"], row["o"]) for row in _select(engine, sparql))
    return found | _labels(engine, iri, found)


def _incoming(e: str) -> tuple[str, ...]:
    """The queries for the statements pointing at e, the n-ary nodes among them and the
    evidence of all, each starting from e. Oxigraph plans them well one at a time (as one UNION
    they took a minute at 100k triples). A class is tested in a FILTER on the node at hand: as
    a pattern of its own (`?s a ?t VALUES ?t`, `?s a phk:Evidence`) it cost time that grew with
    the store, as if every member of the class were read."""
    rdf, nary = RDF_NS, f"?t FILTER(?t IN ({_NARY}))"
    evidence = f"?s ?p ?o FILTER EXISTS {{ ?s a <{_EVIDENCE}> }}"
    return (
        f"""SELECT ?s ?p ?o WHERE {{ ?s ?p {e} BIND({e} AS ?o)
            FILTER(isIRI(?s) && ?p != <{rdf}subject> && ?p != <{rdf}object>) }}""",
        f"SELECT ?s ?p ?o WHERE {{ ?s ?q {e} . ?s a {nary} ?s ?p ?o FILTER(!isBlank(?o)) }}",
        f"""SELECT ?s ?p ?o WHERE {{ ?s ?leg {e} VALUES ?leg {{ <{rdf}subject> <{rdf}object> }}
            {evidence} }}""",
        f"SELECT ?s ?p ?o WHERE {{ ?n ?q {e} . ?n a {nary} ?s <{rdf}subject> ?n . {evidence} }}",
    )


def _blank_closure(engine: Engine, iri: str) -> set[Triple]:
    """The entity's statements with blank objects and, recursively, the blank nodes' own."""
    rows = [(s, p, o) for _, s, p, o in _rows(engine, None, False, blank=True)]
    by_subject: dict[Subject, list[Triple]] = defaultdict(list)
    for triple in rows:
        by_subject[triple[0]].append(triple)
    found: set[Triple] = set()
    todo: list[Subject] = [ox.NamedNode(iri)]
    while todo:
        for triple in by_subject.pop(todo.pop(), []):
            found.add(triple)
            if isinstance(triple[2], ox.BlankNode):
                todo.append(triple[2])
    return found


def _labels(engine: Engine, iri: str, triples: set[Triple]) -> set[Triple]:
    evidence = {s for s, p, o in triples if p.value == RDF_TYPE and o.value == _EVIDENCE}
    named = {t for s, _, o in triples for t in (s, o) if isinstance(t, ox.NamedNode)}
    wanted = sorted(t.value for t in named - evidence if t.value != iri)
    if not wanted:
        return set()
    values = " ".join(_iri(w) for w in wanted)
    # a FILTER, not VALUES ?p: with both as VALUES, Oxigraph took seconds for a hub at 1M
    sparql = f"""SELECT ?x ?p ?l WHERE {{
        VALUES ?x {{ {values} }} ?x ?p ?l FILTER(?p IN (<{_LABEL}>, <{_TITLE}>)) }}"""
    return {(row["x"], row["p"], row["l"]) for row in _select(engine, sparql)}


def export_entity(
    engine: Engine, kind: str, ident: str, fmt: str | Format = "ttl"
) -> Iterator[bytes]:
    """An entity's neighbourhood (see `neighbourhood`) in a triple format."""
    fmt = fmt if isinstance(fmt, Format) else get_format(fmt)
    if not fmt.rdf or fmt.quads:
        raise ValueError(f"an entity's neighbourhood is a graph: {fmt.name} does not apply")
    blanks, blocks = from_triples(neighbourhood(engine, entity_iri(kind, ident)))
    return _chunks(write_rdf(fmt, blanks, blocks, named=False))


# -- the network: GraphML, GEXF, CSV -------------------------------------------------------------

Scalar = str | int | float | bool
_GEXF_RESERVED = {"id", "pid", "start", "end", "viz", "parents", "slices", "spells"}
_GEXF_RESERVED_EDGE = {"id", "type", "weight", "start", "end", "slices", "spells", "key",
                       "networkx_key"}  # fmt: skip
SEPARATOR = " | "


def network(engine: Engine) -> NetworkGraph:
    """The networkx projection of the engine (graph.network.project)."""
    from phakhi.graph.network import project

    graph: NetworkGraph = project(engine)
    return graph


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Scalar]:
    """Scalar attributes only: dicts become name_key, lists of scalars one joined string;
    None, empty lists and structured values (lists of records: `evidence`) are dropped."""
    flat: dict[str, Scalar] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, str | bool | int | float):
            flat[name] = value
        elif isinstance(value, Mapping):
            flat.update(_flatten(value, f"{name}_"))
        elif isinstance(value, list | tuple | set | frozenset) and value:
            items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
            if all(isinstance(item, str | bool | int | float) for item in items):
                flat[name] = SEPARATOR.join(str(item) for item in items)
    return flat


def _one_type(records: list[dict[str, Scalar]]) -> None:
    """GraphML and GEXF declare one type per attribute: mixed ones become strings."""
    kinds: dict[str, set[type]] = defaultdict(set)
    for record in records:
        for name, value in record.items():
            kinds[name].add(type(value))
    mixed = {name for name, found in kinds.items() if len(found) > 1}
    for record in records:
        for name in mixed & record.keys():
            record[name] = str(record[name])


def portable(graph: AnyGraph) -> NetworkGraph:
    """A sorted copy with scalar attributes of one type each: the same graph always writes the
    same GraphML/GEXF/CSV bytes. Node ids become strings."""
    out = NetworkGraph()
    out.graph.update(_flatten({k: v for k, v in graph.graph.items() if k != "name"}))
    if "name" in graph.graph:
        out.graph["name"] = str(graph.graph["name"])
    nodes = sorted((str(n), _flatten(d)) for n, d in graph.nodes(data=True))
    edges = sorted(
        (str(u), str(v), str(k), _flatten(d)) for u, v, k, d in _edges(graph)
    )  # fmt: skip
    _one_type([d for _, d in nodes])
    _one_type([d for *_, d in edges])
    for node, data in nodes:
        out.add_node(node, **dict(sorted(data.items())))
    for u, v, k, data in edges:
        out.add_edge(u, v, key=k, **dict(sorted(data.items())))
    return out


def _edges(graph: AnyGraph) -> Iterator[tuple[Any, Any, Any, dict[str, Any]]]:
    if isinstance(graph, nx.MultiGraph):
        yield from graph.edges(keys=True, data=True)
    else:
        for u, v, data in graph.edges(data=True):
            yield u, v, "", data


def _spooled(write: Callable[[IO[bytes]], None]) -> Iterator[bytes]:
    """Write once to a spooled temporary file, then stream it in chunks."""
    with tempfile.SpooledTemporaryFile(max_size=8 << 20) as spool:
        write(spool)
        spool.seek(0)
        while chunk := spool.read(CHUNK):
            yield chunk


def graphml(graph: AnyGraph) -> Iterator[bytes]:
    """GraphML (Gephi, Cytoscape, yEd) via networkx.write_graphml; attribute names as key ids."""
    clean = portable(graph)
    return _spooled(lambda out: nx.write_graphml(clean, out, named_key_ids=True))


def gexf_ready(graph: AnyGraph) -> NetworkGraph:
    """portable(graph), with the attributes GEXF reserves renamed (`id` → `entity_id`, …) and
    a `label` on every node, which Gephi shows."""
    clean = portable(graph)
    for node, data in clean.nodes(data=True):
        for name in _GEXF_RESERVED & data.keys():
            data["entity_id" if name == "id" else f"{name}_attr"] = data.pop(name)
        data.setdefault("label", node)
    for *_, data in clean.edges(keys=True, data=True):
        for name in _GEXF_RESERVED_EDGE & data.keys():
            data[f"{name}_attr"] = data.pop(name)
        if "label" in data:
            data["label"] = str(data["label"])
    return clean


def gexf(graph: AnyGraph) -> Iterator[bytes]:
    """GEXF 1.2 (Gephi) via networkx's GEXF writer (what write_gexf uses), without the
    writer's date and version in <meta>, which would change the bytes from day to day;
    multigraph edge keys go in the `networkx_key` attribute (networkx reads them back)."""
    clean = gexf_ready(graph)

    def write(out: IO[bytes]) -> None:
        writer = GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
        meta = writer.xml.find("meta")
        if meta is not None:
            meta.attrib.pop("lastmodifieddate", None)
            for creator in meta.iter("creator"):
                creator.text = "Phakhi"
        writer.add_graph(clean)
        writer.write(out)

    return _spooled(write)


_NODE_FIRST = ("kind", "label_th", "label_en", "iri", "entity_id")
_EDGE_FIRST = ("relation", "label_th", "label_en", "predicate")


def _csv_columns(records: Iterable[Mapping[str, Scalar]], first: tuple[str, ...]) -> list[str]:
    names = {name for record in records for name in record}
    return [n for n in first if n in names] + sorted(names - set(first))


def _csv_text(value: Scalar | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _csv(header: list[str], rows: Iterable[list[str]], bom: bool) -> Iterator[bytes]:
    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            if buffer.tell() >= CHUNK:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    if bom:
        yield "\ufeff".encode()
    yield from _chunks(lines())


def nodes_csv(graph: AnyGraph, *, bom: bool = True) -> Iterator[bytes]:
    """Id, Label, then the node attributes (Gephi's spreadsheet import reads Id and Label).
    UTF-8 with a byte-order mark by default, which Excel needs to read Thai."""
    clean = gexf_ready(graph)
    records = [data for _, data in clean.nodes(data=True)]
    columns = _csv_columns(
        ({k: v for k, v in r.items() if k != "label"} for r in records), _NODE_FIRST
    )
    rows = (
        [node, _csv_text(data.get("label")), *(_csv_text(data.get(c)) for c in columns)]
        for node, data in clean.nodes(data=True)
    )  # fmt: skip
    return _csv(["Id", "Label", *columns], rows, bom)


def edges_csv(graph: AnyGraph, *, bom: bool = True) -> Iterator[bytes]:
    """Source, Target, Type (Directed), Key, Label, then the edge attributes."""
    clean = gexf_ready(graph)
    records = [data for *_, data in clean.edges(keys=True, data=True)]
    columns = _csv_columns(
        ({k: v for k, v in r.items() if k != "label"} for r in records), _EDGE_FIRST
    )
    rows = (
        [u, v, "Directed", k, _csv_text(data.get("label")),
         *(_csv_text(data.get(c)) for c in columns)]
        for u, v, k, data in clean.edges(keys=True, data=True)
    )  # fmt: skip
    return _csv(["Source", "Target", "Type", "Key", "Label", *columns], rows, bom)


# -- files and the command line ------------------------------------------------------------------


def file_name(what: str, fmt: Format) -> str:
    """phakhi-<what>.<ext>, ASCII only (for Content-Disposition and default CLI names)."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", what).strip("-")
    return f"phakhi-{safe}.{fmt.extension}"


def run_export(
    engine: Engine,
    fmt: str,
    output: Path | None,
    *,
    source: str | None = None,
    entity: str | None = None,
    ontology: bool = False,
    named_graphs: bool = False,
    bom: bool = True,
) -> Path | None:
    """`phakhi export`: write one export to output (atomically) or to stdout when None.

    RDF formats: the whole graph (union), or one of source / entity ("kind/id") / ontology;
    TriG and N-Quads (and JSON-LD with named_graphs) keep named graphs. graphml, gexf: the
    network. csv: the network's nodes and edges: output is a directory that receives
    nodes.csv and edges.csv (stdout: not possible). Returns what was written.
    Raises ValueError (bad combination) or ExportNotFound (unknown source or entity).
    """
    chosen = get_format(fmt)
    scoped = [name for name, given in (("--source", source), ("--entity", entity),
                                       ("--ontology", ontology)) if given]  # fmt: skip
    if len(scoped) > 1:
        raise ValueError(f"choose one of {', '.join(scoped)}")
    if not chosen.rdf:
        if scoped or named_graphs:
            raise ValueError(f"{chosen.name} exports the whole network: {scoped[0]} does not apply"
                             if scoped else "--named-graphs applies to RDF only")  # fmt: skip
        return _run_network(engine, chosen, output, bom)
    chunks = rdf_chunks(engine, chosen, source=source, entity=entity, ontology=ontology,
                        named_graphs=named_graphs)  # fmt: skip
    return _emit(chunks, output)


def rdf_chunks(
    engine: Engine, fmt: Format, *, source: str | None = None, entity: str | None = None,
    ontology: bool = False, named_graphs: bool = False,
) -> Iterator[bytes]:  # fmt: skip
    named = True if named_graphs else None
    if entity is not None:
        kind, _, ident = entity.partition("/")
        return export_entity(engine, kind, ident, fmt)
    if source is not None:
        return export_rdf(engine, fmt, graph=source_graph(source), named=named)
    if ontology:
        return export_rdf(engine, fmt, graph=str(ONTOLOGY_IRI), named=named)
    return export_rdf(engine, fmt, named=named)


def _emit(chunks: Iterable[bytes], output: Path | None) -> Path | None:
    if output is None:
        for chunk in chunks:
            sys.stdout.buffer.write(chunk)
        sys.stdout.buffer.flush()
        return None
    write_atomically(output, chunks)
    return output


def _run_network(engine: Engine, fmt: Format, output: Path | None, bom: bool) -> Path | None:
    graph = network(engine)
    if fmt.name == "graphml":
        return _emit(graphml(graph), output)
    if fmt.name == "gexf":
        return _emit(gexf(graph), output)
    if output is None:
        raise ValueError("csv writes two files (nodes.csv, edges.csv): give -o DIRECTORY")
    write_atomically(output / "nodes.csv", nodes_csv(graph, bom=bom))
    write_atomically(output / "edges.csv", edges_csv(graph, bom=bom))
    return output
