"""RDF/XML from users, before pyoxigraph parses it: no entity bombs.

pyoxigraph never fetches an external entity or DTD (a SYSTEM or PUBLIC entity is a syntax error,
an external DTD is ignored), but it expands internal entities: a few hundred bytes of entities
that refer to other entities grow into gigabytes (the "billion laughs"), and one long entity
referred to many times grows a document quadratically. `check_entities` refuses, before
parsing: parameter entities, entities whose value refers to another entity, and references that
would expand the document past a limit. It reads declarations the way pyoxigraph does (no space
needed after <!ENTITY, any name, declarations in comments count, the last one wins), and refuses
any `<!ENTITY` it cannot read: what it does not understand, it does not let through.
"""

import mmap
import re
from pathlib import Path

_DECLARATION = re.compile(rb"<!ENTITY")
_ENTITY = re.compile(
    rb"<!ENTITY\s*(%)?\s*([^\s\"'>]+)\s*(?:\"([^\"]*)\"|'([^']*)'|(SYSTEM|PUBLIC)[\s\"'])"
)
_REFERENCE = re.compile(rb"&([^\s&;<>\"']+);")
PREDEFINED = frozenset({b"lt", b"gt", b"amp", b"quot", b"apos"})
FILE_GROWTH = 10_000_000  # what entities may add to a file of --data (or 16 times its size)


class UnsafeXml(ValueError):
    """RDF/XML whose entities are refused."""


def check_entities(data: bytes | mmap.mmap, limit: int) -> None:
    """Refuse (UnsafeXml) entities of data that are parameter entities, refer to other
    entities, cannot be read, or whose references would expand data past limit bytes.
    External entities are left to the parser, which refuses them without fetching."""
    declared: dict[bytes, int] = {}
    for found in _DECLARATION.finditer(data):
        match = _ENTITY.match(data, found.start())
        if match is None:
            raise UnsafeXml("an entity declaration that cannot be read is not accepted")
        parameter, name, double, single, external = match.groups()
        if external is not None:
            continue
        value = double if double is not None else single
        if parameter or b"%" in name or b"&" in value or b"%" in value:
            raise UnsafeXml(
                "entities that refer to other entities (or parameter entities) are not "
                "accepted: they can expand without bound"
            )
        declared[name] = max(declared.get(name, 0), len(value))
    if not declared:
        return
    longest, size, grown = max(declared.values()), len(data), 0
    for reference in _REFERENCE.finditer(data):
        name = reference.group(1)
        if name in PREDEFINED or name.startswith(b"#"):
            continue
        grown += declared.get(name, longest)  # a name read otherwise: the worst it can be
        if size + grown > limit:
            raise UnsafeXml(f"its entities would expand it past {limit} bytes")


def external_entity(data: bytes | mmap.mmap) -> str | None:
    """The name of an external (SYSTEM or PUBLIC) entity data declares, if any."""
    for found in _DECLARATION.finditer(data):
        match = _ENTITY.match(data, found.start())
        if match is not None and match.group(5) is not None:
            return match.group(2).decode("utf-8", "replace")
    return None


def check_file(path: Path) -> None:
    """For an RDF/XML file (mapped, not read into memory): refuse external entities (with a
    clearer message than the parser's) and what check_entities refuses, entities adding at most
    FILE_GROWTH bytes or 16 times the file's size."""
    size = path.stat().st_size
    if not size:
        return
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        if data.find(b"<!ENTITY") < 0:
            return
        try:
            external = external_entity(data)
            if external is not None:
                raise UnsafeXml(f"external entity {external!r}: entities are never fetched")
            check_entities(data, size + max(16 * size, FILE_GROWTH))
        except UnsafeXml as error:
            raise UnsafeXml(f"{path}: {error}") from None
