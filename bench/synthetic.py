"""A synthetic national graph shaped like Phakhi's compiled data, of any size from 10k triples.

The compiled seed (ontology, vocabularies, the 77 provinces, agencies, the curated sources) comes
first, unchanged, so the competency queries keep their answers; then sub-districts are added
round-robin over the 77 provinces until the graph has the asked number of triples. Each
sub-district brings what the compiler makes of a source file about it: a place in a district, a
local government and a community organisation council (agencies, with Thai and English labels and
abbreviations), people with honorifics and memberships with roles, one to three civic mechanisms
(type, province, status, leader, theme, date attested), the council's `promotes`; each province
has forums with participations and commitments, and statistics. Every entity-to-entity triple
carries an evidence node (rdf:subject/predicate/object, prov:wasDerivedFrom, a Thai quote, line,
inferred), in one named graph per synthetic source document.

Deterministic: the same seed, size and checkout give the same triples (the seed's blank nodes,
from the ontology's lists, get new labels at each compile).

    .venv/bin/python bench/synthetic.py --triples 1000000 --seed 1 -o /tmp/national-1m.nt
    .venv/bin/python bench/synthetic.py --triples 100000 -o /tmp/national-100k.nq  # named graphs
"""

import argparse
import hashlib
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import pyoxigraph as ox

BASE = "https://w3id.org/phakhi/"
ID = BASE + "id/"
PHK = BASE + "ontology#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
ORG = "http://www.w3.org/ns/org#"
FOAF = "http://xmlns.com/foaf/0.1/"
SDO = "https://schema.org/"
DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
WGS = "http://www.w3.org/2003/01/geo/wgs84_pos#"
TYPE = RDF + "type"

# (Thai, romanised) syllables: names are made of them, so both languages agree
SYLLABLES = [
    ("สม", "som"), ("ชาย", "chai"), ("วิ", "wi"), ("ชัย", "chai"), ("ประ", "pra"),
    ("เสริฐ", "soet"), ("สุ", "su"), ("นันท์", "nan"), ("กิตติ", "kitti"), ("พงษ์", "phong"),
    ("ศักดิ์", "sak"), ("มณี", "mani"), ("รัตน์", "rat"), ("ทอง", "thong"), ("ดี", "di"),
    ("แก้ว", "kaeo"), ("ใจ", "chai"), ("บุญ", "bun"), ("มา", "ma"), ("ศรี", "si"),
    ("สุข", "suk"), ("เจริญ", "charoen"), ("วงศ์", "wong"), ("พร", "phon"), ("อุดม", "udom"),
    ("นภา", "napha"), ("ปัญญา", "panya"), ("อรุณ", "arun"), ("ศิริ", "siri"), ("กาญจน์", "kan"),
    ("ธนา", "thana"), ("ภู", "phu"), ("ทิพย์", "thip"), ("จันทร์", "chan"), ("เพ็ญ", "phen"),
    ("สาย", "sai"), ("ลำ", "lam"), ("หนอง", "nong"), ("บ้าน", "ban"), ("นา", "na"),
]  # fmt: skip
HONORIFICS = [("นาย", "Mr"), ("นาง", "Mrs"), ("นางสาว", "Ms"), ("ดร.", "Dr")]


def literal(text: str, lang: str | None = None, datatype: str | None = None) -> str:
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    )
    if lang:
        return f'"{escaped}"@{lang}'
    if datatype:
        return f'"{escaped}"^^<{datatype}>'
    return f'"{escaped}"'


def iri(text: str) -> str:
    return f"<{text}>"


def _text(term: object) -> str:
    assert isinstance(term, ox.NamedNode | ox.Literal)
    return term.value


@dataclass
class Vocab:
    """IRIs of the seed's vocabularies, provinces and agencies, read from the compiled seed."""

    mechanism_types: list[str]
    themes: list[str]
    roles: list[str]
    capacities: list[str]
    statuses: list[str]
    provinces: list[tuple[str, str, str]]  # IRI, Thai label, English label
    agencies: list[str]


def _seed_store() -> ox.Store:
    from phakhi.graph.loader import open_seed
    from phakhi.graph.paths import DATA_DIR, ONTOLOGY_FILE

    store: ox.Store = open_seed(DATA_DIR, ONTOLOGY_FILE).store
    return store


def _vocab(store: ox.Store) -> Vocab:
    def instances(cls: str) -> list[str]:
        rows = store.query(
            f"SELECT DISTINCT ?s WHERE {{ ?s a <{cls}> }} ORDER BY ?s",
            use_default_graph_as_union=True,
        )
        assert isinstance(rows, ox.QuerySolutions)
        return [_text(row["s"]) for row in rows]

    rows = store.query(
        f"""SELECT ?p ?th ?en WHERE {{ ?p a <{PHK}Province> ; <{RDFS}label> ?th, ?en .
            FILTER(lang(?th) = "th" && lang(?en) = "en") }} ORDER BY ?p""",
        use_default_graph_as_union=True,
    )
    assert isinstance(rows, ox.QuerySolutions)
    provinces = [(_text(r["p"]), _text(r["th"]), _text(r["en"])) for r in rows]
    return Vocab(
        mechanism_types=instances(PHK + "MechanismType"),
        themes=instances(PHK + "Theme"),
        roles=instances(ORG + "Role"),
        capacities=instances(PHK + "Capacity"),
        statuses=instances(PHK + "MechanismStatus"),
        provinces=provinces,
        agencies=instances(PHK + "Agency"),
    )


@dataclass
class Writer:
    """Writes N-Triples (graph dropped) or N-Quads lines and counts them."""

    out: TextIO
    quads: bool
    count: int = 0
    graph: str = ""
    line: int = 1
    source: str = ""

    def add(self, s: str, p: str, o: str) -> None:
        if self.quads:
            self.out.write(f"<{s}> <{p}> {o} <{self.graph}> .\n")
        else:
            self.out.write(f"<{s}> <{p}> {o} .\n")
        self.count += 1

    def link(self, s: str, p: str, o: str, quote: str, inferred: bool = False) -> None:
        """An entity-to-entity triple with its evidence node, as the compiler writes it."""
        self.add(s, p, iri(o))
        key = "\x1f".join((self.source, s, p, o, quote))
        node = f"{ID}evidence/{hashlib.sha1(key.encode()).hexdigest()[:16]}"
        self.add(node, TYPE, iri(PHK + "Evidence"))
        self.add(node, RDF + "subject", iri(s))
        self.add(node, RDF + "predicate", iri(p))
        self.add(node, RDF + "object", iri(o))
        self.add(node, PROV + "wasDerivedFrom", iri(self.source))
        self.add(node, PHK + "quote", literal(quote, "th"))
        self.add(node, PHK + "line", literal(str(self.line), datatype=XSD + "integer"))
        flag = "true" if inferred else "false"
        self.add(node, PHK + "inferred", literal(flag, datatype=XSD + "boolean"))
        self.line += 1

    def labels(self, s: str, th: str, en: str, predicate: str = RDFS + "label") -> None:
        self.add(s, predicate, literal(th, "th"))
        self.add(s, predicate, literal(en, "en"))


@dataclass
class Generator:
    vocab: Vocab
    rng: random.Random
    w: Writer
    serial: dict[str, int] = field(default_factory=dict)

    def next_id(self, kind: str) -> int:
        self.serial[kind] = self.serial.get(kind, 0) + 1
        return self.serial[kind]

    def name(self, parts: int) -> tuple[str, str]:
        chosen = [self.rng.choice(SYLLABLES) for _ in range(parts)]
        return "".join(t for t, _ in chosen), "".join(r for _, r in chosen).capitalize()

    def entity(self, kind: str, classes: tuple[str, ...], th: str, en: str, quote: str) -> str:
        ident = f"{ID}{kind}/syn-{self.next_id(kind)}"
        for cls in classes:
            self.w.link(ident, TYPE, cls, quote)
        self.w.labels(ident, th, en)
        return ident

    def source(self, province: tuple[str, str, str], number: int, date: str) -> None:
        ident = self.next_id("source")
        self.w.graph = f"{BASE}graph/syn-{ident}"
        self.w.source = f"{ID}source/syn-{ident}"
        self.w.line = 1
        _, th, en = province
        title = f"รายงานการขับเคลื่อนกลไกภาคพลเมือง จังหวัด{th} ฉบับที่ {number}"
        s = self.w.source
        self.w.add(s, TYPE, iri(PHK + "SourceDocument"))
        self.w.add(s, DCT + "title", literal(title, "th"))
        self.w.add(s, DCT + "publisher", iri(self.rng.choice(self.vocab.agencies)))
        self.w.add(s, DCT + "date", literal(date, datatype=XSD + "date"))
        self.w.add(s, DCT + "language", literal("th"))
        self.w.add(s, PHK + "fileName", literal(f"syn_{ident:06d}.txt"))
        self.w.add(s, PHK + "tier", literal("primary"))
        self.w.add(s, RDFS + "comment", literal(f"Synthetic report on {en}", "en"))

    def person(self, council: str, council_th: str, date: str) -> str:
        given, given_en = self.name(2)
        family, family_en = self.name(3)
        honorific, honorific_en = self.rng.choice(HONORIFICS)
        th, en = f"{given} {family}", f"{given_en} {family_en}"
        quote = f"{honorific}{th} {council_th}"
        ident = self.entity("person", (FOAF + "Person",), th, en, quote)
        self.w.labels(ident, th, en, FOAF + "name")
        self.w.labels(ident, honorific, honorific_en, SDO + "honorificPrefix")
        role = self.rng.choice(self.vocab.roles)
        node = f"{ID}membership/syn-{self.next_id('membership')}"
        inferred = self.rng.random() < 0.05
        self.w.link(node, TYPE, ORG + "Membership", quote, inferred)
        self.w.link(node, ORG + "member", ident, quote, inferred)
        self.w.link(node, ORG + "organization", council, quote, inferred)
        self.w.link(node, ORG + "role", role, quote, inferred)
        self.w.add(node, PHK + "attestedOn", literal(date, datatype=XSD + "date"))
        return ident

    def subdistrict(self, province: tuple[str, str, str], district: str, date: str) -> list[str]:
        """One sub-district; returns its council and people (for the province's forums)."""
        p_iri, p_th, _ = province
        name, name_en = self.name(2)
        quote = f"ตำบล{name} อำเภอเมือง จังหวัด{p_th}"
        place = self.entity("place", (SDO + "Place",), f"ตำบล{name}", f"Tambon {name_en}", quote)
        self.w.link(place, SDO + "containedInPlace", district, quote)
        local = self.entity(
            "agency", (PHK + "Agency", ORG + "FormalOrganization"),
            f"องค์การบริหารส่วนตำบล{name}", f"{name_en} Subdistrict Administrative Organization",
            f"องค์การบริหารส่วนตำบล{name}",
        )  # fmt: skip
        self.w.add(local, SKOS + "altLabel", literal(f"อบต.{name}", "th"))
        self.w.add(local, SKOS + "altLabel", literal(f"{name_en} SAO", "en"))
        council_th = f"สภาองค์กรชุมชนตำบล{name}"
        council = self.entity(
            "unit", (ORG + "OrganizationalUnit",), council_th,
            f"{name_en} Community Organisation Council", council_th,
        )  # fmt: skip
        self.w.link(council, ORG + "subOrganizationOf", local, council_th, inferred=True)
        people = [self.person(council, council_th, date) for _ in range(self.rng.randint(2, 4))]
        for _ in range(self.rng.randint(1, 3)):
            kind = self.rng.choice(self.vocab.mechanism_types)
            label_th, label_en = f"กลไก{name} {self.next_id('mech-label')}", f"{name_en} mechanism"
            mquote = f"{council_th} ขับเคลื่อน{label_th}"
            mech = self.entity("mechanism", (PHK + "CivicMechanism",), label_th, label_en, mquote)
            self.w.link(mech, PHK + "mechanismType", kind, mquote)
            self.w.link(mech, PHK + "inProvince", p_iri, mquote)
            self.w.link(mech, PHK + "status", self.rng.choice(self.vocab.statuses), mquote)
            self.w.link(mech, PHK + "ledBy", self.rng.choice(people), mquote)
            self.w.link(mech, PHK + "worksOnTheme", self.rng.choice(self.vocab.themes), mquote)
            self.w.add(mech, PHK + "attestedOn", literal(date, datatype=XSD + "date"))
            self.w.link(council, PHK + "promotes", mech, mquote, inferred=self.rng.random() < 0.1)
        return [council, *people]

    def forum(self, province: tuple[str, str, str], actors: list[str], date: str) -> None:
        p_iri, p_th, p_en = province
        label_th = f"เวทีสานพลังภาคีจังหวัด{p_th} {self.next_id('forum-label')}"
        quote = f"จัด{label_th}"
        event = self.entity("event", (PHK + "Forum",), label_th, f"{p_en} partners forum", quote)
        self.w.add(event, SDO + "startDate", literal(date, datatype=XSD + "date"))
        self.w.link(event, SDO + "location", p_iri, quote)
        self.w.link(event, SDO + "organizer", self.rng.choice(self.vocab.agencies), quote)
        for who in self.rng.sample(actors, min(len(actors), 8)):
            capacity = self.rng.choice(self.vocab.capacities)
            node = f"{ID}participation/syn-{self.next_id('participation')}"
            self.w.link(node, TYPE, PHK + "Participation", quote)
            self.w.link(node, PHK + "inEvent", event, quote)
            self.w.link(node, PHK + "capacity", capacity, quote)
            self.w.link(node, PHK + "participant", who, quote)
            self.w.add(node, PHK + "attestedOn", literal(date, datatype=XSD + "date"))
        text = f"ผลักดันกลไกภาคพลเมืองในจังหวัด{p_th}"
        commitment = self.entity(
            "commitment", (PHK + "Commitment",), text, f"Push civic mechanisms in {p_en}", text
        )
        self.w.link(commitment, PHK + "committedBy", self.rng.choice(self.vocab.agencies), text)
        self.w.link(commitment, PHK + "madeAt", event, text)
        self.w.link(commitment, PHK + "aboutTheme", self.rng.choice(self.vocab.themes), text)
        self.w.add(commitment, PHK + "attestedOn", literal(date, datatype=XSD + "date"))
        stat = self.entity(
            "statistic", (PHK + "Statistic",), f"จำนวนผู้เข้าร่วม{label_th}",
            f"Attendance, {p_en} forum", quote,
        )  # fmt: skip
        value = literal(str(self.rng.randint(30, 500)), datatype=XSD + "integer")
        self.w.add(stat, PHK + "statisticValue", value)
        self.w.labels(stat, "คน", "people", PHK + "statisticUnit")
        self.w.link(stat, PHK + "statisticAbout", event, quote)

    def district(self, province: tuple[str, str, str]) -> str:
        name, name_en = self.name(2)
        quote = f"อำเภอ{name} จังหวัด{province[1]}"
        place = self.entity("place", (SDO + "Place",), f"อำเภอ{name}", f"Amphoe {name_en}", quote)
        self.w.link(place, SDO + "containedInPlace", province[0], quote)
        return place

    def run(self, triples: int) -> None:
        """Sub-districts round-robin over the provinces (8 a district, a forum per 10) until
        the graph has `triples` triples."""
        provinces = self.vocab.provinces
        districts: dict[str, str] = {}
        actors: dict[str, list[str]] = {}
        serial = 0
        while self.w.count < triples:
            province = provinces[serial % len(provinces)]
            round_ = serial // len(provinces)
            date = f"20{20 + round_ % 6}-{1 + round_ % 12:02d}-{1 + serial % 28:02d}"
            self.source(province, round_ + 1, date)
            if round_ % 8 == 0:
                districts[province[0]] = self.district(province)
            found = self.subdistrict(province, districts[province[0]], date)
            actors.setdefault(province[0], []).extend(found)
            if round_ % 10 == 9:
                self.forum(province, actors.pop(province[0]), date)
            serial += 1


def generate(triples: int, seed: int, output: Path) -> int:
    """Write the graph to output (.nt: N-Triples, .nq: N-Quads); returns its triple count."""
    quads = output.suffix == ".nq"
    store = _seed_store()
    vocab = _vocab(store)
    fmt = ox.RdfFormat.N_QUADS if quads else ox.RdfFormat.N_TRIPLES
    first: list[ox.Quad] | list[ox.Triple] = sorted(store, key=str)
    if not quads:  # the same triple in several graphs is one triple
        first = sorted({ox.Triple(q.subject, q.predicate, q.object) for q in store}, key=str)
    with output.open("w", encoding="utf-8", newline="\n") as out:
        out.write(ox.serialize(first, format=fmt).decode())  # type: ignore[union-attr]
        writer = Writer(out, quads, len(first))
        Generator(vocab, random.Random(seed), writer).run(triples)
        return writer.count


def size(text: str) -> int:
    """10k, 1m, 5M, 250000 → an int."""
    text = text.strip().lower().replace("_", "")
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * factor)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=size, default=100_000, help="size, e.g. 100k, 1m")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("-o", "--output", type=Path, required=True, help=".nt or .nq file")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    count = generate(args.triples, args.seed, args.output)
    took = time.perf_counter() - started
    print(f"wrote {args.output}: {count} triples in {took:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
