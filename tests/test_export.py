"""RDF exports: round trips through rdflib, determinism, small diffs, and a second SPARQL engine."""

import difflib
import json
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue

from phakhi.graph import export
from phakhi.graph.compiler import CLASSES
from phakhi.graph.export import ExportNotFound
from phakhi.graph.namespaces import ONTOLOGY_IRI
from phakhi.graph.paths import COMPETENCY_DIR, ONTOLOGY_DIR
from phakhi.graph.store import OxigraphStore
from phakhi.graph.turtle import PREFIXES

PARSERS = {"ttl": "turtle", "nt": "nt", "rdfxml": "xml", "jsonld": "json-ld",
           "trig": "trig", "nq": "nquads"}  # fmt: skip
TRIPLE_FORMATS = ("ttl", "nt", "rdfxml", "jsonld")
SOURCE = "nida-forum-2024-06-11"


def text(chunks: Iterator[bytes]) -> str:
    return b"".join(chunks).decode("utf-8")


def engine_dataset(engine: OxigraphStore) -> Dataset:
    """What the engine holds, written by pyoxigraph's own serializer: the reference."""
    dataset = Dataset()
    dataset.parse(data=engine.store.dump(format=ox.RdfFormat.N_QUADS), format="nquads")
    return dataset


def named_graphs(dataset: Dataset) -> dict[str, Graph]:
    return {str(g.identifier): g for g in dataset.graphs() if len(g)}


def union(dataset: Dataset) -> Graph:
    merged = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        merged.add((s, p, o))
    return merged


def parse_graph(data: str, fmt: str) -> Graph:
    graph = Graph()
    graph.parse(data=data, format=PARSERS[fmt])
    return graph


def copy_store(engine: OxigraphStore, extra: str = "", reverse: bool = False) -> OxigraphStore:
    """An independent store with the same quads (optionally in reverse order, plus extra)."""
    lines = engine.store.dump(format=ox.RdfFormat.N_QUADS).decode().splitlines()
    store = OxigraphStore()
    store.load("\n".join((lines[::-1] if reverse else lines) + [extra]))
    return store


@pytest.fixture(scope="module")
def reference(engine: OxigraphStore) -> Dataset:
    return engine_dataset(engine)


@pytest.fixture(scope="module")
def merged(reference: Dataset) -> Graph:
    return union(reference)


# -- round trips ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", TRIPLE_FORMATS)
def test_graph_round_trip(engine: OxigraphStore, merged: Graph, fmt: str) -> None:
    parsed = parse_graph(text(export.export_rdf(engine, fmt)), fmt)
    assert len(parsed) == len(merged) > 5000
    assert isomorphic(parsed, merged)


@pytest.mark.parametrize("fmt", ["trig", "nq", "jsonld"])
def test_dataset_round_trip_keeps_named_graphs(
    engine: OxigraphStore, reference: Dataset, fmt: str
) -> None:
    parsed = Dataset()
    parsed.parse(data=text(export.export_rdf(engine, fmt, named=True)), format=PARSERS[fmt])
    got, want = named_graphs(parsed), named_graphs(reference)
    assert set(got) == set(want) == set(engine.graphs())
    for name, graph in want.items():
        assert isomorphic(got[name], graph), name


def test_default_graph_is_kept_apart_from_named_graphs() -> None:
    store = OxigraphStore()
    store.load(
        "<http://x/a> <http://x/p> <http://x/b> .\n"
        '<http://x/a> <http://x/p> "in g" <http://x/g> .\n'
    )
    trig = text(export.export_rdf(store, "trig"))
    parsed = Dataset()
    parsed.parse(data=trig, format="trig")
    assert len(parsed.default_graph) == 1
    assert len(parsed.graph(URIRef("http://x/g"))) == 1
    nq = text(export.export_rdf(store, "nq")).splitlines()
    assert nq == [
        "<http://x/a> <http://x/p> <http://x/b> .",
        '<http://x/a> <http://x/p> "in g" <http://x/g> .',
    ]


@pytest.mark.parametrize("fmt", TRIPLE_FORMATS)
def test_one_source_round_trip(engine: OxigraphStore, reference: Dataset, fmt: str) -> None:
    parsed = parse_graph(text(export.export_source(engine, SOURCE, fmt)), fmt)
    assert isomorphic(parsed, named_graphs(reference)[export.source_graph(SOURCE)])
    reference_graph = text(export.export_source(engine, "reference/provinces", fmt))
    assert "TH-76" in reference_graph


def test_unknown_source_or_entity_is_not_found(engine: OxigraphStore) -> None:
    with pytest.raises(ExportNotFound):
        export.export_source(engine, "no-such-source")
    with pytest.raises(ExportNotFound):
        export.export_entity(engine, "agency", "no-such-agency")
    with pytest.raises(ExportNotFound):
        export.export_entity(engine, "agency", "codi> <x")


def test_ontology_export_carries_its_version(engine: OxigraphStore, reference: Dataset) -> None:
    ttl = text(export.export_ontology(engine))
    parsed = parse_graph(ttl, "ttl")
    assert isomorphic(parsed, named_graphs(reference)[str(ONTOLOGY_IRI)])
    ontology = Graph().parse(ONTOLOGY_DIR / "phakhi.ttl", format="turtle")
    assert isomorphic(parsed, ontology)
    assert re.search(r'\n    owl:versionInfo "0\.1\.0" [;.]\n', ttl)
    assert export.ontology_version(engine) == "0.1.0"
    assert "_:" not in ttl  # the owl:members lists are written inline, as ( ... )
    assert "owl:members (\n" in ttl


# -- well-formed and portable --------------------------------------------------------------------


def test_turtle_is_portable(engine: OxigraphStore) -> None:
    raw = b"".join(export.export_rdf(engine, "ttl"))
    ttl = raw.decode("utf-8")
    header = [line for line in ttl.splitlines() if line.startswith("@prefix")]
    assert header == [f"@prefix {p}: <{ns}> ." for p, ns in PREFIXES]
    assert "@base" not in ttl and "<#" not in ttl and "<>" not in ttl
    for iri in re.findall(r"<([^>]*)>", ttl):
        assert re.match(r"[a-z][a-z0-9+.-]*:", iri), iri  # absolute
    assert "สถาบันพัฒนาองค์กรชุมชน".encode() in raw  # Thai as UTF-8, not \u escapes
    assert '"Community Organizations Development Institute (Public Organization)"@en' in ttl
    assert re.search(r'"[^"]*[\u0e00-\u0e7f][^"]*"@th', ttl)
    assert '"2024-06-11"^^xsd:date' in ttl


def test_every_kind_has_a_prefix() -> None:
    namespaces = dict(PREFIXES)
    for kind in CLASSES:
        assert namespaces[kind] == f"https://w3id.org/phakhi/id/{kind}/"


def test_published_context_is_the_prefix_table() -> None:
    published = json.loads((ONTOLOGY_DIR / "context.jsonld").read_text(encoding="utf-8"))
    assert published == export.context_document()


def test_jsonld_carries_the_context_inline(engine: OxigraphStore) -> None:
    document = json.loads(text(export.export_entity(engine, "agency", "codi", "jsonld")))
    assert document["@context"] == export.context_document()["@context"]
    ids = {node["@id"] for node in document["@graph"]}
    assert "agency:codi" in ids


# -- determinism ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(PARSERS))
def test_same_graph_same_bytes(engine: OxigraphStore, fmt: str) -> None:
    named = True if fmt == "jsonld" else None
    first = b"".join(export.export_rdf(engine, fmt, named=named))
    again = b"".join(export.export_rdf(engine, fmt, named=named))
    # an independent store, loaded in the opposite order: other blank-node ids, other layout
    other = b"".join(export.export_rdf(copy_store(engine, reverse=True), fmt, named=named))
    assert first == again == other


def test_subjects_are_sorted(engine: OxigraphStore) -> None:
    nt = text(export.export_rdf(engine, "nt")).splitlines()
    subjects = [line.split(" ", 1)[0] for line in nt]
    iris = [s[1:-1] for s in subjects if s.startswith("<")]
    assert iris == sorted(iris)
    assert all(s.startswith("<") for s in subjects[: len(iris)])  # blank subjects last


def test_one_more_statement_is_a_small_diff(engine: OxigraphStore) -> None:
    before = text(export.export_rdf(engine, "ttl")).splitlines()
    added = (
        "<https://w3id.org/phakhi/id/agency/codi> <http://www.w3.org/2004/02/skos/core#altLabel>"
        ' "พอช"@th <https://w3id.org/phakhi/graph/reference/agencies> .'
    )
    after = text(export.export_rdf(copy_store(engine, added), "ttl")).splitlines()
    changed = [
        line for line in difflib.unified_diff(before, after, lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]  # fmt: skip
    assert 1 <= len(changed) <= 3, changed
    assert changed[-1] in ('+        "พอช"@th ,', '+        "พอช"@th ;', '+        "พอช"@th .')


def test_chunks_stream(engine: OxigraphStore) -> None:
    chunks = list(export.export_rdf(engine, "nq"))
    assert len(chunks) > 3
    assert all(len(chunk) < 2 * export.CHUNK + 100_000 for chunk in chunks)


# -- blank nodes and awkward terms ---------------------------------------------------------------

AWKWARD = """
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix schema: <https://schema.org/> .
ex:g {
ex:a ex:shared _:s , _:s2 ; ex:list ( "one" 2 ex:three ( ex:nested ) ) ; ex:empty () ;
    ex:nested [ ex:deeper [ ex:value "x" ] ] ; ex:alone [] .
ex:b ex:shared _:s .
ex:c ex:ref _:x .
_:s2 ex:loop _:s3 . _:s3 ex:loop _:s2 .
_:c1 ex:cycle _:c2 . _:c2 ex:cycle _:c1 .
[ ex:top "anonymous" ] .
ex:lit ex:p "quote \\" backslash \\\\ newline \\n tab \\t return \\r" ,
    "ภาษาไทย"@th , "colour"@en-GB , "42"^^xsd:integer , "-0.50"^^xsd:decimal ,
    "1.5E3"^^xsd:double , "true"^^xsd:boolean , "2024-06-11"^^xsd:date ,
    "x"^^ex:custom , "" , "07"^^xsd:integer .
<https://w3id.org/phakhi/id/agency/ends.> schema:name "dot" .
<https://w3id.org/phakhi/id/agency/a%20b> schema:name "percent" .
<http://example.org/path/q?x=1&y=2> ex:p <urn:isbn:123> .
}
ex:h { _:s ex:in ex:other . _:x ex:in ex:other . }
"""


def awkward_store() -> OxigraphStore:
    """Blank nodes of every shape (_:s and _:x also in a second graph), awkward terms."""
    store = OxigraphStore()
    store.load(AWKWARD, format=ox.RdfFormat.TRIG)
    return store


def test_awkward_graph_round_trips() -> None:
    store = awkward_store()
    want = engine_dataset(store)
    for fmt in TRIPLE_FORMATS:
        parsed = parse_graph(text(export.export_rdf(store, fmt)), fmt)
        assert isomorphic(parsed, union(want)), fmt
    for fmt in ("trig", "nq", "jsonld"):
        parsed = Dataset()
        parsed.parse(data=text(export.export_rdf(store, fmt, named=True)), format=PARSERS[fmt])
        got = named_graphs(parsed)
        for name, graph in named_graphs(want).items():
            assert isomorphic(got[name], graph), (fmt, name)


def test_awkward_graph_is_deterministic() -> None:
    for fmt in PARSERS:
        named = True if fmt == "jsonld" else None
        assert b"".join(export.export_rdf(awkward_store(), fmt, named=named)) == b"".join(
            export.export_rdf(awkward_store(), fmt, named=named)
        ), fmt


def test_blank_nodes_inline_where_used_once() -> None:
    ttl = text(export.export_rdf(awkward_store(), "ttl"))
    assert "ex:" not in ttl  # no prefix outside the fixed table
    assert '[\n    <http://example.org/top> "anonymous"\n] .' in ttl
    assert "<http://example.org/alone> [] ;" in ttl
    labels = set(re.findall(r"_:c14n\d+", ttl))
    assert len(labels) == 4  # the shared _:s and _:s2, the cycle _:c1/_:c2; the rest inline
    trig = text(export.export_rdf(awkward_store(), "trig"))
    assert len(set(re.findall(r"_:c14n\d+", trig))) == 5  # and _:x, in two graphs
    assert "<https://w3id.org/phakhi/id/agency/ends.>" in ttl  # not agency:ends.
    assert "\n        42 ,\n" in ttl  # numbers and booleans bare, other types typed
    assert '"2024-06-11"^^xsd:date' in ttl and '"x"^^<http://example.org/custom>' in ttl


def test_control_characters_are_escaped() -> None:
    store = OxigraphStore()
    store.load('<http://x/a> <http://x/p> "bell \\u0007 and \\u007F" <http://x/g> .')
    ttl = text(export.export_rdf(store, "ttl"))
    assert '"bell \\u0007 and \\u007F"' in ttl
    assert isomorphic(parse_graph(ttl, "ttl"), union(engine_dataset(store)))
    with pytest.raises(ValueError, match=r"XML 1\.0"):
        text(export.export_rdf(store, "rdfxml"))


# -- an entity's neighbourhood -------------------------------------------------------------------

WICHAI = "https://w3id.org/phakhi/id/person/wichai-nasuwanno"


def select(graph: Graph, query: str) -> list[Any]:
    return list(graph.query(query))


def test_entity_neighbourhood(engine: OxigraphStore, merged: Graph) -> None:
    ttl = text(export.export_entity(engine, "person", "wichai-nasuwanno"))
    got = parse_graph(ttl, "ttl")
    full = merged
    me = URIRef(WICHAI)
    # the concise bounded description: everything about it
    assert set(got.triples((me, None, None))) == set(full.triples((me, None, None)))
    # the memberships pointing at it, whole, and the labels of what they point to
    memberships = set(full.subjects(URIRef("http://www.w3.org/ns/org#member"), me))
    assert memberships
    for node in memberships:
        assert set(got.triples((node, None, None))) == set(full.triples((node, None, None)))
        for org in full.objects(node, URIRef("http://www.w3.org/ns/org#organization")):
            assert (org, rdflib.RDFS.label, None) in got
    # the evidence of its statements, with quotes
    evidence = select(
        got,
        f"""SELECT ?q WHERE {{ ?e <{rdflib.RDF.subject}> <{WICHAI}> ;
        <https://w3id.org/phakhi/ontology#quote> ?q }}""",
    )
    assert evidence
    assert not isomorphic(got, full) and len(got) < len(full) / 10


def test_entity_neighbourhood_is_deterministic(engine: OxigraphStore) -> None:
    first = b"".join(export.export_entity(engine, "agency", "codi", "nt"))
    other = b"".join(export.export_entity(copy_store(engine, reverse=True), "agency", "codi", "nt"))
    assert first == other


# -- a second SPARQL engine: rdflib over the Turtle export ----------------------------------------


def normal(term: Any) -> Any:
    """A term as comparable across engines: numbers by value, blank nodes anonymous."""
    if term is None:
        return None
    if isinstance(term, ox.Literal | rdflib.Literal):
        value = str(term.value) if isinstance(term, ox.Literal) else str(term)
        datatype = term.datatype.value if isinstance(term, ox.Literal) else str(term.datatype or "")
        language = term.language or ""
        if language:
            datatype = ""  # rdf:langString (Oxigraph) or none (rdflib)
        if datatype.endswith(("#integer", "#decimal", "#double", "#float")):
            return ("number", Decimal(value).normalize())
        if datatype.endswith("#string"):
            datatype = ""
        return ("literal", value, datatype, language.lower())
    if isinstance(term, ox.BlankNode | rdflib.BNode):
        return ("blank",)
    return ("iri", term.value if isinstance(term, ox.NamedNode) else str(term))


def oxigraph_rows(engine: OxigraphStore, query: str) -> list[tuple[Any, ...]]:
    result = engine.query(query)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [tuple(normal(row[name]) for name in names) for row in result]


def nested_loop_joins(node: Any) -> None:
    """rdflib joins a BGP that follows a UNION or another join by evaluating it alone (a
    cartesian product of labels: 45 s for query 01); pass it the bindings instead, as rdflib
    does for simple joins. The same answers, evaluated in another order."""
    if isinstance(node, CompValue):
        if node.name == "Join" and isinstance(node.p2, CompValue) and node.p2.name == "BGP":
            node["lazy"] = True
        for value in node.values():
            nested_loop_joins(value)
    elif isinstance(node, list):
        for value in node:
            nested_loop_joins(value)


def rdflib_rows(graph: Graph, query: str) -> list[tuple[Any, ...]]:
    prepared = prepareQuery(query)
    nested_loop_joins(prepared.algebra)
    result = graph.query(prepared)
    names = [str(v) for v in result.vars or []]
    return [tuple(normal(row[name]) for name in names) for row in result]  # type: ignore[index]


def comparable(rows: list[tuple[Any, ...]], query: str) -> list[tuple[Any, ...]]:
    """Rows as a sorted list; GROUP_CONCAT's order is not defined, so its items are sorted."""

    def fix(cell: Any) -> Any:
        if "GROUP_CONCAT" in query and isinstance(cell, tuple) and cell[0] == "literal":
            # Oxigraph keeps a language tag common to all the items; rdflib does not
            return ("concat", tuple(sorted(re.split(r", | ", cell[1]))))
        return cell

    return sorted((tuple(fix(c) for c in row) for row in rows), key=repr)


COMPETENCY = sorted(COMPETENCY_DIR.glob("*.rq"))
REPRESENTATIVE = {
    "agencies": """PREFIX phk: <https://w3id.org/phakhi/ontology#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?a ?th ?en WHERE { ?a a phk:Agency ; rdfs:label ?th, ?en
        FILTER(lang(?th) = "th" && lang(?en) = "en") }""",
    "sub-units": """PREFIX org: <http://www.w3.org/ns/org#>
        SELECT ?u ?top WHERE { ?u org:subOrganizationOf+ ?top }""",
    "counts": """SELECT ?class (COUNT(?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class""",
    "dated": """PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
        SELECT ?s ?d WHERE { ?s ?p ?d FILTER(datatype(?d) = xsd:date
        && ?d >= "2024-01-01"^^xsd:date) }""",
    "commitments": """PREFIX phk: <https://w3id.org/phakhi/ontology#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?c ?a ?event ?theme WHERE { ?c a phk:Commitment ; phk:committedBy ?a ;
        phk:madeAt ?event OPTIONAL { ?c phk:aboutTheme ?t . ?t skos:prefLabel ?theme } }""",
    "disjoint": """PREFIX owl: <http://www.w3.org/2002/07/owl#>
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        SELECT ?member WHERE { ?d a owl:AllDisjointClasses ;
        owl:members/rdf:rest*/rdf:first ?member }""",
}


@pytest.fixture(scope="module")
def turtle_in_rdflib(engine: OxigraphStore) -> Graph:
    return parse_graph(text(export.export_rdf(engine, "ttl")), "ttl")


@pytest.fixture(scope="module")
def trig_in_rdflib(engine: OxigraphStore) -> Dataset:
    dataset = Dataset(default_union=True)
    dataset.parse(data=text(export.export_rdf(engine, "trig")), format="trig")
    return dataset


def competency_cases() -> list[Any]:
    files = [pytest.param(path.read_text(encoding="utf-8"), id=path.stem) for path in COMPETENCY]
    return files + [pytest.param(q, id=name) for name, q in REPRESENTATIVE.items()]


@pytest.mark.parametrize("query", competency_cases())
def test_second_engine_gives_the_same_answers(
    engine: OxigraphStore, turtle_in_rdflib: Graph, trig_in_rdflib: Dataset, query: str
) -> None:
    """Named-graph queries (GRAPH ?g) run on the TriG export; the others on the Turtle one."""
    rdflib_graph: Graph = trig_in_rdflib if "GRAPH" in query else turtle_in_rdflib
    want = oxigraph_rows(engine, query)
    got = rdflib_rows(rdflib_graph, query)
    assert want, "the query should answer something on the seed graph"
    assert comparable(got, query) == comparable(want, query)


# -- the command line ----------------------------------------------------------------------------


def test_run_export_writes_files(engine: OxigraphStore, tmp_path: Path) -> None:
    out = tmp_path / "graph.ttl"
    assert export.run_export(engine, "ttl", out) == out
    assert out.read_bytes() == b"".join(export.export_rdf(engine, "ttl"))
    assert not list(tmp_path.glob(".*"))  # no temporary file left behind
    ontology = tmp_path / "onto.rdf"
    export.run_export(engine, "rdfxml", ontology, ontology=True)
    assert isomorphic(Graph().parse(ontology, format="xml"), parse_graph(
        text(export.export_ontology(engine)), "ttl"))  # fmt: skip
    entity = tmp_path / "codi.nt"
    export.run_export(engine, "nt", entity, entity="agency/codi")
    assert "<https://w3id.org/phakhi/id/agency/codi>" in entity.read_text(encoding="utf-8")
    trig = tmp_path / "source.trig"
    export.run_export(engine, "trig", trig, source=SOURCE)
    assert f"graph:{SOURCE} {{" in trig.read_text(encoding="utf-8")


def test_run_export_to_stdout(
    engine: OxigraphStore, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    assert export.run_export(engine, "nt", None, source="reference/agencies") is None
    assert capsysbinary.readouterr().out == b"".join(
        export.export_rdf(engine, "nt", graph=export.source_graph("reference/agencies"))
    )


def test_run_export_refuses_bad_combinations(engine: OxigraphStore, tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        export.run_export(engine, "ttl", tmp_path / "x", source=SOURCE, ontology=True)
    with pytest.raises(ValueError):
        export.run_export(engine, "graphml", tmp_path / "x", source=SOURCE)
    with pytest.raises(ValueError):
        export.run_export(engine, "ttl", tmp_path / "x", named_graphs=True)
    with pytest.raises(ValueError):
        export.run_export(engine, "trig", tmp_path / "x", entity="agency/codi")
    with pytest.raises(ValueError):
        export.run_export(engine, "xlsx", tmp_path / "x")
    with pytest.raises(ExportNotFound):
        export.run_export(engine, "ttl", tmp_path / "x", entity="agency/nobody")
    assert not (tmp_path / "x").exists()


def test_cbd_follows_blank_nodes() -> None:
    found = export.neighbourhood(awkward_store(), "http://example.org/a")
    values = {o.value for _, _, o in found if isinstance(o, ox.Literal)}
    assert {"x", "one", "2"} <= values  # nested [ ... ] and ( ... ) members
    blanks, blocks = export.from_triples(found)
    ttl = "".join(export.write_rdf(export.FORMATS["ttl"], blanks, blocks, named=False))
    assert "(\n" in ttl and "_:c14n" in ttl  # the list inline; _:s2 (used twice) labelled


class Unsorted:
    """An engine that ignores ORDER BY, as a careless remote store might."""

    def __init__(self, engine: OxigraphStore) -> None:
        self.engine = engine

    def query(self, sparql: str, **options: Any) -> Any:
        return self.engine.query(sparql.replace(" ORDER BY ?g ?s", ""), **options)

    def graphs(self) -> list[str]:
        return self.engine.graphs()

    def __len__(self) -> int:
        return len(self.engine)


def test_an_engine_that_does_not_sort_is_caught() -> None:
    store = OxigraphStore()
    store.load("".join(f'<http://x/{i}> <http://x/p> "{i}" <http://x/g> .\n' for i in range(50)))
    with pytest.raises(RuntimeError, match="out of order"):
        b"".join(export.export_rdf(Unsorted(store), "nt"))
