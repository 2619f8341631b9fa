"""`phakhi validate` and `phakhi build`: compile, check against the shapes, write atomically."""

from pathlib import Path

from rdflib import Dataset

from phakhi.graph.atomic import write_atomically
from phakhi.graph.dataset import build_dataset
from phakhi.graph.problems import SourceErrors
from phakhi.graph.validation import validate


def _compile(data_dir: Path) -> tuple[Dataset | None, list[str]]:
    try:
        dataset = build_dataset(data_dir)
    except SourceErrors as errors:
        return None, [str(p) for p in errors.problems]
    violations = validate(dataset)
    return dataset, [f"shapes: {v}" for v in violations]


def check(data_dir: Path) -> list[str]:
    """Every problem in data_dir, as printable lines; empty when it is valid."""
    return _compile(data_dir)[1]


def build(data_dir: Path, output: Path) -> list[str]:
    """Compile and validate; write output (and the ontology reference, ontology.html, beside
    it) only when there is no problem."""
    from phakhi.graph.reference import write_reference

    dataset, problems = _compile(data_dir)
    if dataset is None or problems:
        return problems
    write_atomically(output, dataset.serialize(format="trig", encoding="utf-8"))
    write_reference(output.parent / "ontology.html", data_dir=data_dir)
    return []
