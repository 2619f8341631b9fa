"""`phakhi validate` and `phakhi build`: compile, check against the shapes, write atomically."""

import os
import tempfile
from pathlib import Path

from rdflib import Dataset

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


def write_atomically(path: Path, data: bytes) -> None:
    """Write via a temporary file and rename, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def build(data_dir: Path, output: Path) -> list[str]:
    """Compile and validate; write output only when there is no problem."""
    dataset, problems = _compile(data_dir)
    if dataset is None or problems:
        return problems
    write_atomically(output, dataset.serialize(format="trig", encoding="utf-8"))
    return []
