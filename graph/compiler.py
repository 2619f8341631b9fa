"""Compile the curated YAML under data/ into an RDF dataset with one named graph per file."""

import difflib
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from rdflib import Dataset, Literal, URIRef
from rdflib.term import Node

from phakhi.graph import yamlfile
from phakhi.graph.model import (
    Entity,
    Membership,
    Participation,
    Quote,
    ReferenceFile,
    RelationStatement,
    SourceFile,
)
from phakhi.graph.namespaces import (
    BASE,
    DCTERMS,
    FOAF,
    ORG,
    PHK,
    PROV,
    RDF,
    RDFS,
    SCHEMA_FUNDING,
    SDO,
    SKOS,
    WGS84,
    XSD,
)
from phakhi.graph.problems import Problem, SourceErrors
from phakhi.graph.sourcetext import SourceText

Loc = tuple[int | str, ...]

CLASSES: dict[str, tuple[URIRef, ...]] = {
    "agency": (PHK.Agency, ORG.FormalOrganization),
    "unit": (ORG.OrganizationalUnit,),
    "person": (FOAF.Person,),
    "province": (PHK.Province,),
    "place": (SDO.Place,),
    "event": (PHK.Forum,),
    "project": (PHK.ResearchProject,),
    "programme": (PHK.Programme,),
    "phase": (PHK.ProjectPhase,),
    "objective": (PHK.Objective,),
    "grant": (SDO.Grant,),
    "mechanism": (PHK.CivicMechanism,),
    "commitment": (PHK.Commitment,),
    "direction": (PHK.SharedDirection,),
    "statistic": (PHK.Statistic,),
    "mechanism-type": (PHK.MechanismType, SKOS.Concept),
    "theme": (PHK.Theme, SKOS.Concept),
    "role": (ORG.Role, SKOS.Concept),
    "capacity": (PHK.Capacity, SKOS.Concept),
    "status": (PHK.MechanismStatus, SKOS.Concept),
}

SCHEMES: dict[str, URIRef] = {
    "mechanism-type": PHK.MechanismTypeScheme,
    "theme": PHK.ThemeScheme,
    "role": PHK.RoleScheme,
    "capacity": PHK.CapacityScheme,
    "status": PHK.MechanismStatusScheme,
}

ORGANISATIONS = ("agency", "unit")
ACTORS = ("agency", "unit", "person")
CONCEPTS = tuple(SCHEMES)
ANY = tuple(CLASSES)

_COMMON = {"id", "kind", "label", "alt", "description", "quote", "inferred"}
_DATED = {"date", "start", "end"}
KIND_FIELDS: dict[str, set[str]] = {
    "agency": {"part_of"},
    "unit": {"part_of"},
    "person": {"honorific"},
    "province": {"iso_code", "code", "lat", "long"},
    "place": {"contained_in"},
    "event": {"date", "location", "attendees_more_than"},
    "project": {"duration_years"},
    "programme": set(),
    "phase": {"of", "number", "study_areas"},
    "objective": {"of", "number"},
    "grant": {"funder"},
    "mechanism": {"mechanism_type", "province", "status"} | _DATED,
    "commitment": {"by", "at", "themes", "mechanism_types"} | _DATED,
    "direction": {"at", "themes", "mechanism_types"} | _DATED,
    "statistic": {"about", "value", "unit"},
    "mechanism-type": {"definition", "broader"},
    "theme": {"definition", "broader"},
    "role": {"definition"},
    "capacity": {"definition"},
    "status": {"definition"},
}
REQUIRED_FIELDS: dict[str, set[str]] = {
    "province": {"iso_code", "code", "lat", "long"},
    "phase": {"of", "number"},
    "objective": {"of", "number"},
    "mechanism": {"mechanism_type", "status"},
    "statistic": {"about", "value"},
}

RELATIONS: dict[str, tuple[URIRef, tuple[str, ...], tuple[str, ...]]] = {
    "part_of": (ORG.subOrganizationOf, ORGANISATIONS, ORGANISATIONS),
    "promotes": (PHK.promotes, ACTORS, ("mechanism-type", "mechanism")),
    "works_on": (
        PHK.worksOnTheme,
        ("province", "agency", "unit", "mechanism", "project", "programme", "person"),
        ("theme",),
    ),
    "study_area": (PHK.studyArea, ("phase",), ("province",)),
    "funding": (SCHEMA_FUNDING, ("project", "programme"), ("grant",)),
    "funder": (SDO.funder, ("grant", "project", "programme"), ORGANISATIONS),
    "organizer": (SDO.organizer, ("event",), ACTORS),
    "location": (SDO.location, ("event",), ("place", "province")),
    "about": (SDO.about, ("event", "statistic", "commitment", "direction", "programme"), ANY),
    "contained_in": (SDO.containedInPlace, ("place",), ("place", "province")),
    "led_by": (PHK.ledBy, ("mechanism", "project", "programme"), ("person",)),
    "in_province": (PHK.inProvince, ("mechanism", "event", "programme"), ("province",)),
}


def _todos(node: Any, loc: Loc) -> Iterable[Loc]:
    """Where a draft (phakhi suggest) still says TODO."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _todos(value, (*loc, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _todos(value, (*loc, index))
    elif isinstance(node, str) and node.lower().startswith("todo"):
        yield loc


def entity_iri(kind: str, ident: str) -> URIRef:
    return URIRef(f"{BASE}id/{kind}/{ident}")


def source_graph_iri(ident: str) -> URIRef:
    return URIRef(f"{BASE}graph/{ident}")


def reference_graph_iri(stem: str) -> URIRef:
    return URIRef(f"{BASE}graph/reference/{stem}")


@dataclass(frozen=True)
class Declared:
    kind: str
    path: Path
    line: int


@dataclass
class _Doc:
    """One parsed file and the graph it compiles into."""

    path: Path
    raw: Any
    model: ReferenceFile | SourceFile
    graph: URIRef
    text: SourceText | None = None
    source: URIRef | None = None
    language: str = "th"
    date: Literal | None = None

    def line(self, loc: Loc) -> int:
        return yamlfile.line_of(self.raw, loc)


@dataclass
class Compiler:
    data_dir: Path
    dataset: Dataset = field(default_factory=lambda: Dataset(default_union=True))
    problems: list[Problem] = field(default_factory=list)
    declared: dict[str, Declared] = field(default_factory=dict)

    def run(self) -> Dataset:
        docs = [doc for doc in self._parse_all() if doc is not None]
        for doc in docs:
            self._declare(doc)
        for doc in docs:
            self._emit(doc)
        if self.problems:
            raise SourceErrors(self.problems)
        return self.dataset

    # -- parsing -----------------------------------------------------------------------

    def _parse_all(self) -> Iterable[_Doc | None]:
        for path in sorted((self.data_dir / "reference").glob("*.yaml")):
            yield self._parse(path, ReferenceFile)
        for path in sorted((self.data_dir / "sources").glob("*.yaml")):
            yield self._parse(path, SourceFile)

    def _parse(self, path: Path, model: type[ReferenceFile | SourceFile]) -> _Doc | None:
        shown = self._shown(path)
        try:
            raw = yamlfile.load(path)
        except SourceErrors as errors:
            self.problems += [Problem(shown, p.line, p.message) for p in errors.problems]
            return None
        unfilled = list(_todos(raw, ()))
        if unfilled:
            for loc in unfilled:
                where = ".".join(str(step) for step in loc)
                line = yamlfile.line_of(raw, loc)
                self.problems.append(
                    Problem(shown, line, f"{where}: a curator must fill in this TODO")
                )
            return None
        try:
            parsed: BaseModel = model.model_validate(raw)
        except ValidationError as error:
            for item in error.errors():
                where = ".".join(str(step) for step in item["loc"]) or "file"
                line = yamlfile.line_of(raw, tuple(item["loc"]))
                self.problems.append(Problem(shown, line, f"{where}: {item['msg']}"))
            return None
        if isinstance(parsed, SourceFile):
            return self._source_doc(shown, raw, parsed)
        assert isinstance(parsed, ReferenceFile)
        return _Doc(shown, raw, parsed, reference_graph_iri(path.stem))

    def _source_doc(self, shown: Path, raw: Any, parsed: SourceFile) -> _Doc | None:
        meta = parsed.source
        doc = _Doc(shown, raw, parsed, source_graph_iri(meta.id))
        doc.source = URIRef(f"{BASE}id/source/{meta.id}")
        doc.language = meta.language
        doc.date = Literal(meta.date, datatype=XSD.date) if meta.date else None
        text_path = self.data_dir / meta.text
        if not text_path.is_file():
            self._problem(doc, ("source", "text"), f"source text {meta.text!r} not found")
            return None
        first, last = meta.lines
        doc.text = SourceText(text_path.read_text(encoding="utf-8"), first, last)
        if not 1 <= first <= last <= doc.text.line_count:
            self._problem(
                doc, ("source", "lines"),
                f"lines {first}-{last} are outside the text (1-{doc.text.line_count})",
            )  # fmt: skip
            return None
        return doc

    def _shown(self, path: Path) -> Path:
        try:
            return path.relative_to(Path.cwd())
        except ValueError:
            return path

    # -- declarations and references ---------------------------------------------------

    def _declare(self, doc: _Doc) -> None:
        if isinstance(doc.model, SourceFile):
            self._declare_one(doc, doc.model.source.id, "source", ("source", "id"))
        for index, entity in enumerate(doc.model.entities):
            self._declare_one(doc, entity.id, entity.kind, ("entities", index, "id"))

    def _declare_one(self, doc: _Doc, ident: str, kind: str, loc: Loc) -> None:
        line = doc.line(loc)
        if ident in self.declared:
            first = self.declared[ident]
            self._problem(doc, loc, f"duplicate id {ident!r} (first at {first.path}:{first.line})")
            return
        self.declared[ident] = Declared(kind, doc.path, line)

    def _ref(self, doc: _Doc, ident: str, kinds: Sequence[str], loc: Loc) -> URIRef | None:
        found = self.declared.get(ident)
        if found is None:
            close = difflib.get_close_matches(ident, list(self.declared), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            self._problem(doc, loc, f"unknown reference {ident!r}{hint}")
            return None
        if found.kind not in kinds:
            wanted = " or ".join(kinds)
            self._problem(doc, loc, f"{ident!r} is a {found.kind}, expected {wanted}")
            return None
        return entity_iri(found.kind, ident)

    def _problem(self, doc: _Doc, loc: Loc, message: str) -> None:
        where = ".".join(str(step) for step in loc)
        self.problems.append(Problem(doc.path, doc.line(loc), f"{where}: {message}"))

    # -- emitting ----------------------------------------------------------------------

    def _emit(self, doc: _Doc) -> None:
        if isinstance(doc.model, SourceFile):
            self._emit_source(doc, doc.model)
        for index, entity in enumerate(doc.model.entities):
            self._emit_entity(doc, entity, ("entities", index))
        if isinstance(doc.model, SourceFile):
            for index, membership in enumerate(doc.model.memberships):
                self._emit_membership(doc, membership, ("memberships", index))
            for index, participation in enumerate(doc.model.participations):
                self._emit_participation(doc, participation, ("participations", index))
            for index, relation in enumerate(doc.model.relations):
                self._emit_relation(doc, relation, ("relations", index))

    def _add(self, doc: _Doc, s: Node, p: Node, o: Node) -> None:
        self.dataset.graph(doc.graph).add((s, p, o))

    def _lang(self, doc: _Doc, s: URIRef, p: URIRef, texts: dict[str, str | None]) -> None:
        for lang, value in texts.items():
            if value:
                self._add(doc, s, p, Literal(value.strip(), lang=lang))

    def _emit_source(self, doc: _Doc, model: SourceFile) -> None:
        meta, source = model.source, doc.source
        assert source is not None
        self._add(doc, source, RDF.type, PHK.SourceDocument)
        self._add(doc, source, DCTERMS.title, Literal(meta.title, lang=meta.language))
        publisher = self._ref(doc, meta.publisher, ORGANISATIONS, ("source", "publisher"))
        if publisher is not None:
            self._add(doc, source, DCTERMS.publisher, publisher)
        if doc.date is not None:
            self._add(doc, source, DCTERMS.date, doc.date)
        self._add(doc, source, DCTERMS.language, Literal(meta.language))
        self._add(doc, source, PHK.fileName, Literal(meta.original_file))
        self._add(doc, source, PHK.firstLine, Literal(meta.lines[0]))
        self._add(doc, source, PHK.lastLine, Literal(meta.lines[1]))
        self._add(doc, source, PHK.tier, Literal(meta.tier))
        if meta.note:
            self._add(doc, source, RDFS.comment, Literal(meta.note, lang="en"))

    def _evidence(
        self, doc: _Doc, triple: tuple[URIRef, URIRef, URIRef], quote: Quote | None,
        inferred: bool, loc: Loc,
    ) -> None:  # fmt: skip
        """Assert a relation and, in a source, the quote that backs it."""
        self._add(doc, *triple)
        if doc.text is None or quote is None:
            return
        quotes = [quote] if isinstance(quote, str) else list(quote)
        lines = []
        for index, text in enumerate(quotes):
            line = doc.text.find(text)
            if line is None:
                where = (*loc, "quote") if isinstance(quote, str) else (*loc, "quote", index)
                first, last = doc.text.first, doc.text.last
                shown = text if len(text) <= 40 else text[:40] + "…"
                self._problem(
                    doc, where, f"quote not found in the text's lines {first}-{last}: {shown!r}"
                )
                return
            lines.append(line)
        key = "\x1f".join([str(doc.source), *map(str, triple), *quotes])
        node = URIRef(f"{BASE}id/evidence/{hashlib.sha1(key.encode()).hexdigest()[:16]}")
        assert doc.source is not None
        self._add(doc, node, RDF.type, PHK.Evidence)
        self._add(doc, node, RDF.subject, triple[0])
        self._add(doc, node, RDF.predicate, triple[1])
        self._add(doc, node, RDF.object, triple[2])
        self._add(doc, node, PROV.wasDerivedFrom, doc.source)
        for text in quotes:
            self._add(doc, node, PHK.quote, Literal(text.strip(), lang=doc.language))
        self._add(doc, node, PHK.line, Literal(min(lines)))
        self._add(doc, node, PHK.inferred, Literal(inferred))

    def _emit_entity(self, doc: _Doc, entity: Entity, loc: Loc) -> None:
        if not self._check_fields(doc, entity, loc):
            return
        iri = entity_iri(entity.kind, entity.id)
        if doc.text is not None and entity.quote is None:
            self._problem(doc, loc, "missing quote: every entity of a source needs one")
        for cls in CLASSES[entity.kind]:
            self._evidence(doc, (iri, RDF.type, cls), entity.quote, entity.inferred, loc)
        label = entity.label.model_dump()
        self._lang(doc, iri, RDFS.label, label)
        for lang, values in entity.alt.model_dump().items():
            for value in values:
                self._add(doc, iri, SKOS.altLabel, Literal(value, lang=lang))
        if entity.description:
            self._lang(doc, iri, RDFS.comment, entity.description.model_dump())
        if entity.kind in SCHEMES:
            self._lang(doc, iri, SKOS.prefLabel, label)
            self._add(doc, iri, SKOS.inScheme, SCHEMES[entity.kind])
        if entity.kind == "person":
            self._lang(doc, iri, FOAF.name, label)
        _EMITTERS.get(entity.kind, _emit_nothing)(self, doc, entity, iri, loc)
        if entity.kind in ("mechanism", "commitment", "direction"):
            self._dates(doc, iri, entity.date, entity.start, entity.end)

    def _check_fields(self, doc: _Doc, entity: Entity, loc: Loc) -> bool:
        allowed = _COMMON | KIND_FIELDS[entity.kind]
        extra = sorted(entity.model_fields_set - allowed)
        missing = sorted(REQUIRED_FIELDS.get(entity.kind, set()) - entity.model_fields_set)
        for name in extra:
            self._problem(doc, (*loc, name), f"a {entity.kind} has no field {name!r}")
        for name in missing:
            self._problem(doc, loc, f"a {entity.kind} needs the field {name!r}")
        return not extra and not missing

    def _link(
        self, doc: _Doc, entity: Entity, iri: URIRef, predicate: URIRef, target: str | None,
        kinds: Sequence[str], loc: Loc, reverse: bool = False,
    ) -> None:  # fmt: skip
        """A relation stated by an entity's own field, backed by the entity's quote."""
        if target is None:
            return
        other = self._ref(doc, target, kinds, loc)
        if other is None:
            return
        triple = (other, predicate, iri) if reverse else (iri, predicate, other)
        self._evidence(doc, triple, entity.quote, entity.inferred, loc)

    def _links(
        self, doc: _Doc, entity: Entity, iri: URIRef, predicate: URIRef, targets: list[str],
        kinds: Sequence[str], loc: Loc,
    ) -> None:  # fmt: skip
        for index, target in enumerate(targets):
            self._link(doc, entity, iri, predicate, target, kinds, (*loc, index))

    def _dates(self, doc: _Doc, iri: URIRef, date: Any, start: Any, end: Any) -> None:
        attested = Literal(date, datatype=XSD.date) if date else doc.date
        if attested is not None:
            self._add(doc, iri, PHK.attestedOn, attested)
        if start:
            self._add(doc, iri, SDO.startDate, Literal(start, datatype=XSD.date))
        if end:
            self._add(doc, iri, SDO.endDate, Literal(end, datatype=XSD.date))

    def _emit_membership(self, doc: _Doc, item: Membership, loc: Loc) -> None:
        person = self._ref(doc, item.person, ("person",), (*loc, "person"))
        organization = self._ref(doc, item.organization, ORGANISATIONS, (*loc, "organization"))
        role = self._ref(doc, item.role, ("role",), (*loc, "role")) if item.role else None
        if person is None or organization is None or (item.role and role is None):
            return
        parts = [item.person, item.organization] + ([item.role] if item.role else [])
        node = URIRef(f"{BASE}id/membership/{'--'.join(parts)}")
        self._evidence(doc, (node, RDF.type, ORG.Membership), item.quote, item.inferred, loc)
        self._evidence(doc, (node, ORG.member, person), item.quote, item.inferred, loc)
        self._evidence(doc, (node, ORG.organization, organization), item.quote, item.inferred, loc)
        if role is not None:
            self._evidence(doc, (node, ORG.role, role), item.quote, item.inferred, loc)
        self._dates(doc, node, item.date, item.start, item.end)

    def _emit_participation(self, doc: _Doc, item: Participation, loc: Loc) -> None:
        if item.participant is None and item.on_behalf_of is None:
            self._problem(doc, loc, "a participation needs a participant or on_behalf_of")
            return
        event = self._ref(doc, item.event, ("event",), (*loc, "event"))
        capacity = self._ref(doc, item.capacity, ("capacity",), (*loc, "capacity"))
        links = [(PHK.inEvent, event), (PHK.capacity, capacity)]
        if item.participant:
            links.append((PHK.participant, self._ref(doc, item.participant, ACTORS,
                                                     (*loc, "participant"))))  # fmt: skip
        if item.on_behalf_of:
            kinds = (*ORGANISATIONS, "province", "project")
            links.append((PHK.onBehalfOf, self._ref(doc, item.on_behalf_of, kinds,
                                                    (*loc, "on_behalf_of"))))  # fmt: skip
        if any(target is None for _, target in links):
            return
        who = item.participant or item.on_behalf_of
        node = URIRef(f"{BASE}id/participation/{item.event}--{who}--{item.capacity}")
        self._evidence(doc, (node, RDF.type, PHK.Participation), item.quote, item.inferred, loc)
        for predicate, target in links:
            assert target is not None
            self._evidence(doc, (node, predicate, target), item.quote, item.inferred, loc)
        self._dates(doc, node, item.date, None, None)

    def _emit_relation(self, doc: _Doc, item: RelationStatement, loc: Loc) -> None:
        predicate, subject_kinds, object_kinds = RELATIONS[item.relation]
        subject = self._ref(doc, item.subject, subject_kinds, (*loc, "subject"))
        obj = self._ref(doc, item.object, object_kinds, (*loc, "object"))
        if subject is not None and obj is not None:
            self._evidence(doc, (subject, predicate, obj), item.quote, item.inferred, loc)


def _emit_nothing(c: Compiler, doc: _Doc, e: Entity, iri: URIRef, loc: Loc) -> None:
    return None


def _emit_organisation(c: Compiler, doc: _Doc, e: Entity, iri: URIRef, loc: Loc) -> None:
    c._link(doc, e, iri, ORG.subOrganizationOf, e.part_of, ORGANISATIONS, (*loc, "part_of"))


def _emit_person(c: Compiler, doc: _Doc, e: Entity, iri: URIRef, loc: Loc) -> None:
    if e.honorific:
        c._lang(doc, iri, SDO.honorificPrefix, e.honorific.model_dump())


def _emit_province(c: Compiler, doc: _Doc, e: Entity, iri: URIRef, loc: Loc) -> None:
    c._add(doc, iri, PHK.isoCode, Literal(e.iso_code))
    c._add(doc, iri, PHK.provinceCode, Literal(e.code))
    c._add(doc, iri, WGS84.lat, Literal(f"{e.lat:.4f}", datatype=XSD.decimal))
    c._add(doc, iri, WGS84.long, Literal(f"{e.long:.4f}", datatype=XSD.decimal))


def _emit_place(c: Compiler, doc: _Doc, e: Entity, iri: URIRef, loc: Loc) -> None:
    kinds = ("place", "province")
    c._link(doc, e, iri, SDO.containedInPlace, e.contained_in, kinds, (*loc, "contained_in"))


def _emit_event(c: Compiler, doc: _Doc, e: Entity, iri: URIRef, loc: Loc) -> None:
    if e.date:
        c._add(doc, iri, SDO.startDate, Literal(e.date, datatype=XSD.date))
    if e.attendees_more_than is not None:
        c._add(doc, iri, PHK.attendeesMoreThan, Literal(e.attendees_more_than))
    kinds = ("place", "province")
    c._link(doc, e, iri, SDO.location, e.location, kinds, (*loc, "location"))


def _emit_project(c: Compiler, doc: _Doc, e: Entity, iri: URIRef, loc: Loc) -> None:
    if e.duration_years is not None:
        c._add(doc, iri, PHK.durationYears, Literal(e.duration_years))


def _emit_phase(c: Compiler, doc: _Doc, e: Entity, iri: URIRef, loc: Loc) -> None:
    c._add(doc, iri, PHK.phaseNumber, Literal(e.number))
    c._link(doc, e, iri, PHK.hasPhase, e.of, ("project",), (*loc, "of"), reverse=True)
    c._links(doc, e, iri, PHK.studyArea, e.study_areas, ("province",), (*loc, "study_areas"))


def _emit_objective(c: Compiler, doc: _Doc, e: Entity, iri: URIRef, loc: Loc) -> None:
    c._add(doc, iri, SDO.position, Literal(e.number))
    c._link(doc, e, iri, PHK.hasObjective, e.of, ("project",), (*loc, "of"), reverse=True)


def _emit_grant(c: Compiler, doc: _Doc, e: Entity, iri: URIRef, loc: Loc) -> None:
    c._links(doc, e, iri, SDO.funder, e.funder, ORGANISATIONS, (*loc, "funder"))


def _emit_mechanism(c: Compiler, doc: _Doc, e: Entity, iri: URIRef, loc: Loc) -> None:
    c._link(doc, e, iri, PHK.mechanismType, e.mechanism_type, ("mechanism-type",),
            (*loc, "mechanism_type"))  # fmt: skip
    c._link(doc, e, iri, PHK.inProvince, e.province, ("province",), (*loc, "province"))
    c._link(doc, e, iri, PHK.status, e.status, ("status",), (*loc, "status"))


def _emit_commitment(c: Compiler, doc: _Doc, e: Entity, iri: URIRef, loc: Loc) -> None:
    by_kinds = (*ACTORS, "province")
    c._links(doc, e, iri, PHK.committedBy, e.by, by_kinds, (*loc, "by"))
    c._link(doc, e, iri, PHK.madeAt, e.at, ("event",), (*loc, "at"))
    c._links(doc, e, iri, PHK.aboutTheme, e.themes, ("theme",), (*loc, "themes"))
    c._links(doc, e, iri, PHK.aboutMechanismType, e.mechanism_types, ("mechanism-type",),
             (*loc, "mechanism_types"))  # fmt: skip


def _emit_statistic(c: Compiler, doc: _Doc, e: Entity, iri: URIRef, loc: Loc) -> None:
    assert e.value is not None
    value = Literal(int(e.value)) if e.value.is_integer() else Literal(e.value)
    c._add(doc, iri, PHK.statisticValue, value)
    if e.unit:
        c._lang(doc, iri, PHK.statisticUnit, e.unit.model_dump())
    c._link(doc, e, iri, PHK.statisticAbout, e.about, ANY, (*loc, "about"))


def _emit_concept(c: Compiler, doc: _Doc, e: Entity, iri: URIRef, loc: Loc) -> None:
    if e.definition:
        c._lang(doc, iri, SKOS.definition, e.definition.model_dump())
    c._links(doc, e, iri, SKOS.broader, e.broader, (e.kind,), (*loc, "broader"))


_EMITTERS = {
    "agency": _emit_organisation,
    "unit": _emit_organisation,
    "person": _emit_person,
    "province": _emit_province,
    "place": _emit_place,
    "event": _emit_event,
    "project": _emit_project,
    "phase": _emit_phase,
    "objective": _emit_objective,
    "grant": _emit_grant,
    "mechanism": _emit_mechanism,
    "commitment": _emit_commitment,
    "direction": _emit_commitment,
    "statistic": _emit_statistic,
    **{kind: _emit_concept for kind in SCHEMES},
}


def compile_data(data_dir: Path) -> Dataset:
    """Compile every file under data_dir; raise SourceErrors listing all problems."""
    return Compiler(data_dir).run()
