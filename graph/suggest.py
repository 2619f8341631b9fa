"""`phakhi suggest`: draft a source file from a new Thai article, for a curator to confirm.

Nothing here is asserted: known entities are listed as comments, candidates for new people and
organisations become draft entities whose unknown fields say TODO, which `phakhi validate`
refuses until a curator has filled them in.
"""

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from phakhi.graph.store import Engine

TODO = "TODO"
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("มกราคม", "ม.ค."), ("กุมภาพันธ์", "ก.พ."), ("มีนาคม", "มี.ค."), ("เมษายน", "เม.ย."),
            ("พฤษภาคม", "พ.ค."), ("มิถุนายน", "มิ.ย."), ("กรกฎาคม", "ก.ค."), ("สิงหาคม", "ส.ค."),
            ("กันยายน", "ก.ย."), ("ตุลาคม", "ต.ค."), ("พฤศจิกายน", "พ.ย."), ("ธันวาคม", "ธ.ค."),
        ],
        start=1,
    )
    for name in names
}  # fmt: skip
_MONTH = "|".join(re.escape(m) for m in sorted(MONTHS, key=len, reverse=True))
DATE = re.compile(
    rf"(?<![0-9๐-๙])([0-9๐-๙]{{1,2}})\s*({_MONTH})\s*(?:พ\.ศ\.\s*)?([0-9๐-๙]{{4}})(?![0-9๐-๙])"
)
HONORIFICS = (
    "ศ.กิตติคุณ", "ศาสตราจารย์", "รองศาสตราจารย์", "ผู้ช่วยศาสตราจารย์", "ศ.", "รศ.", "ผศ.",
    "นพ.", "พญ.", "ดร.", "นางสาว", "นาย", "นาง",
)  # fmt: skip
_HONORIFIC = "|".join(re.escape(h) for h in sorted(HONORIFICS, key=len, reverse=True))
PERSON = re.compile(rf"((?:(?:{_HONORIFIC})\s*)+)([ก-๛]{{2,}})\s+([ก-๛]{{2,}})")
ORG_PREFIXES = (
    "สถาบัน", "สำนักงาน", "กองทุน", "สภา", "มูลนิธิ", "สมาคม", "กระทรวง", "กรม", "มหาวิทยาลัย",
    "องค์การบริหารส่วน", "เทศบาล", "เครือข่าย",
)  # fmt: skip
ORGANISATION = re.compile(rf"(?:{'|'.join(ORG_PREFIXES)})[ก-๛]{{3,}}(?:\s*\([^)]{{1,40}}\))?")


@dataclass(frozen=True)
class Mention:
    line: int
    quote: str


@dataclass(frozen=True)
class Known:
    kind: str
    ident: str
    label: str
    mention: Mention


@dataclass(frozen=True)
class Candidate:
    kind: str
    name: str
    honorific: str
    mention: Mention


def thai_date(day: str, month: str, year: str) -> str:
    """A Thai date (Buddhist era, Thai or Arabic digits) in ISO form."""
    number = int(year.translate(_THAI_DIGITS))
    if number > 2400:
        number -= 543
    return f"{number:04d}-{MONTHS[month]:02d}-{int(day.translate(_THAI_DIGITS)):02d}"


def dates(text: str) -> list[str]:
    return [thai_date(*match.groups()) for match in DATE.finditer(text)]


def sentence(line: str, start: int, end: int, width: int = 40) -> str:
    """The words around a match, cut at spaces, taken exactly from the line."""
    left = line.rfind(" ", 0, max(0, start - width)) + 1
    right = line.find(" ", min(len(line), end + width))
    return line[left : right if right >= 0 else len(line)].strip()


def _lines(text: str) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            yield number, unicodedata.normalize("NFC", line)


def candidates(text: str) -> list[Candidate]:
    found: dict[tuple[str, str], Candidate] = {}
    for number, line in _lines(text):
        for match in PERSON.finditer(line):
            name = f"{match[2]} {match[3]}"
            mention = Mention(number, sentence(line, match.start(), match.end()))
            honorific = " ".join(match[1].split())
            found.setdefault(("person", name), Candidate("person", name, honorific, mention))
        for match in ORGANISATION.finditer(line):
            name = match[0].strip()
            mention = Mention(number, sentence(line, match.start(), match.end()))
            found.setdefault(("agency", name), Candidate("agency", name, "", mention))
    return list(found.values())


NAMES = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?s ?name WHERE {
  { ?s rdfs:label ?name } UNION { ?s skos:altLabel ?name }
  FILTER(STRSTARTS(STR(?s), "https://w3id.org/phakhi/id/"))
  FILTER(!STRSTARTS(STR(?s), "https://w3id.org/phakhi/id/evidence/"))
  FILTER(lang(?name) = "th" || lang(?name) = "en")
}
"""


def known_names(engine: Engine) -> list[tuple[str, str, str]]:
    """(kind, id, name) for every label and alternative label long enough to match safely."""
    result = engine.query(NAMES)
    assert isinstance(result, ox.QuerySolutions)
    names = []
    for row in result:
        iri, name = row["s"], row["name"]
        assert isinstance(iri, ox.NamedNode) and isinstance(name, ox.Literal)
        kind, _, ident = iri.value.removeprefix("https://w3id.org/phakhi/id/").partition("/")
        if len(name.value) >= 3 and kind not in ("membership", "participation", "source"):
            names.append((kind, ident, name.value))
    return names


def known(text: str, names: list[tuple[str, str, str]]) -> list[Known]:
    found: dict[str, Known] = {}
    for number, line in _lines(text):
        for kind, ident, name in sorted(names, key=lambda n: -len(n[2])):
            at = line.find(name)
            if at >= 0 and ident not in found:
                mention = Mention(number, sentence(line, at, at + len(name)))
                found[ident] = Known(kind, ident, name, mention)
    return sorted(found.values(), key=lambda k: (k.mention.line, k.kind, k.ident))


def _bare(name: str) -> str:
    return re.sub(r"\([^)]*\)|\s+", "", name)


def new_candidates(text: str, known_names: set[str]) -> list[Candidate]:
    """Candidates that are not known already and not part of a longer candidate."""
    known_bare = {_bare(name) for name in known_names}
    found = [c for c in candidates(text) if _bare(c.name) not in known_bare]
    names = [_bare(c.name) for c in found]
    return [c for c in found if not any(_bare(c.name) in n and _bare(c.name) != n for n in names)]


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def slug(index: int, kind: str) -> str:
    return f"todo-{kind}-{index}"


def draft(article: Path, text_path: str, source_id: str, engine: Engine) -> str:
    """The draft YAML for article, whose text will live at data/<text_path>."""
    text = article.read_text(encoding="utf-8")
    lines = text.splitlines()
    first_dates = dates(text)
    names = known_names(engine)
    out = [
        f"# Draft made by `phakhi suggest {article.name}`. Every TODO is for a curator to fill;",
        "# `phakhi validate` refuses the file until none is left.",
        "# Delete whatever the text does not say.",
        "source:",
        f"  id: {source_id}",
        f"  title: {_q(lines[0].strip() if lines else TODO)}",
        f"  publisher: {TODO}-publisher-id",
        f"  date: {first_dates[0] if first_dates else TODO}",
        "  language: th",
        f"  text: {text_path}",
        f"  original_file: {article.name}",
        f"  lines: [1, {len(lines)}]",
        "  tier: primary",
        "",
        "# Known entities this article mentions (refer to them by id in statements below):",
    ]
    for mentioned in known(text, names):
        line = mentioned.mention.line
        out.append(f"#   {mentioned.ident} ({mentioned.kind}) line {line}: {mentioned.label}")
    out += ["", "entities:"]
    news = new_candidates(text, {name for _, _, name in names})
    for index, item in enumerate(news, start=1):
        out += [
            f"  - id: {slug(index, item.kind)}",
            f"    kind: {item.kind}",
            f"    label: {{th: {_q(item.name)}, en: {TODO}}}",
        ]
        if item.honorific:
            out.append(f"    honorific: {{th: {_q(item.honorific)}, en: {TODO}}}")
        out.append(f"    quote: {_q(item.mention.quote)}  # line {item.mention.line}")
    if not news:
        out[-1] = "entities: []"
    out += ["", "memberships: []", "participations: []", "relations: []", ""]
    return "\n".join(out)
