"""docs/cookbook.md cannot go stale: every recipe's query, curl call and answer table are checked
against the real engine, the real /sparql endpoint and the real JSON API.

The recipes are the competency questions (ontology/competency/*.rq) and the cookbook's own
queries (docs/cookbook/*.rq), each with "# th:" and "# en:" header lines. Between
`<!-- recipe NAME -->` and `<!-- /recipe -->` the cookbook is generated; after changing a query
or the data, regenerate it with

    .venv/bin/python tests/test_docs_cookbook.py
"""

import csv
import difflib
import html
import io
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from phakhi.graph.paths import COMPETENCY_DIR, ROOT
from phakhi.graph.store import Engine

COOKBOOK = ROOT / "docs" / "cookbook.md"
RECIPES_DIR = ROOT / "docs" / "cookbook"
SERVER = "http://127.0.0.1:8000"
ID_BASE = "https://w3id.org/phakhi/id/"
PHK = "https://w3id.org/phakhi/ontology#"
BLOCK = re.compile(r"<!-- recipe (?P<name>[\w-]+) -->\n(?P<body>.*?)<!-- /recipe -->\n", re.S)
HEADER = re.compile(r"^# (th|en): (.+)$")
CONCAT = re.compile(
    r'GROUP_CONCAT\((?:[^()]|\([^()]*\))*?separator\s*=\s*"([^"]*)"\s*\)\s*AS\s*\?(\w+)'
)

# The JSON API calls that answer the same question (or show the same facts), per recipe.
JSON_API: dict[str, tuple[str, ...]] = {
    "01-agencies-and-speakers": ("/api/participations?lang=en&limit=100",),
    "02-study-provinces": ("/api/entities/phase/social-innovation-strong-communities-phase-2",),
    "03-province-mechanisms": ("/api/mechanisms?lang=en",),
    "04-shared-mechanism-types": ("/api/entities/mechanism-type/citizen-council?lang=en",),
    "05-promoters-in-province": ("/api/entities/province/TH-76?lang=en",),
    "06-project-head-and-funder": (
        "/api/entities/project/social-innovation-strong-communities-project?lang=en",
    ),
    "07-province-themes": ("/api/entities/province/TH-60?lang=en",),
    "08-statement-evidence": ("/api/entities/membership/wichai-nasuwanno--codi--deputy-director",),
    "09-agency-units": ("/api/entities/agency/codi",),
    "10-people-and-roles": ("/api/memberships?lang=en",),
    "11-who-opened-the-forum": ("/api/entities/event/nida-forum-2024-06-11-forum",),
    "12-agency-commitments": ("/api/commitments?lang=en&limit=100",),
    "13-inferred-statements": (),
    "14-related-news-figures": ("/api/statistics?lang=en",),
    "15-people-and-honorifics": ("/api/people?lang=en",),
    "16-mechanisms-by-status": ("/api/mechanisms?lang=en",),
    "17-sources-and-statements": ("/api/sources",),
    "18-codi-units-and-people": ("/api/entities/agency/codi/neighbours?depth=2",),
    "19-promoted-mechanism-types": ("/api/entities/agency/kpi?lang=en",),
    "20-themes-shared-by-provinces": ("/api/entities/theme/partnership?lang=en",),
    "21-forum-venue-chain": (
        "/api/paths?from=event/nida-forum-2024-06-11-forum&to=place/nida-narathip-building",
    ),
    "22-provinces-in-use-and-planned": ("/api/mechanisms",),
    "23-secondary-source-events": ("/api/entities/source/nida-forum-2024-06-11-related-news",),
    "24-inferred-by-kind": (),
    "25-commitments-on-community-finance": ("/api/entities/theme/community-finance?lang=en",),
    "26-search-thai-labels": ("/api/search?q=สภา",),
    "27-shared-directions": ("/api/directions?lang=en",),
    "28-mechanism-type-hierarchy": ("/api/mechanism-types?lang=en",),
    "29-study-area-coordinates": ("/api/entities/province/TH-37?lang=en",),
    "30-who-represented-provinces": ("/api/participations?limit=100",),
    "31-statements-per-agency": ("/api/metrics?kind=agency&lang=en",),
    "32-promoters-and-provinces": ("/api/entities/mechanism-type/common-space?lang=en",),
    "33-roles-as-of-a-date": ("/api/memberships?as_of=2024-06-11&lang=en",),
}


@dataclass(frozen=True)
class Recipe:
    path: Path

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def file(self) -> str:
        return self.path.relative_to(ROOT).as_posix()

    @property
    def query(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def competency(self) -> bool:
        return self.path.parent == COMPETENCY_DIR

    def question(self, lang: str) -> str:
        for line in self.query.splitlines()[:2]:
            match = HEADER.match(line)
            if match and match.group(1) == lang:
                return match.group(2)
        raise ValueError(f"{self.file}: no '# {lang}:' header line")

    @property
    def run_link(self) -> str:
        if self.competency:
            return f"{SERVER}/?example={self.name}"
        lines = self.query.splitlines(keepends=True)
        query = "".join(line for line in lines if not HEADER.match(line.rstrip("\n")))
        return f"{SERVER}/?query={quote(query, safe='')}"


def recipes() -> list[Recipe]:
    paths = sorted(COMPETENCY_DIR.glob("*.rq")) + sorted(RECIPES_DIR.glob("*.rq"))
    return [Recipe(path) for path in paths]


# -- answers ----------------------------------------------------------------------------------

Table = tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]


def shorten(value: str) -> str:
    """IRIs of the graph as the tables print them: agency:codi, phk:Agency."""
    if value.startswith(ID_BASE):
        kind, _, ident = value[len(ID_BASE) :].partition("/")
        return f"{kind}:{ident}"
    if value.startswith(PHK):
        return "phk:" + value[len(PHK) :]
    return value


def canonical(query: str, table: Table) -> Table:
    """The table with IRIs shortened and each GROUP_CONCAT list sorted: SPARQL leaves the order
    of a GROUP_CONCAT open, and the engine's order changes from one load to the next."""
    lists = {column: separator for separator, column in CONCAT.findall(query)}
    columns, rows = table

    def cell(column: str, value: str) -> str:
        if column in lists and lists[column] and value:
            value = lists[column].join(sorted(value.split(lists[column])))
        return shorten(value)

    return columns, tuple(
        tuple(cell(c, v) for c, v in zip(columns, row, strict=True)) for row in rows
    )


def engine_answer(engine: Engine, recipe: Recipe) -> Table:
    result = engine.query(recipe.query)
    assert isinstance(result, ox.QuerySolutions), f"{recipe.file} is not a SELECT"
    columns = tuple(variable.value for variable in result.variables)
    rows = tuple(tuple("" if row[c] is None else row[c].value for c in columns) for row in result)
    return canonical(recipe.query, (columns, rows))


def csv_answer(recipe: Recipe, text: str) -> Table:
    """A SPARQL CSV result (what `curl -H 'Accept: text/csv'` prints) as a table."""
    reader = csv.reader(io.StringIO(text))
    header = tuple(next(reader))
    return canonical(recipe.query, (header, tuple(tuple(row) for row in reader)))


def _cell(value: str) -> str:
    return value.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def markdown_table(table: Table) -> str:
    columns, rows = table
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


# -- the generated part of each recipe --------------------------------------------------------


def block(number: int, recipe: Recipe, table: Table) -> str:
    rows = len(table[1])
    calls = JSON_API.get(recipe.name, ())
    api = (
        "```sh\n" + "\n".join(f"curl '{SERVER}{call}'" for call in calls) + "\n```"
        if calls
        else "ไม่มีเส้นทาง JSON ที่ตอบคำถามนี้โดยตรง ใช้ SPARQL / *No JSON route answers this "
        "directly: use SPARQL.*"
    )
    return f"""\
### {number}. {recipe.question("th")}

*{recipe.question("en")}*

`{recipe.file}` · [▶ เปิดในหน้าค้นหา / run on the query page]({recipe.run_link})

```sparql
{recipe.query.rstrip()}
```

curl (SPARQL → CSV):

```sh
curl -G {SERVER}/sparql --data-urlencode query@{recipe.file} -H 'Accept: text/csv'
```

JSON API:

{api}

คำตอบจากข้อมูลตั้งต้น / answer on the seed data ({rows} {"row" if rows == 1 else "rows"}):

{markdown_table(table)}

"""


def fill(markdown: str, engine: Engine) -> str:
    """The cookbook with every recipe block regenerated from the engine."""
    numbers = {recipe.name: index for index, recipe in enumerate(recipes(), start=1)}
    by_name = {recipe.name: recipe for recipe in recipes()}

    def replace(match: re.Match[str]) -> str:
        recipe = by_name[match.group("name")]
        body = block(numbers[recipe.name], recipe, engine_answer(engine, recipe))
        return f"<!-- recipe {recipe.name} -->\n{body}<!-- /recipe -->\n"

    return BLOCK.sub(replace, markdown)


def printed_tables(markdown: str) -> dict[str, str]:
    """Each recipe's answer table as printed in the cookbook."""
    found = {}
    for match in BLOCK.finditer(markdown):
        lines = match.group("body").rstrip("\n").splitlines()
        table = [line for line in reversed(lines) if line.startswith("|")]
        found[match.group("name")] = "\n".join(reversed(table))
    return found


# -- the tests --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cookbook() -> str:
    return COOKBOOK.read_text(encoding="utf-8")


def test_every_question_is_a_recipe_once(cookbook: str) -> None:
    names = [match.group("name") for match in BLOCK.finditer(cookbook)]
    assert sorted(names) == [recipe.name for recipe in recipes()]
    assert len(names) == len(set(names))
    assert len(list(COMPETENCY_DIR.glob("*.rq"))) >= 14
    assert len(list(RECIPES_DIR.glob("*.rq"))) >= 12
    assert set(JSON_API) <= set(names)
    competency = sum(recipe.competency for recipe in recipes())
    counts = (len(names), competency, len(names) - competency)
    assert "ได้ {} ข้อ: {} ข้อแรก".format(*counts[:2]) in cookbook
    assert f"อีก {counts[2]} ข้อเป็นสูตรเพิ่มเติม" in cookbook
    assert f"collects {counts[0]} questions" in cookbook
    assert f"the {counts[1]} competency" in cookbook.replace("\n", " ")
    assert f"and {counts[2]} more recipes" in cookbook.replace("\n", " ")


def test_each_query_asks_in_thai_and_english() -> None:
    for recipe in recipes():
        assert re.search(r"[\u0e00-\u0e7f]", recipe.question("th")), recipe.file
        assert re.search(r"[A-Za-z]{3}", recipe.question("en")), recipe.file


def test_the_cookbook_is_the_engines_answer(cookbook: str, engine: Engine) -> None:
    """Query, curl call, links and answer table of every recipe, as generated now."""
    expected = fill(cookbook, engine)
    if expected != cookbook:
        diff = difflib.unified_diff(
            cookbook.splitlines(), expected.splitlines(), "docs/cookbook.md", "regenerated", n=1
        )
        pytest.fail(
            "docs/cookbook.md is stale; run `.venv/bin/python tests/test_docs_cookbook.py`\n"
            + "\n".join(list(diff)[:80])
        )


def test_every_answer_has_rows(engine: Engine) -> None:
    for recipe in recipes():
        assert engine_answer(engine, recipe)[1], f"{recipe.file} has no answer on the seed data"


def test_the_curl_calls_print_the_same_answers(cookbook: str, client: TestClient) -> None:
    printed = printed_tables(cookbook)
    for recipe in recipes():
        response = client.get(
            "/sparql", params={"query": recipe.query}, headers={"Accept": "text/csv"}
        )
        assert response.status_code == 200, (recipe.file, response.text)
        assert markdown_table(csv_answer(recipe, response.text)) == printed[recipe.name], (
            recipe.file
        )


def test_the_json_api_calls_answer(client: TestClient) -> None:
    for name, calls in JSON_API.items():
        for call in calls:
            response = client.get(call)
            assert response.status_code == 200, (name, call, response.text[:300])
            assert response.headers["content-type"].startswith("application/json")


def test_the_query_page_opens_each_recipe(client: TestClient) -> None:
    for recipe in recipes():
        link = recipe.run_link.removeprefix(SERVER)
        response = client.get(link, headers={"Accept": "text/html"})
        assert response.status_code == 200, recipe.file
        select = next(line for line in recipe.query.splitlines() if line.startswith("SELECT"))
        assert select in html.unescape(response.text), recipe.file


def main(argv: Sequence[str]) -> int:
    from phakhi.graph.loader import open_seed
    from phakhi.graph.paths import DATA_DIR, ONTOLOGY_FILE

    engine = open_seed(DATA_DIR, ONTOLOGY_FILE)
    text = COOKBOOK.read_text(encoding="utf-8")
    missing = {r.name for r in recipes()} - {m.group("name") for m in BLOCK.finditer(text)}
    if missing:
        text = (
            text.rstrip("\n")
            + "\n\n"
            + "".join(f"<!-- recipe {name} -->\n<!-- /recipe -->\n\n" for name in sorted(missing))
        )
    COOKBOOK.write_text(fill(text, engine), encoding="utf-8")
    print(f"wrote {COOKBOOK.relative_to(ROOT)} ({len(recipes())} recipes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
