"""The ontology reference: every term of ontology/phakhi.ttl in Thai and English, the SHACL shapes
of ontology/shapes.ttl that constrain it, and one example from the data; also the ontology as
Turtle and JSON-LD (what the ontology IRI serves by content negotiation).

    write_reference(Path("dist/ontology.html"))        # phakhi build: one standalone file
    render_body(build_reference(engine, "en"), "en")    # GET /ontology?lang=en, in a site page

Made here rather than with pyLODE: pyLODE 3.4.1 (the last release for Python 3.11) fails on
import, and 3.3 runs Thai and English together, knows nothing of SHACL and has no data examples.
"""

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from jinja2 import DictLoader, Environment, StrictUndefined
from markupsafe import Markup
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from phakhi.graph.compiler import CLASSES, RELATIONS
from phakhi.graph.labels import Lang, Row, select, sparql_iri
from phakhi.graph.namespaces import ONTOLOGY_IRI, OWL, PHK, RDF, RDFS, SDO, SH, SKOS
from phakhi.graph.paths import DATA_DIR, EXTERNAL_LABELS_FILE, ONTOLOGY_FILE, SHAPES_FILE
from phakhi.graph.store import Engine

Texts = dict[str, str]  # language tag → text

PHK_NS = str(PHK._NS)
PHKS = Namespace("https://w3id.org/phakhi/shapes#")
ID_BASE = "https://w3id.org/phakhi/id/"
DCTERMS_NS = Namespace("http://purl.org/dc/terms/")

# -- the ontology as files --------------------------------------------------------------------


def load_graph(path: Path) -> Graph:
    """A Turtle file with only its own prefixes bound."""
    graph = Graph(bind_namespaces="none")
    graph.parse(path, format="turtle")
    return graph


def turtle(path: Path = ONTOLOGY_FILE) -> bytes:
    """The Turtle file as written (comments included)."""
    return path.read_bytes()


def jsonld(path: Path = ONTOLOGY_FILE) -> bytes:
    """The Turtle file as JSON-LD, compacted with its own prefixes in an inline @context."""
    return _jsonld(path.resolve(), path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _jsonld(path: Path, mtime: int) -> bytes:
    graph = load_graph(path)
    context = {prefix: str(namespace) for prefix, namespace in graph.namespaces() if prefix}
    return graph.serialize(format="json-ld", context=context, indent=2, encoding="utf-8")


# -- what the page shows ----------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """A term, shape or entity as the page names it, and where it links."""

    iri: str
    curie: str
    href: str
    label: Texts = field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    """One SHACL parameter of a shape: sh:minCount 1, sh:class phk:Theme, sh:or (…), …"""

    name: str
    values: tuple[Link | str, ...]


@dataclass(frozen=True)
class PropertyConstraint:
    path: Link
    name: Texts
    comment: Texts
    message: str
    rules: tuple[Rule, ...]
    shape: Link | None  # a named property shape; None when it is a blank node


@dataclass(frozen=True)
class Shape:
    link: Link
    label: Texts
    comment: Texts
    message: str
    targets: tuple[tuple[str, Link], ...]  # (sh:targetClass, phk:Agency), …
    rules: tuple[Rule, ...]
    properties: tuple[PropertyConstraint, ...]
    checks: tuple[str, ...]  # the messages of its SPARQL constraints


@dataclass(frozen=True)
class Example:
    """An instance of a class, or a triple using a property, with its evidence if it has some."""

    subject: Link
    value: Link | str | None
    quote: str | None = None
    source: Link | None = None
    line: int | None = None
    inferred: bool = False


@dataclass(frozen=True)
class Term:
    link: Link
    kind: str  # class, object-property, datatype-property, scheme, standard
    label: Texts
    definition: Texts
    note: Texts
    sample: Texts
    parents: tuple[Link, ...]
    domain: tuple[Link, ...]
    range: tuple[Link, ...]
    domain_includes: tuple[Link, ...]
    range_includes: tuple[Link, ...]
    see_also: tuple[Link, ...]
    characteristics: tuple[str, ...]
    in_sources: tuple[str, ...]  # how a source file states it: kind: agency, relation: promotes
    shapes: tuple[Shape, ...]  # node shapes targeting the class, or the subjects of the property
    constraints: tuple[tuple[Shape, PropertyConstraint], ...]  # property shapes on the property
    reused_by: tuple[Link, ...]  # for standard terms: the phk: terms that build on them
    example: Example | None

    @property
    def anchor(self) -> str:
        return self.link.href.removeprefix("#")


@dataclass(frozen=True)
class Reference:
    iri: str
    version: str
    title: Texts
    description: Texts
    license: str
    created: str
    prefixes: tuple[tuple[str, str], ...]
    references: tuple[Link, ...]
    sections: tuple[tuple[str, tuple[Term, ...]], ...]  # (section key, terms)
    shapes: tuple[Shape, ...]


ShapesOf = Callable[[str], tuple[Shape, ...]]
ConstraintsOf = Callable[[str], tuple[tuple[Shape, PropertyConstraint], ...]]

# -- reading the ontology and the shapes ------------------------------------------------------


class _Namer:
    """Prefixed names and links for IRIs; own terms and shapes link within the page."""

    def __init__(
        self,
        graphs: Sequence[Graph],
        labels: Graph,
        own: set[str],
        href: Callable[[str], str] | None = None,
    ) -> None:
        self.prefixes: dict[str, str] = {}
        for graph in graphs:
            for prefix, namespace in graph.namespaces():
                if prefix and str(namespace) not in self.prefixes.values():
                    self.prefixes.setdefault(prefix, str(namespace))
        self.labels = labels
        self.own = own
        self.href = href or (lambda iri: iri)

    def curie(self, iri: str) -> str:
        best = ""
        for prefix, namespace in self.prefixes.items():
            if iri.startswith(namespace) and len(namespace) > len(self.prefixes.get(best, "")):
                best = prefix
        if best:
            return f"{best}:{iri[len(self.prefixes[best]) :]}"
        if iri.startswith(ID_BASE):
            kind, _, ident = iri[len(ID_BASE) :].partition("/")
            return f"{kind}:{ident}"
        return iri

    def link(self, node: Node) -> Link:
        iri = str(node)
        if iri in self.own:
            href = "#" + iri[len(PHK_NS) :]
        elif iri.startswith(str(PHKS)):
            href = "#shape-" + iri[len(str(PHKS)) :]
        elif iri.startswith(ID_BASE):
            href = self.href(iri)
        else:
            href = iri
        return Link(iri, self.curie(iri), href, _texts(self.labels, node, RDFS.label))


def _texts(graph: Graph, subject: Node, predicate: URIRef) -> Texts:
    found: Texts = {}
    for value in graph.objects(subject, predicate):
        if isinstance(value, Literal):
            found.setdefault(value.language or "", str(value))
    return found


def _first(graph: Graph, subject: Node, predicate: URIRef) -> str:
    value = graph.value(subject, predicate)
    return "" if value is None else str(value)


def _sorted(links: Iterable[Link]) -> tuple[Link, ...]:
    unique = {link.iri: link for link in links}
    return tuple(sorted(unique.values(), key=lambda link: link.curie))


_SKIPPED = {
    SH.path,
    SH.name,
    SH.message,
    SH.property,
    SH.sparql,
    SH.targetClass,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.targetNode,
    RDF.type,
    RDFS.label,
    RDFS.comment,
    SH.declare,
    SH.prefixes,
    SH.select,
}


def _rules(shapes: Graph, node: Node, namer: _Namer) -> tuple[Rule, ...]:
    rules = []
    for predicate, value in sorted(shapes.predicate_objects(node)):
        if predicate in _SKIPPED or not isinstance(predicate, URIRef):
            continue
        rules.append(Rule(namer.curie(str(predicate)), _rule_values(shapes, value, namer)))
    return tuple(rules)


def _rule_values(shapes: Graph, value: Node, namer: _Namer) -> tuple[Link | str, ...]:
    if isinstance(value, BNode) and shapes.value(value, RDF.first) is not None:
        items: list[Link | str] = []
        for item in Collection(shapes, value):
            items.extend(
                _rule_values(shapes, item, namer)
                if isinstance(item, BNode)
                else [_value(item, namer)]
            )
        return tuple(items)
    if isinstance(value, BNode):  # an inline shape such as [ sh:class phk:Theme ]
        inner = _rules(shapes, value, namer)
        return tuple(
            " ".join([rule.name, *(v.curie if isinstance(v, Link) else v for v in rule.values)])
            for rule in inner
        )
    return (_value(value, namer),)


def _value(value: Node, namer: _Namer) -> Link | str:
    if isinstance(value, URIRef):
        return namer.link(value)
    if isinstance(value, Literal):
        return f'"{value}"' if value.datatype is None and not value.language else str(value)
    return str(value)


def _read_shapes(shapes: Graph, namer: _Namer) -> list[Shape]:
    nodes = set(shapes.subjects(RDF.type, SH.NodeShape))
    found = []
    for node in sorted(n for n in nodes if isinstance(n, URIRef)):
        properties = []
        for prop in shapes.objects(node, SH.property):
            path = shapes.value(prop, SH.path)
            if path is None:
                continue
            properties.append(
                PropertyConstraint(
                    path=_path_link(shapes, path, namer),
                    name=_texts(shapes, prop, SH.name),
                    comment=_texts(shapes, prop, RDFS.comment),
                    message=_first(shapes, prop, SH.message),
                    rules=_rules(shapes, prop, namer),
                    shape=namer.link(prop) if isinstance(prop, URIRef) else None,
                )
            )
        properties.sort(key=lambda p: (p.path.curie, p.shape.curie if p.shape else ""))
        targets = [
            (namer.curie(str(kind)), namer.link(target))
            for kind in (SH.targetClass, SH.targetSubjectsOf)
            for target in shapes.objects(node, kind)
        ]
        found.append(
            Shape(
                link=namer.link(node),
                label=_texts(shapes, node, RDFS.label),
                comment=_texts(shapes, node, RDFS.comment),
                message=_first(shapes, node, SH.message),
                targets=tuple(sorted(targets, key=lambda t: (t[0], t[1].curie))),
                rules=_rules(shapes, node, namer),
                properties=tuple(properties),
                checks=tuple(
                    sorted(
                        _first(shapes, check, SH.message)
                        for check in shapes.objects(node, SH.sparql)
                    )
                ),
            )
        )
    return found


def _path_link(shapes: Graph, path: Node, namer: _Namer) -> Link:
    """A property path as a link to its property: `phk:hasPhase`, or `^phk:hasPhase` inverse."""
    inverse = shapes.value(path, SH.inversePath) if isinstance(path, BNode) else None
    if isinstance(inverse, URIRef):
        link = namer.link(inverse)
        return Link(link.iri, "^" + link.curie, link.href, link.label)
    return namer.link(path)


def _mentions(constraint: PropertyConstraint, iri: str) -> bool:
    return any(
        isinstance(v, Link) and v.iri == iri for rule in constraint.rules for v in rule.values
    )


def _in_sources(iri: str) -> tuple[str, ...]:
    """How a source file (docs/source-format.md) states a term."""
    kinds = [kind for kind, classes in CLASSES.items() if classes and str(classes[0]) == iri]
    relations = [name for name, (predicate, _, _) in RELATIONS.items() if str(predicate) == iri]
    return tuple([f"kind: {kind}" for kind in kinds] + [f"relation: {r}" for r in relations])


_KINDS = (
    ("class", OWL.Class),
    ("object-property", OWL.ObjectProperty),
    ("datatype-property", OWL.DatatypeProperty),
    ("scheme", SKOS.ConceptScheme),
)


def build_reference(
    engine: Engine | None,
    lang: Lang = "th",
    *,
    ontology: Path = ONTOLOGY_FILE,
    shapes_file: Path = SHAPES_FILE,
    external: Path = EXTERNAL_LABELS_FILE,
    href: Callable[[str], str] | None = None,
) -> Reference:
    """Everything the page shows; examples come from engine (none when it is None). Entities
    of the data link to href(iri) (default: the IRI itself)."""
    onto, shapes, standard = load_graph(ontology), load_graph(shapes_file), load_graph(external)
    labels = Graph(bind_namespaces="none")
    for graph in (standard, onto, shapes):
        for triple in graph.triples((None, RDFS.label, None)):
            labels.add(triple)
    own = {str(s) for s in onto.subjects() if isinstance(s, URIRef) and str(s).startswith(PHK_NS)}
    namer = _Namer([onto, shapes, standard], labels, own, href)
    all_shapes = _read_shapes(shapes, namer)

    def shapes_of(iri: str) -> tuple[Shape, ...]:
        return tuple(s for s in all_shapes if any(t.iri == iri for _, t in s.targets))

    def constraints_of(iri: str) -> tuple[tuple[Shape, PropertyConstraint], ...]:
        """The property shapes on a property, or those whose values must be of a class."""
        return tuple(
            (s, p)
            for s in all_shapes
            for p in s.properties
            if p.path.iri == iri or _mentions(p, iri)
        )

    def links(subject: Node, predicate: URIRef) -> tuple[Link, ...]:
        return _sorted(
            namer.link(o) for o in onto.objects(subject, predicate) if isinstance(o, URIRef)
        )

    examples = _Examples(engine, lang, namer)
    sections: list[tuple[str, tuple[Term, ...]]] = []
    placed: set[str] = set()
    reused: dict[str, set[str]] = {}
    for key, rdf_class in _KINDS:
        terms = []
        subjects = {s for s in onto.subjects(RDF.type, rdf_class) if isinstance(s, URIRef)}
        for subject in sorted(s for s in subjects if str(s) in own):
            iri = str(subject)
            if iri in placed:
                continue
            placed.add(iri)
            parents = links(subject, RDFS.subClassOf) + links(subject, RDFS.subPropertyOf)
            for parent in parents:
                if parent.iri not in own:
                    reused.setdefault(parent.iri, set()).add(iri)
            is_property = key.endswith("property")
            # SHACL targets a class's subclasses too: a phk:Forum is checked as a schema:Event
            shaped = tuple(
                {
                    s.link.iri: s for p in (iri, *(p.iri for p in parents)) for s in shapes_of(p)
                }.values()
            )
            terms.append(
                Term(
                    link=namer.link(subject),
                    kind=key,
                    label=_texts(onto, subject, RDFS.label),
                    definition=_texts(onto, subject, SKOS.definition),
                    note=_texts(onto, subject, RDFS.comment),
                    sample=_texts(onto, subject, SKOS.example),
                    parents=parents,
                    domain=links(subject, RDFS.domain),
                    range=links(subject, RDFS.range),
                    domain_includes=links(subject, SDO.domainIncludes),
                    range_includes=links(subject, SDO.rangeIncludes),
                    see_also=links(subject, RDFS.seeAlso),
                    characteristics=tuple(
                        "functional"
                        for _ in onto.triples((subject, RDF.type, OWL.FunctionalProperty))
                    ),
                    in_sources=_in_sources(iri),
                    shapes=shaped,
                    constraints=constraints_of(iri),
                    reused_by=(),
                    example=examples.of(iri, is_property=is_property, scheme=key == "scheme"),
                )
            )
        sections.append((key, tuple(terms)))
    sections.append(
        ("standard", _standard_terms(standard, namer, reused, shapes_of, constraints_of, examples))
    )
    meta = URIRef(str(ONTOLOGY_IRI))
    return Reference(
        iri=str(ONTOLOGY_IRI),
        version=_first(onto, meta, OWL.versionInfo),
        title=_texts(onto, meta, DCTERMS_NS.title),
        description=_texts(onto, meta, DCTERMS_NS.description),
        license=_first(onto, meta, DCTERMS_NS.license),
        created=_first(onto, meta, DCTERMS_NS.created),
        prefixes=tuple(sorted((p, str(n)) for p, n in onto.namespaces() if p)),
        references=_sorted(namer.link(o) for o in onto.objects(meta, DCTERMS_NS.references)),
        sections=tuple(sections),
        shapes=tuple(all_shapes),
    )


def _standard_terms(
    labels: Graph,
    namer: _Namer,
    reused: dict[str, set[str]],
    shapes_of: ShapesOf,
    constraints_of: ConstraintsOf,
    examples: "_Examples",
) -> tuple[Term, ...]:
    """The standard terms the data uses directly (labelled in ontology/external-labels.ttl) or
    the ontology builds on."""
    iris = {str(s) for s in labels.subjects(RDFS.label) if isinstance(s, URIRef)}
    iris = {i for i in iris if not i.startswith(PHK_NS)} | set(reused)
    terms = []
    for iri in sorted(iris, key=namer.curie):
        link = namer.link(URIRef(iri))
        is_property = link.curie.split(":")[-1][:1].islower()
        terms.append(
            Term(
                link=Link(link.iri, link.curie, "#std-" + link.curie.replace(":", "-"), link.label),
                kind="standard",
                label=link.label,
                definition={},
                note={},
                sample={},
                parents=(),
                domain=(),
                range=(),
                domain_includes=(),
                range_includes=(),
                see_also=(Link(iri, iri, iri),),
                characteristics=(),
                in_sources=_in_sources(iri),
                shapes=shapes_of(iri),
                constraints=constraints_of(iri),
                reused_by=_sorted(namer.link(URIRef(i)) for i in reused.get(iri, ())),
                example=examples.of(iri, is_property=is_property),
            )
        )
    return tuple(terms)


# -- examples from the data -------------------------------------------------------------------


class _Examples:
    """One instance or one triple per term, evidence first, then by IRI: stable across runs."""

    def __init__(self, engine: Engine | None, lang: Lang, namer: _Namer) -> None:
        self.engine, self.lang, self.namer = engine, lang, namer
        self.other: Lang = "en" if lang == "th" else "th"

    def _label(self, var: str) -> str:
        return f"""
          OPTIONAL {{ ?{var} rdfs:label ?{var}A FILTER(lang(?{var}A) = "{self.lang}") }}
          OPTIONAL {{ ?{var} rdfs:label ?{var}B FILTER(lang(?{var}B) = "{self.other}") }}
          OPTIONAL {{ ?{var} dcterms:title ?{var}C }}
          BIND(COALESCE(?{var}A, ?{var}B, ?{var}C) AS ?{var}Label)"""

    def _pick(self, pattern: str) -> Row | None:
        rows = select(
            self.engine,  # type: ignore[arg-type]
            f"""SELECT ?x ?o WHERE {{ {pattern} FILTER(STRSTARTS(STR(?x), "{ID_BASE}")) }}
                ORDER BY STR(?x) STR(?o) LIMIT 1""",
        )
        return rows[0] if rows else None

    def of(self, iri: str, *, is_property: bool, scheme: bool = False) -> Example | None:
        if self.engine is None:
            return None
        term = sparql_iri(iri)
        if scheme:
            predicate, statement = "skos:inScheme", f"?x skos:inScheme ?o . VALUES ?o {{ {term} }}"
        elif is_property:
            predicate, statement = term, f"?x {term} ?o ."
        else:
            predicate, statement = "rdf:type", f"?x a ?o . VALUES ?o {{ {term} }}"
        evidenced = f"?e rdf:predicate {predicate} ; rdf:subject ?x ; rdf:object ?o . {statement}"
        chosen = self._pick(evidenced) or self._pick(statement)
        if chosen is None:
            return None
        x, o = chosen["x"], chosen["o"]
        rows = select(
            self.engine,
            f"""
            SELECT ?xLabel ?oLabel ?quote ?source ?sourceLabel ?line ?inferred WHERE {{
              VALUES (?x ?o) {{ ({x} {o}) }}
              OPTIONAL {{ ?e rdf:subject ?x ; rdf:predicate {predicate} ; rdf:object ?o ;
                             phk:quote ?quote ; prov:wasDerivedFrom ?source ; phk:line ?line ;
                             phk:inferred ?inferred .
                          {self._label("source")} }}
              {self._label("x")} {self._label("o") if isinstance(o, ox.NamedNode) else ""}
            }}
            ORDER BY STR(?quote) LIMIT 1""",
        )
        row = rows[0] if rows else {}
        return Example(
            subject=self._link(x, row.get("xLabel")),
            value=None if not is_property else self._object(o, row.get("oLabel")),
            quote=_text(row.get("quote")),
            source=self._link(row["source"], row.get("sourceLabel")) if "source" in row else None,
            line=int(line) if (line := _text(row.get("line"))) else None,
            inferred=_text(row.get("inferred")) == "true",
        )

    def _link(self, term: object, label: object) -> Link:
        iri = term.value if isinstance(term, ox.NamedNode | ox.BlankNode) else str(term)
        link = self.namer.link(URIRef(iri))
        text = _text(label)
        return Link(link.iri, link.curie, link.href, {self.lang: text} if text else link.label)

    def _object(self, term: object, label: object) -> Link | str:
        if isinstance(term, ox.Literal):
            return term.value
        return self._link(term, label)


def _text(term: object) -> str | None:
    return term.value if isinstance(term, ox.Literal | ox.NamedNode) else None


# -- the page ---------------------------------------------------------------------------------

TEXT: dict[str, dict[str, str]] = {
    "th": {
        "title": "คู่มืออ้างอิงออนโทโลยีภาคี",
        "intro": "คำศัพท์ทุกคำของออนโทโลยี พร้อมนิยามภาษาไทยและอังกฤษ คำศัพท์มาตรฐานที่นำมาใช้ "
        "ข้อกำหนด SHACL ที่ตรวจคำศัพท์นั้น และตัวอย่างจากข้อมูลจริง",
        "download": "ดาวน์โหลด",
        "iri": "IRI",
        "version": "รุ่น",
        "created": "สร้างเมื่อ",
        "license": "สัญญาอนุญาต",
        "prefixes": "คำนำหน้า (prefix)",
        "references": "คำศัพท์มาตรฐานที่นำมาใช้",
        "contents": "สารบัญ",
        "class": "คลาส",
        "object-property": "ความสัมพันธ์ (object properties)",
        "datatype-property": "ค่าข้อมูล (datatype properties)",
        "scheme": "ชุดคำศัพท์ควบคุม",
        "standard": "คำศัพท์มาตรฐานที่ข้อมูลใช้โดยตรง",
        "shapes": "ข้อกำหนดของข้อมูล (รูปร่าง SHACL)",
        "label": "ชื่อ",
        "definition": "นิยาม",
        "note": "หมายเหตุ",
        "sample": "ตัวอย่างในนิยาม",
        "subclass": "เป็นคลาสย่อยของ",
        "subproperty": "เป็นคุณสมบัติย่อยของ",
        "domain": "ใช้กับ (domain)",
        "range": "ค่าเป็น (range)",
        "domain_includes": "ใช้กับ เช่น (domainIncludes)",
        "range_includes": "ค่าเป็น เช่น (rangeIncludes)",
        "see_also": "ดูเพิ่ม",
        "functional": "มีได้ไม่เกินหนึ่งค่า (functional)",
        "in_sources": "ในไฟล์แหล่งข้อมูล",
        "constrained": "ข้อกำหนด SHACL",
        "reused_by": "คำศัพท์ของภาคีที่ต่อยอด",
        "example": "ตัวอย่างจากข้อมูล",
        "no_example": "ยังไม่มีในข้อมูล",
        "inferred": "อนุมานโดยผู้ดูแลข้อมูล",
        "line": "บรรทัด",
        "targets": "ใช้กับ",
        "message": "ข้อความเมื่อผิด",
        "checks": "ตรวจด้วย SPARQL",
        "properties": "คุณสมบัติที่ตรวจ",
        "top": "กลับด้านบน",
        "other": "English",
    },
    "en": {
        "title": "Phakhi ontology reference",
        "intro": "Every term of the ontology with its Thai and English definitions, the standard "
        "terms it reuses, the SHACL shapes that check it, and an example from the data.",
        "download": "Download",
        "iri": "IRI",
        "version": "Version",
        "created": "Created",
        "license": "Licence",
        "prefixes": "Prefixes",
        "references": "Standard vocabularies reused",
        "contents": "Contents",
        "class": "Classes",
        "object-property": "Object properties (relations)",
        "datatype-property": "Datatype properties (values)",
        "scheme": "Concept schemes",
        "standard": "Standard terms the data uses directly",
        "shapes": "The data contract (SHACL shapes)",
        "label": "Label",
        "definition": "Definition",
        "note": "Note",
        "sample": "Examples in the definition",
        "subclass": "Subclass of",
        "subproperty": "Subproperty of",
        "domain": "Domain",
        "range": "Range",
        "domain_includes": "Domain includes",
        "range_includes": "Range includes",
        "see_also": "See also",
        "functional": "functional (at most one value)",
        "in_sources": "In source files",
        "constrained": "SHACL constraints",
        "reused_by": "Phakhi terms building on it",
        "example": "Example from the data",
        "no_example": "none in the data yet",
        "inferred": "curator's inference",
        "line": "line",
        "targets": "Targets",
        "message": "Message",
        "checks": "SPARQL checks",
        "properties": "Properties checked",
        "top": "back to top",
        "other": "ไทย",
    },
}

STYLE = """\
.ontology-reference { line-height: 1.5; }
.ontology-reference code { font-family: "DejaVu Sans Mono", monospace; font-size: 90%;
  background: #f0efe9; padding: 0 3px; border-radius: 3px; }
.ontology-reference h2 { margin-top: 40px; border-bottom: 2px solid #c9b37e; padding-bottom: 4px; }
.ontology-reference section.term, .ontology-reference section.shape { background: #fff;
  border: 1px solid #ddd; border-radius: 6px; padding: 8px 16px; margin: 16px 0; }
.ontology-reference section h3 { margin: 6px 0; font-size: 18px; }
.ontology-reference h3 .alt { font-weight: normal; color: #555; }
.ontology-reference table { border-collapse: collapse; width: 100%; }
.ontology-reference th { text-align: left; vertical-align: top; width: 190px;
  padding: 4px 8px 4px 0; font-weight: 600; color: #444; font-size: 14px; }
.ontology-reference td { vertical-align: top; padding: 4px 0; }
.ontology-reference td p { margin: 0 0 6px; }
.ontology-reference .lbl { color: #555; }
.ontology-reference .toc li { margin-bottom: 6px; }
.ontology-reference .toc a { white-space: nowrap; }
.ontology-reference ul.constraints { margin: 0; padding-left: 18px; }
.ontology-reference blockquote { margin: 4px 0; padding: 2px 10px; border-left: 3px solid #c9b37e;
  background: #fbf8ef; }
.ontology-reference .badge { font-size: 12px; background: #fde9c8; border-radius: 3px;
  padding: 0 4px; }
.ontology-reference .downloads { float: right; }
.ontology-reference .top { font-size: 13px; }
"""

_BODY = """\
{%- macro name(link) -%}
<a href="{{ link.href }}"><code>{{ link.curie }}</code></a>
{%- if pick(link.label) %} <span class="lbl">{{ pick(link.label) }}</span>{% endif -%}
{%- endmacro -%}
{%- macro names(links) -%}
{% for link in links %}{{ name(link) }}{% if not loop.last %}, {% endif %}{% endfor %}
{%- endmacro -%}
{%- macro both(texts) -%}
{% for l in order if texts.get(l) %}<p lang="{{ l }}">{{ texts[l] }}</p>{% endfor %}
{%- endmacro -%}
{%- macro rules(items) -%}
{% for rule in items %}<code>{{ rule.name }}</code> {% for v in rule.values -%}
{% if v is string %}<code>{{ v }}</code>{% else %}<a href="{{ v.href }}"><code>{{ v.curie }}</code></a>{% endif %}
{%- if not loop.last %} | {% endif %}{% endfor %}{% if not loop.last %} · {% endif %}{% endfor %}
{%- endmacro -%}
<div class="ontology-reference" lang="{{ lang }}">
{% if downloads %}<p class="downloads">{{ t.download }}:
  <a href="{{ downloads.turtle }}" type="text/turtle">Turtle</a> ·
  <a href="{{ downloads.jsonld }}" type="application/ld+json">JSON-LD</a></p>{% endif %}
<h1 id="top">{{ t.title }}</h1>
<p><strong>{{ pick(ref.title) }}</strong></p>
<p>{{ t.intro }}</p>
{{ both(ref.description) }}
<table class="meta">
  <tr><th>{{ t.iri }}</th><td><code>{{ ref.iri }}</code></td></tr>
  <tr><th>{{ t.version }}</th><td>{{ ref.version }}</td></tr>
  <tr><th>{{ t.created }}</th><td>{{ ref.created }}</td></tr>
  <tr><th>{{ t.license }}</th><td><a href="{{ ref.license }}">{{ ref.license }}</a></td></tr>
  <tr><th>{{ t.references }}</th><td>{% for r in ref.references %}<a href="{{ r.href }}">{{ r.iri }}</a>{% if not loop.last %}, {% endif %}{% endfor %}</td></tr>
  <tr><th>{{ t.prefixes }}</th><td>{% for p, ns in ref.prefixes %}<code>{{ p }}:</code> {{ ns }}{% if not loop.last %}<br>{% endif %}{% endfor %}</td></tr>
</table>

<h2>{{ t.contents }}</h2>
<ul class="toc">
{% for key, terms in ref.sections %}
  <li><a href="#section-{{ key }}">{{ t[key] }}</a> ({{ terms|length }}):
  {% for term in terms %}<a href="{{ term.link.href }}">{{ term.link.curie }}</a>{% if not loop.last %}, {% endif %}{% endfor %}</li>
{% endfor %}
  <li><a href="#section-shapes">{{ t.shapes }}</a> ({{ ref.shapes|length }})</li>
</ul>

{% for key, terms in ref.sections %}
<h2 id="section-{{ key }}">{{ t[key] }}</h2>
{% for term in terms %}
<section class="term" id="{{ term.anchor }}">
  <h3>{{ pick(term.label) or term.link.curie }}
    {% for l in order if l != lang and term.label.get(l) %}<span class="alt" lang="{{ l }}">· {{ term.label[l] }}</span>{% endfor %}
    <code>{{ term.link.curie }}</code></h3>
  <table>
    <tr><th>{{ t.iri }}</th><td><code>{{ term.link.iri }}</code></td></tr>
    {% if term.definition %}<tr><th>{{ t.definition }}</th><td>{{ both(term.definition) }}</td></tr>{% endif %}
    {% if term.note %}<tr><th>{{ t.note }}</th><td>{{ both(term.note) }}</td></tr>{% endif %}
    {% if term.sample %}<tr><th>{{ t.sample }}</th><td>{{ both(term.sample) }}</td></tr>{% endif %}
    {% if term.parents %}<tr><th>{{ t.subproperty if term.kind.endswith("property") else t.subclass }}</th><td>{{ names(term.parents) }}</td></tr>{% endif %}
    {% for field in ("domain", "range", "domain_includes", "range_includes") if term[field] %}
    <tr><th>{{ t[field] }}</th><td>{{ names(term[field]) }}</td></tr>
    {% endfor %}
    {% if term.characteristics %}<tr><th></th><td>{{ t.functional }}</td></tr>{% endif %}
    {% if term.reused_by %}<tr><th>{{ t.reused_by }}</th><td>{{ names(term.reused_by) }}</td></tr>{% endif %}
    {% if term.in_sources %}<tr><th>{{ t.in_sources }}</th><td>{% for s in term.in_sources %}<code>{{ s }}</code>{% if not loop.last %}, {% endif %}{% endfor %}</td></tr>{% endif %}
    {% if term.shapes or term.constraints %}<tr><th>{{ t.constrained }}</th><td><ul class="constraints">
      {% for shape in term.shapes %}<li><a href="{{ shape.link.href }}"><code>{{ shape.link.curie }}</code></a> {{ pick(shape.label) }}{% if pick(shape.comment) %}: {{ pick(shape.comment) }}{% endif %}</li>{% endfor %}
      {% for shape, p in term.constraints %}<li><a href="{{ shape.link.href }}"><code>{{ shape.link.curie }}</code></a>{% if p.shape %} / <code>{{ p.shape.curie }}</code>{% endif %} · <code>{{ p.path.curie }}</code>: {{ rules(p.rules) }}{% if p.message %}<br><q lang="en">{{ p.message }}</q>{% endif %}</li>{% endfor %}
    </ul></td></tr>{% endif %}
    {% if term.kind == "standard" %}<tr><th>{{ t.see_also }}</th><td><a href="{{ term.link.iri }}">{{ term.link.iri }}</a></td></tr>{% endif %}
    {% if term.kind != "standard" or term.example %}<tr><th>{{ t.example }}</th><td class="example">
      {% set ex = term.example %}
      {% if ex %}{{ name(ex.subject) }}
        {% if ex.value is not none %} → {% if ex.value is string %}<code>{{ ex.value }}</code>{% else %}{{ name(ex.value) }}{% endif %}{% endif %}
        {% if ex.quote %}<blockquote lang="th">“{{ ex.quote }}”</blockquote>
          {% if ex.source %}<small>{{ name(ex.source) }}{% if ex.line %}, {{ t.line }} {{ ex.line }}{% endif %}</small>{% endif %}
          {% if ex.inferred %} <span class="badge">{{ t.inferred }}</span>{% endif %}
        {% endif %}
      {% else %}<em>{{ t.no_example }}</em>{% endif %}
    </td></tr>{% endif %}
  </table>
  <a class="top" href="#top">↑ {{ t.top }}</a>
</section>
{% endfor %}
{% endfor %}

<h2 id="section-shapes">{{ t.shapes }}</h2>
{% for shape in ref.shapes %}
<section class="shape" id="{{ shape.link.href[1:] }}">
  <h3>{{ pick(shape.label) }} <code>{{ shape.link.curie }}</code></h3>
  <table>
    {% if shape.comment %}<tr><th>{{ t.definition }}</th><td>{{ both(shape.comment) }}</td></tr>{% endif %}
    {% if shape.targets %}<tr><th>{{ t.targets }}</th><td>{% for kind, target in shape.targets %}<code>{{ kind }}</code> {{ name(target) }}{% if not loop.last %}<br>{% endif %}{% endfor %}</td></tr>{% endif %}
    {% if shape.rules %}<tr><th>SHACL</th><td>{{ rules(shape.rules) }}</td></tr>{% endif %}
    {% if shape.properties %}<tr><th>{{ t.properties }}</th><td><ul class="constraints">
      {% for p in shape.properties %}<li>{{ name(p.path) }}{% if pick(p.name) %} ({{ pick(p.name) }}){% endif %}: {{ rules(p.rules) }}{% if p.message %}<br><q lang="en">{{ p.message }}</q>{% endif %}</li>{% endfor %}
    </ul></td></tr>{% endif %}
    {% if shape.checks %}<tr><th>{{ t.checks }}</th><td>{% for c in shape.checks %}<q lang="en">{{ c }}</q>{% if not loop.last %}<br>{% endif %}{% endfor %}</td></tr>{% endif %}
    {% if shape.message %}<tr><th>{{ t.message }}</th><td><q lang="en">{{ shape.message }}</q></td></tr>{% endif %}
  </table>
</section>
{% endfor %}
</div>
"""  # noqa: E501 (HTML lines)

_PAGE = """\
<!doctype html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} · Phakhi</title>
<style>
body { margin: 0; font-family: Garuda, Loma, "Noto Sans Thai", Tahoma, "DejaVu Sans", sans-serif;
       color: #1a1a1a; background: #fafaf7; }
main { max-width: 1100px; margin: 0 auto; padding: 8px 24px 48px; }
a { color: #0b5394; }
{{ style }}
</style>
</head>
<body>
<main>
{{ body }}
</main>
</body>
</html>
"""

_ENVIRONMENT = Environment(
    loader=DictLoader({"body.html": _BODY, "page.html": _PAGE}),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _pick(order: Sequence[str]) -> Callable[[Texts], str]:
    def pick(texts: Texts) -> str:
        for tag in (*order, ""):
            if texts.get(tag):
                return texts[tag]
        return ""

    return pick


def render_body(
    reference: Reference, lang: Lang = "th", *, downloads: dict[str, str] | None = None
) -> Markup:
    """The reference as an HTML fragment (a div.ontology-reference styled by STYLE), for a
    page of the site; downloads links the Turtle and JSON-LD files (keys turtle, jsonld)."""
    other: Lang = "en" if lang == "th" else "th"
    order = (lang, other)
    html = _ENVIRONMENT.get_template("body.html").render(
        ref=reference,
        lang=lang,
        order=order,
        t=TEXT[lang],
        pick=_pick(order),
        downloads=downloads or {},
    )
    return Markup(html)


def render_page(reference: Reference, lang: Lang = "th") -> str:
    """The reference as one standalone HTML file: inline style, no script, nothing remote."""
    return _ENVIRONMENT.get_template("page.html").render(
        lang=lang,
        title=TEXT[lang]["title"],
        style=Markup(STYLE),
        body=render_body(reference, lang),
    )


def write_reference(path: Path, *, data_dir: Path = DATA_DIR, lang: Lang = "th") -> None:
    """Write the reference as one standalone HTML file (phakhi build: dist/ontology.html),
    with examples from the sources under data_dir."""
    from phakhi.graph.atomic import write_atomically
    from phakhi.graph.loader import open_seed

    engine = open_seed(data_dir, ONTOLOGY_FILE)
    html = render_page(build_reference(engine, lang), lang)
    write_atomically(path, html.encode("utf-8"))
