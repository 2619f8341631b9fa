"""`phakhi validate` accepts data/ and names every problem of broken files with file:line."""

import subprocess
import sys
from pathlib import Path

from phakhi.graph.build import build, check
from phakhi.graph.paths import DATA_DIR

BROKEN = Path(__file__).parent / "broken"

EXPECTED = [
    "reference/agencies.yaml:5: entities.1.id: duplicate id 'example-office'",
    "sources/forum.yaml:5: source.date: Input should be a valid date",
    "sources/people.yaml:12: entities.0: missing quote",
    "sources/people.yaml:19: entities.1.part_of: unknown reference 'example-ofice'"
    " (did you mean 'example-office'?)",
    "sources/people.yaml:25: memberships.0.quote: quote not found in the text's lines 1-2",
    "sources/syntax.yaml:4: YAML syntax",
]


def test_seed_data_is_valid() -> None:
    assert check(DATA_DIR) == []


def test_broken_files_are_named_with_file_and_line() -> None:
    problems = check(BROKEN)
    assert len(problems) == len(EXPECTED), "\n".join(problems)
    for problem, expected in zip(problems, EXPECTED, strict=True):
        assert expected in problem


def test_cli_exits_non_zero_with_file_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "phakhi.api.cli", "validate", "--data", str(BROKEN)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert "people.yaml:19:" in result.stderr
    assert "6 problem(s) found" in result.stderr


def test_build_writes_nothing_when_broken(tmp_path: Path) -> None:
    output = tmp_path / "phakhi.trig"
    assert build(BROKEN, output)
    assert list(tmp_path.iterdir()) == []


def test_build_writes_the_dataset(tmp_path: Path) -> None:
    output = tmp_path / "phakhi.trig"
    assert build(DATA_DIR, output) == []
    assert output.stat().st_size > 10_000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ontology.html", "phakhi.trig"]
