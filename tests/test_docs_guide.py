"""The curator's guide works: following it on a fresh copy adds the example source to the graph.

Driven from the guides themselves (docs/curators-guide.md, Thai, and docs/curators-guide.en.md):
the practice block (after `<!-- practice -->`) is run command by command with ~/phakhi-practice
replaced by a temporary folder, then the app built on that folder finds the new entities through
/api/search and /sparql. Also checked: every shell command of the guides is a real `phakhi`
command line, the example files shown are the files in docs/examples/, the validate output shown
is the real one, and each error message the guides explain is what the compiler says.
"""

import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from phakhi.api.app import create_app
from phakhi.api.cli import parser
from phakhi.api.settings import Settings
from phakhi.graph.compiler import compile_data
from phakhi.graph.paths import DATA_DIR, ROOT
from phakhi.graph.problems import SourceErrors
from phakhi.graph.sourcetext import SourceText

GUIDES = {"th": ROOT / "docs" / "curators-guide.md", "en": ROOT / "docs" / "curators-guide.en.md"}
EXAMPLE_TEXT = ROOT / "docs" / "examples" / "texts" / "example-forum.txt"
EXAMPLE_YAML = ROOT / "docs" / "examples" / "sources" / "example-forum.yaml"
PRACTICE = "~/phakhi-practice"
FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>\w*)\n(?P<body>.*?)^(?P=indent)```", re.M | re.S)
SHELL_PROGRAMS = {"phakhi", "cp", "rm", "git", "cd", "python3", ".", "pip"}
EVENT = "example-forum-trat-2025-01-20"
PERSON = "sommut-chaingam"


def guide(lang: str) -> str:
    return GUIDES[lang].read_text(encoding="utf-8")


def blocks(markdown: str, lang: str | None = None) -> list[str]:
    found = []
    for match in FENCE.finditer(markdown):
        if lang is None or match.group("lang") == lang:
            indent = len(match.group("indent"))
            found.append("".join(line[indent:] for line in match.group("body").splitlines(True)))
    return found


def marked(markdown: str, marker: str) -> str:
    """The code block right after `<!-- marker -->`."""
    at = markdown.index(f"<!-- {marker} -->\n")
    return blocks(markdown[at:])[0]


def commands(script: str) -> list[str]:
    return [line for line in script.splitlines() if line.strip() and not line.startswith("#")]


# -- the guides, side by side ---------------------------------------------------------------


def test_the_guides_link_to_each_other() -> None:
    assert "[English](curators-guide.en.md)" in guide("th").splitlines()[2]
    assert "[ภาษาไทย](curators-guide.md)" in guide("en").splitlines()[2]


def test_the_guides_have_the_same_structure_and_commands() -> None:
    th, en = guide("th"), guide("en")
    assert len(re.findall(r"^## ", th, re.M)) == len(re.findall(r"^## ", en, re.M)) == 9
    assert re.findall(r"<!-- [\w-]+ -->", th) == re.findall(r"<!-- [\w-]+ -->", en)
    assert [commands(b) for b in blocks(th, "sh")] == [commands(b) for b in blocks(en, "sh")]
    for marker in ("example-text", "example-yaml", "broken-output"):
        assert marked(th, marker) == marked(en, marker)


@pytest.mark.parametrize("lang", ["th", "en"])
def test_every_shell_command_is_real(lang: str) -> None:
    for script in blocks(guide(lang), "sh"):
        for line in commands(script):
            words = shlex.split(line)
            assert words[0] in SHELL_PROGRAMS, line
            if words[0] != "phakhi" or words[1:] == ["--help"]:
                continue
            try:
                args = parser().parse_args(words[1:])
            except SystemExit as error:
                pytest.fail(f"not a phakhi command line ({error}): {line}")
            assert callable(args.run), line


def test_the_example_files_are_the_ones_shown() -> None:
    th = guide("th")
    assert marked(th, "example-yaml") == EXAMPLE_YAML.read_text(encoding="utf-8")
    lines = EXAMPLE_TEXT.read_text(encoding="utf-8").splitlines()
    numbered = [f"{n}  {text}" if text else str(n) for n, text in enumerate(lines, start=1)]
    assert marked(th, "example-text").splitlines() == numbered
    assert lines[0].startswith("[ตัวอย่างสำหรับฝึก") and "ไม่ใช่ข่าวจริง" in lines[0]


def test_the_validate_output_shown_is_real() -> None:
    shown = marked(guide("th"), "broken-output").splitlines()
    assert shown[0] == "$ phakhi validate --data tests/broken"
    result = subprocess.run(
        [sys.executable, "-m", "phakhi.api.cli", *shlex.split(shown[0])[2:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == shown[1:]


# -- the quote rule and the error messages ----------------------------------------------------

QUOTES = {  # the quote rule's examples: found in lines 3-9 or not
    "จัดเวทีตัวอย่าง “ชุมชนเข้มแข้งเมืองตราด”": True,
    "จัดเวทีตัวอย่าง “ชุมชนเข้มแข็งเมืองตราด”": False,
    'จัดเวทีตัวอย่าง "ชุมชนเข้มแข้งเมืองตราด"': False,
    "พอช. เป็นผู้จัดเวที": False,
    "ตัวอย่างสำหรับฝึกตามคู่มือผู้ดูแลข้อมูลเท่านั้น": False,
    "วันที่ 20 มกราคม 2568": True,
}


def test_the_quote_rule_examples_behave_as_the_guides_say() -> None:
    text = SourceText(EXAMPLE_TEXT.read_text(encoding="utf-8"), 3, 9)
    for quote, found in QUOTES.items():
        assert (text.find(quote) is not None) == found, quote
        for lang in GUIDES:
            assert quote in guide(lang), (lang, quote)


# (what to change in the example YAML, part of the message it causes, how the guides show it)
MISTAKES = [
    (
        "    attendees_more_than: 30",
        "    attendees_more_than: [30",
        "YAML syntax: ",
        "`YAML syntax: …`",
    ),
    (
        "    attendees_more_than: 30",
        "    attendees_more_than: TODO",
        "a curator must fill in this TODO",
        "`a curator must fill in this TODO`",
    ),
    (
        "    label: {th: ศาลาประชาคมตัวอย่าง, en: Example Community Hall}",
        "    label: {th: ศาลาประชาคมตัวอย่าง}",
        ": Field required",
        "`Field required`",
    ),
    (
        "    attendees_more_than: 30",
        "    attendees_more_then: 30",
        ": Extra inputs are not permitted",
        "`Extra inputs are not permitted`",
    ),
    (
        "    kind: place",
        "    kind: venue",
        ": Input should be 'agency', 'unit', ",
        "`Input should be 'agency', 'unit', …`",
    ),
    (
        "  date: 2025-01-20\n  language",
        "  date: 20 มกราคม 2568\n  language",
        ": Input should be a valid date",
        "`Input should be a valid date …`",
    ),
    (
        "  - id: sommut-chaingam",
        "  - id: Sommut_Chaingam",
        "'Sommut_Chaingam' is not an id: use lower-case letters, digits and hyphens",
        "`'X' is not an id: use lower-case letters, digits and hyphens`",
    ),
    (
        "  text: texts/example-forum.txt",
        "  text: texts/example_forum.txt",
        "source text 'texts/example_forum.txt' not found",
        "`source text 'X' not found`",
    ),
    (
        "  lines: [3, 9]",
        "  lines: [3, 90]",
        "lines 3-90 are outside the text (1-9)",
        "`lines A-B are outside the text (1-N)`",
    ),
    (
        "  - id: example-community-hall",
        "  - id: codi",
        "duplicate id 'codi' (first at ",
        "`duplicate id 'X' (first at …)`",
    ),
    (
        "    object: development-planning",
        "    object: developmentplanning",
        "unknown reference 'developmentplanning' (did you mean 'development-planning'?)",
        "`unknown reference 'X' (did you mean 'Y'?)`",
    ),
    (
        "    object: codi\n",
        "    object: TH-23\n",
        "'TH-23' is a province, expected agency or ",
        "`'X' is a K, expected A or B`",
    ),
    (
        "    honorific: {th: นางสาว, en: Ms}",
        "    honorific: {th: นางสาว, en: Ms}\n    part_of: codi",
        "a person has no field 'part_of'",
        "`a K has no field 'F'`",
    ),
    (
        "    kind: direction",
        "    kind: mechanism",
        "a mechanism needs the field 'mechanism_type'",
        "`a K needs the field 'F'`",
    ),
    (
        '    quote: "ณ ศาลาประชาคมตัวอย่าง"\n',
        "",
        "missing quote: every entity of a source needs one",
        "`missing quote: every entity of a source needs one`",
    ),
    (
        '      - "จัดเวทีตัวอย่าง “ชุมชนเข้มแข้งเมืองตราด”"',
        '      - "จัดเวทีตัวอย่าง “ชุมชนเข้มแข็งเมืองตราด”"',
        "quote not found in the text's lines 3-9: 'จัดเวทีตัวอย่าง “ชุมชนเข้มแข็งเมืองตราด”'",
        "`quote not found in the text's lines A-B`",
    ),
    (
        "    participant: sommut-chaingam\n",
        "",
        "a participation needs a participant or on_behalf_of",
        "`a participation needs a participant or on_behalf_of`",
    ),
]


@pytest.fixture(scope="module")
def practice_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("mistakes") / "data"
    shutil.copytree(DATA_DIR, folder)
    shutil.copy(EXAMPLE_TEXT, folder / "texts")
    return folder


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m[3].strip("`")[:32])
def test_each_error_the_guides_explain_is_real(
    practice_copy: Path, mistake: tuple[str, str, str, str]
) -> None:
    before, after, message, shown = mistake
    original = EXAMPLE_YAML.read_text(encoding="utf-8")
    assert before in original
    target = practice_copy / "sources" / EXAMPLE_YAML.name
    target.write_text(original.replace(before, after, 1), encoding="utf-8")
    try:
        with pytest.raises(SourceErrors) as raised:
            compile_data(practice_copy)
    finally:
        target.unlink()
    problems = [str(problem) for problem in raised.value.problems]
    assert any(message in problem for problem in problems), problems
    assert all(problem.startswith(f"{target}:") for problem in problems), problems
    for lang in GUIDES:
        assert f"| {shown} |" in guide(lang), (lang, shown)


# -- following the practice step by step ------------------------------------------------------


def run_practice(script: str, folder: Path) -> list[subprocess.CompletedProcess[str]]:
    """Run the guide's practice block with ~/phakhi-practice meaning folder."""
    phakhi: list[list[str]] = []
    for line in commands(script):
        words = [w.replace(PRACTICE, str(folder)) for w in shlex.split(line)]
        if words[:2] == ["rm", "-rf"]:
            shutil.rmtree(words[2], ignore_errors=True)
        elif words[:2] == ["cp", "-r"]:
            shutil.copytree(ROOT / words[2], words[3])
        elif words[0] == "cp":
            shutil.copy(ROOT / words[1], words[2])
        else:
            assert words[0] == "phakhi", line
            phakhi.append(words[1:])
    # validate and build each check every source against the shapes (slow): run side by side
    running = [
        subprocess.Popen(
            [sys.executable, "-m", "phakhi.api.cli", *args],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for args in phakhi
    ]
    results = []
    for process, args in zip(running, phakhi, strict=True):
        out, err = process.communicate(timeout=900)
        results.append(subprocess.CompletedProcess(args, process.returncode, out, err))
    return results


@pytest.fixture(scope="module")
def practised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("home") / "phakhi-practice"
    script = marked(guide("th"), "practice")
    assert marked(guide("en"), "practice").count("phakhi ") == script.count("phakhi ")
    results = run_practice(script, folder)
    assert [r.args[0] for r in results] == ["validate", "build"]
    for result in results:
        assert result.returncode == 0, result.stderr
    assert results[0].stdout.strip() == f"{folder}: valid"
    assert results[1].stdout.strip() == f"wrote {folder / 'phakhi.trig'}"
    assert (folder / "texts" / EXAMPLE_TEXT.name).is_file()
    return folder


@pytest.fixture(scope="module")
def practice_client(practised: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(data_dir=practised, query_workers=1))) as client:
        yield client


def test_the_new_source_is_in_the_graph(practice_client: TestClient) -> None:
    found = practice_client.get("/api/search", params={"q": "เวทีตัวอย่าง"}).json()
    assert EVENT in [hit["id"] for hit in found["items"]]
    person = practice_client.get("/api/search", params={"q": "สมมติ", "kind": "person"}).json()
    assert [hit["id"] for hit in person["items"]] == [PERSON]
    page = practice_client.get(f"/id/event/{EVENT}", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "ชุมชนเข้มแข้งเมืองตราด" in page.text


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_guides_query_answers_as_they_say(practice_client: TestClient, lang: str) -> None:
    query = blocks(guide(lang), "sparql")[0]
    response = practice_client.get(
        "/sparql", params={"query": query}, headers={"Accept": "text/csv"}
    )
    assert response.status_code == 200, response.text
    rows = response.text.strip().splitlines()[1:]
    expected = {"th": "สมมติ ใจงาม,กล่าวเปิดเวที", "en": "Sommut Chaingam,Opened the forum"}[lang]
    assert rows == [expected]
    name, capacity = expected.split(",")
    assert f"`{name}`" in guide(lang) and f"`{capacity}`" in guide(lang)


def test_the_evidence_keeps_the_quote_and_the_inference(practice_client: TestClient) -> None:
    query = """
    PREFIX phk: <https://w3id.org/phakhi/ontology#>
    PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
    PREFIX prov: <http://www.w3.org/ns/prov#>
    SELECT ?line ?inferred ?quote WHERE {
      ?e rdf:subject <https://w3id.org/phakhi/id/place/example-community-hall> ;
         rdf:object <https://w3id.org/phakhi/id/province/TH-23> ; phk:line ?line ;
         phk:inferred ?inferred ; phk:quote ?quote ;
         prov:wasDerivedFrom <https://w3id.org/phakhi/id/source/example-forum-2025-01-20> .
    } ORDER BY ?quote"""
    response = practice_client.get(
        "/sparql", params={"query": query}, headers={"Accept": "text/csv"}
    )
    assert response.text.strip().splitlines()[1:] == [
        "3,true,จังหวัดตราด",
        "3,true,ณ ศาลาประชาคมตัวอย่าง",
    ]


def test_serving_the_built_file_finds_it_too(practised: Path) -> None:
    """`phakhi serve --data ~/phakhi-practice/phakhi.trig`, as section 3 says."""
    script = blocks(guide("en"), "sh")
    serve = next(line for b in script for line in commands(b) if line.startswith("phakhi serve"))
    files = [Path(w.replace(PRACTICE, str(practised))) for w in shlex.split(serve)[3:]]
    app = create_app(Settings(data_files=files))
    found = TestClient(app).get("/api/search", params={"q": "สมมติ"}).json()
    assert PERSON in [hit["id"] for hit in found["items"]]
