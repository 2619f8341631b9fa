"""A SPARQL query or update read without evaluating it: its form, its own dataset, the hosts it
would make the engine call (SERVICE, LOAD), and whether it is nested or chained past what the
engine survives.

pyoxigraph has no algebra API in Python, so these are found by a tokenizer that follows the
SPARQL 1.1 terminals closely enough never to take a string, an IRI or a comment for a keyword
(section 19 of the SPARQL 1.1 Query grammar).
"""

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import urljoin, urlsplit

from phakhi.api import errors

_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_PN_ESCAPE = r"\\[_~.\-!$&'()*+,;=/?#@%]"
_NAME_START = rf"[A-Za-z_:]|[^\x00-\x7F]|{_PN_ESCAPE}"
_NAME_PART = rf"[\w\-:]|[^\x00-\x7F]|%[0-9A-Fa-f]{{2}}|{_PN_ESCAPE}"
_TOKEN = re.compile(
    rf"""
      (?P<space>[ \t\r\n]+)
    | (?P<comment>\#[^\r\n]*)
    | (?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''
               |\"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\"
               |'(?:[^'\\\r\n]|\\.)*'
               |"(?:[^"\\\r\n]|\\.)*")
    | (?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]|{_UCHAR})*>)
    | (?P<var>[?$](?:[0-9A-Za-z_]|[^\x00-\x7F])+)
    | (?P<name>(?:{_NAME_START})(?:(?:{_NAME_PART}|\.)*(?:{_NAME_PART}))?)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
FORM_TYPE = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
QUERY_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
UPDATE_WORDS = {
    "INSERT",
    "DELETE",
    "LOAD",
    "CLEAR",
    "CREATE",
    "DROP",
    "COPY",
    "MOVE",
    "ADD",
    "WITH",
}


class Token(NamedTuple):  # a tuple: lighter than a dataclass, and a query has hundreds
    kind: str
    text: str
    word: str = ""  # a name's text in capitals (keywords are case-insensitive); else ""


def _token(kind: str, text: str) -> Token:
    return Token(kind, text, text.upper() if kind == "name" else "")


@dataclass(frozen=True)
class ServiceCall:
    written: str  # the target as written: an IRI, a prefixed name or a variable
    iri: str | None  # resolved; None for a variable or an unknown prefix
    keyword: str = "SERVICE"  # or LOAD (an update that fetches a document)

    @property
    def host(self) -> str | None:
        try:
            return urlsplit(self.iri).hostname if self.iri else None
        except ValueError:  # e.g. a broken IPv6 literal: no host we could allow
            return None


@dataclass
class QueryShape:
    form: str | None = None  # SELECT, ASK, CONSTRUCT, DESCRIBE or an update keyword
    own_dataset: bool = False  # FROM / FROM NAMED
    services: list[ServiceCall] = field(default_factory=list)

    @property
    def is_update(self) -> bool:
        return self.form in UPDATE_WORDS


def tokens(query: str) -> list[Token]:
    """The significant tokens of query: no white space, no comments."""
    return [token for token, _ in token_spans(query)]


def token_spans(query: str) -> Iterator[tuple[Token, int]]:
    """The significant tokens of query, each with the offset it starts at."""
    for match in _TOKEN.finditer(query):
        kind = match.lastgroup or "other"
        if kind != "space" and kind != "comment":
            yield _token(kind, match.group()), match.start()


def _iri_text(text: str) -> str:
    """An IRI's \\uXXXX and \\UXXXXXXXX escapes decoded, as pyoxigraph reads them."""
    return re.sub(_UCHAR, lambda m: chr(int(m.group()[2:], 16)), text)


def _local_text(text: str) -> str:
    """A local name's \\-escapes (ex:a\\@b is a@b) decoded."""
    return re.sub(_PN_ESCAPE, lambda m: m.group()[1], text)


class _Reader:
    """One pass over the tokens, keeping the prologue's BASE and PREFIX to resolve IRIs."""

    def __init__(self, query: str) -> None:
        self.tokens = tokens(query)
        self.base: str | None = None
        self.prefixes: dict[str, str] = {}
        self.shape = QueryShape()
        self.started = False

    def iri(self, token: Token) -> str | None:
        if token.kind == "iri":
            iri = _iri_text(token.text[1:-1])
            return urljoin(self.base, iri) if self.base else iri
        if token.kind == "name" and ":" in token.text:
            prefix, _, local = token.text.partition(":")
            known = self.prefixes.get(prefix)
            return known + _local_text(local) if known is not None else None
        return None

    def read(self) -> QueryShape:
        index = 0
        while index < len(self.tokens):
            index = self._step(index)
        return self.shape

    def _step(self, index: int) -> int:
        token, following = self.tokens[index], self.tokens[index + 1 : index + 3]
        word = token.word
        if word == "BASE" and following:
            self.base = self.iri(following[0])
            return index + 2
        if word == "PREFIX" and len(following) == 2:
            iri = self.iri(following[1])
            if iri is not None:
                self.prefixes[following[0].text.rstrip(":")] = iri
            return index + 3
        if word.startswith("PREFIX") and token.text.endswith(":") and following:
            # PREFIXex: <…> is PREFIX ex: <…> to pyoxigraph (keywords need no word boundary)
            iri = self.iri(following[0])
            if iri is not None:
                self.prefixes[token.text[len("PREFIX") : -1]] = iri
            return index + 2
        if not self.started:  # the first token after the prologue names the form
            self.started = True
            self.shape.form = word if word in QUERY_FORMS | UPDATE_WORDS else None
        if word == "FROM":
            self.shape.own_dataset = True
        if word in ("SERVICE", "LOAD"):  # both make the engine fetch from another host
            return self._service(index + 1, word)
        glued = self._glued(token)
        if glued:
            return self._service(index, glued, glued=True)
        return index + 1

    def _glued(self, token: Token) -> str:
        """SERVICE or LOAD run together with what follows it (SERVICEex:x, serviceSILENT,
        LOADSILENT): pyoxigraph matches keywords without a word boundary, so it reads these
        as the keyword. Conservative: a prefixed name whose prefix starts with "service" (or
        "load", in an update) counts too, as it may be read either way."""
        word = token.word
        if word.startswith("SERVICE") and word != "SERVICE":
            return "SERVICE"
        if word.startswith("LOAD") and word != "LOAD" and self.shape.form not in QUERY_FORMS:
            return "LOAD"
        return ""

    def _service(self, index: int, keyword: str, *, glued: bool = False) -> int:
        if glued:  # run together (see _glued): the token at index holds the keyword and more
            rest = self.tokens[index].text[len(keyword) :]
            rest = rest[len("SILENT") :] if rest.upper().startswith("SILENT") else rest
            if rest:  # the target too (SERVICEex:x); else it follows (serviceSILENT <x>)
                self.tokens[index] = _token("name", rest)
            else:
                index += 1
        elif index < len(self.tokens) and self.tokens[index].word == "SILENT":
            index += 1
        target = self.tokens[index] if index < len(self.tokens) else _token("other", "")
        self.shape.services.append(ServiceCall(target.text, self.iri(target), keyword))
        return index + 1


# pyoxigraph parses, plans and evaluates recursively: brackets nested a few hundred deep, or a
# few thousand operators chained in one query (each UNION, OPTIONAL, MINUS, BIND, FILTER, &&,
# ||, arithmetic operator, property path step or group makes its algebra one level deeper),
# overflow the stack and kill the process (SIGSEGV) instead of failing. Limits far below that
# (measured: the shallowest crash is near 470 nested collections or 2,500 chained OPTIONALs,
# both at once under half of it) and far above what a written query needs:
MAX_NESTING = 64
MAX_CHAIN = 1000
_CHAIN_WORDS = frozenset({"UNION", "OPTIONAL", "MINUS", "BIND", "FILTER"})
_CHAIN_SYMBOLS = frozenset("{/|&")  # groups, paths, && and || (one per character)
_ARITHMETIC = frozenset("+-*")  # counted inside parentheses only: not a number's sign in data


def refuse_too_complex(found: list[Token]) -> None:
    """Refuse (400 query_too_complex) a query or update nested or chained past the limits."""
    depth = deepest = parens = chain = 0
    for token in found:
        text = token.text if token.kind == "other" else ""
        if text in ("{", "(", "["):
            depth += 1
            parens += text == "("
            deepest = max(deepest, depth)
        elif text in ("}", ")", "]"):
            depth = max(depth - 1, 0)
            parens = max(parens - (text == ")"), 0)
        if token.word in _CHAIN_WORDS or text in _CHAIN_SYMBOLS or (parens and text in _ARITHMETIC):
            chain += 1
    if deepest > MAX_NESTING:
        raise errors.QueryTooComplex(
            f"the query nests brackets ({{ ( [) {deepest} deep; at most {MAX_NESTING} are accepted",
            detail={"nesting": deepest, "max_nesting": MAX_NESTING},
        )
    if chain > MAX_CHAIN:
        raise errors.QueryTooComplex(
            f"the query chains {chain} operators (UNION, OPTIONAL, MINUS, BIND, FILTER, groups, "
            f"&&, ||, arithmetic, property paths); at most {MAX_CHAIN} are accepted: split it, "
            "or list alternatives with VALUES or IN",
            detail={"chain": chain, "max_chain": MAX_CHAIN},
        )


def analyse(query: str) -> QueryShape:
    """The shape of a query or update, read without evaluating it; refuses (400) one that would
    overflow the engine's stack (refuse_too_complex)."""
    plain = _plain_shape(query)
    if plain is not None:
        return plain
    reader = _Reader(query)
    refuse_too_complex(reader.tokens)
    return reader.read()


# The full reading costs ~1 µs a token (100-200 µs for a query of the cookbook, as much as
# evaluating it). Most queries need none of it. Their form is the word after a prologue of plain
# BASE and PREFIX lines; then only SERVICE, LOAD and FROM change the shape (an update keyword
# after a query's form does not), and only past the limits is a query too complex. So a text
# where none of those three words can be a token of its own, with fewer brackets than
# MAX_NESTING and fewer operator characters than MAX_CHAIN (raw counts bound the token counts
# from above), needs no more; anything else gets the full reading. A word "can be a token of its
# own" unless a letter, "_" or ":" (or any non-ASCII character) is right before it or, for FROM
# (SERVICE and LOAD count at the start of a name too: _Reader._glued), a name character right
# after it. Strings, IRIs and comments are not told apart: a word there costs the full reading.
_NEEDS_READING = ("SERVICE", "LOAD", "FROM")
_BEFORE_NAME = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ_:")  # in capitals: what a name goes on with
_IN_NAME = _BEFORE_NAME | frozenset("0123456789-")


def _on_its_own(upper: str) -> bool:
    """Whether one of _NEEDS_READING can be a token of its own in upper (the text in capitals;
    str.find, not a regex: a regex tries every position of the text, ~15 µs a kilobyte)."""
    for word in _NEEDS_READING:
        at = upper.find(word)
        while at >= 0:
            before = upper[at - 1 : at]
            after = upper[at + len(word) : at + len(word) + 1]
            if not _name_char(before, _BEFORE_NAME) and (
                word != "FROM" or not _name_char(after, _IN_NAME)
            ):
                return True
            at = upper.find(word, at + 1)
    return False


def _name_char(char: str, ascii_ones: frozenset[str]) -> bool:
    return char in ascii_ones or char >= "\x80"


_CHAIN_TEXTS = ("UNION", "OPTIONAL", "MINUS", "BIND", "FILTER", "{", "/", "|", "&", "+", "*", "-")
_PLAIN_IRI = r"<[^<>\"{}|^`\\\x00-\x20]*>"
_PLAIN_PROLOGUE = re.compile(
    rf"""(?:[ \t\r\n] | \#[^\r\n]*
        | BASE[ \t\r\n]*{_PLAIN_IRI}
        | PREFIX[ \t\r\n]+(?:[A-Za-z][A-Za-z0-9_\-]*)?:[ \t\r\n]*{_PLAIN_IRI}
      )*+  # possessive: never gives back (a comment's end, a space), so never reads the
           # form inside a comment, and takes time linear in the text whatever follows
      (SELECT|ASK|CONSTRUCT|DESCRIBE)(?=[ \t\r\n*?$({{\#<]|$)
    """,
    re.IGNORECASE | re.ASCII | re.VERBOSE,
)


def _plain_shape(query: str) -> QueryShape | None:
    """The shape of a query that needs no full reading; None for one that does."""
    upper = query.upper()
    if _on_its_own(upper):
        return None
    if sum(map(query.count, "{([")) > MAX_NESTING:
        return None
    if sum(map(upper.count, _CHAIN_TEXTS)) > MAX_CHAIN:
        return None
    found = _PLAIN_PROLOGUE.match(query)
    return QueryShape(form=found[1].upper()) if found else None


def refuse_services(shape: QueryShape, allowed_hosts: Sequence[str]) -> None:
    """Refuse (403) any SERVICE (or an update's LOAD) whose host is not allow-listed:
    pyoxigraph would call it."""
    allowed = {host.lower() for host in allowed_hosts}
    for call in shape.services:
        host = call.host
        what = "a federated query" if call.keyword == "SERVICE" else "LOAD"
        if host is None:
            raise errors.Forbidden(
                f"{call.keyword} {call.written or '(no target)'} is refused: {what} needs "
                "a fixed http(s) IRI whose host is allowed",
                detail={call.keyword.lower(): call.written},
            )
        if host.lower() not in allowed:
            raise errors.Forbidden(
                f"{call.keyword} <{call.iri}> is refused: this endpoint does not send requests "
                f"to {host} (only to hosts in the service_allow_list setting)",
                detail={call.keyword.lower(): call.iri, "host": host},
            )


def update_refused(keyword: str) -> errors.BadRequest:
    return errors.BadRequest(
        f"SPARQL Update ({keyword}) is not accepted at /sparql as a query: queries are SELECT, "
        f"ASK, CONSTRUCT, DESCRIBE; an update is sent by POST, as update= ({FORM_TYPE}) or "
        f"as {UPDATE_TYPE}, with the write token",
        detail={"update": keyword},
    )


def check_query(query: str, allowed_hosts: Sequence[str], *, forms_only: bool) -> QueryShape:
    """The shape of a query /sparql may evaluate. Refuses (errors.PhakhiError) an update, a
    query past the complexity limits, a SERVICE to a host not allowed and, with forms_only,
    anything that does not start as a query (for a remote store, which may run what it takes
    for an update: Virtuoso runs MODIFY and define)."""
    shape = analyse(query)
    if shape.is_update:
        raise update_refused(shape.form or "update")
    if forms_only and shape.form not in QUERY_FORMS:
        raise errors.MalformedQuery(
            "not a SPARQL query: after its PREFIX and BASE lines a query starts with SELECT, "
            "ASK, CONSTRUCT or DESCRIBE",
            detail={"form": shape.form},
        )
    refuse_services(shape, allowed_hosts)
    return shape
