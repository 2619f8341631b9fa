"""The quick reading of a query's shape (api.query_shape._plain_shape) never differs from the
full reading: on every query the project ships, on queries near the complexity limits, and on
queries generated from fragments chosen to sit on its edges (keywords inside names, strings,
IRIs and comments; glued keywords; characters that change length in capitals)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phakhi.api import errors
from phakhi.api.query_shape import (
    MAX_CHAIN,
    MAX_NESTING,
    QueryShape,
    _plain_shape,
    _Reader,
    analyse,
    check_query,
    refuse_too_complex,
)
from phakhi.api.routes.pages import load_examples

SHIPPED = [example.query for example in load_examples()]  # competency questions, cookbook


def full_reading(query: str) -> QueryShape | str:
    reader = _Reader(query)
    try:
        refuse_too_complex(reader.tokens)
    except errors.QueryTooComplex:
        return "too complex"
    return reader.read()


def assert_same(query: str) -> None:
    quick = _plain_shape(query)
    assert quick is None or quick == full_reading(query), query


def test_shipped_queries_read_alike_and_quickly() -> None:
    for query in SHIPPED:
        assert_same(query)
    quick = [query for query in SHIPPED if _plain_shape(query) is not None]
    assert len(quick) >= len(SHIPPED) * 3 // 4  # the quick reading is the common one


def test_the_form_is_never_read_inside_a_comment() -> None:
    """A remote store runs what it is sent: an update must not pass as a query."""
    hidden = "# a query? SELECT\nINSERT DATA { GRAPH <http://e/g> { <http://e/a> <http://e/b> 1 } }"
    assert_same(hidden)
    assert analyse(hidden).form == "INSERT"
    with pytest.raises(errors.BadRequest):
        check_query(hidden, [], forms_only=True)


@pytest.mark.parametrize(
    "text",
    [" " * 200 + "X", "#" * 200 + "\nX", "# " * 200 + "\nX", "PREFIX a: <x>" + "\n" * 200 + "X"],
    ids=["spaces", "hashes", "comment", "prefix"],
)
def test_a_long_prologue_that_fails_is_read_in_linear_time(text: str) -> None:
    """The prologue pattern once took 2^n steps on n spaces before a non-form (200: forever)."""
    assert _plain_shape(text) is None
    assert_same(text)


@pytest.mark.parametrize("depth", [MAX_NESTING - 1, MAX_NESTING, MAX_NESTING + 1])
def test_nesting_at_the_limit(depth: int) -> None:
    assert_same("SELECT * WHERE " + "{" * depth + "}" * depth)
    assert_same("SELECT * WHERE { ?s ?p " + "[ ?q " * depth + "]" * depth + " }")
    assert_same("SELECT * WHERE { FILTER(" + "(" * depth + "1" + ")" * depth + ") }")


@pytest.mark.parametrize("count", [MAX_CHAIN - 1, MAX_CHAIN, MAX_CHAIN + 1])
def test_chains_at_the_limit(count: int) -> None:
    assert_same("SELECT * WHERE { " + " UNION ".join(["{}"] * (count // 2 + 1)) + " }")
    assert_same("SELECT * WHERE { ?s " + "/".join(["<http://e/p>"] * count) + " ?o }")


PROLOGUE = [
    *("PREFIX ex: <http://e/>", "PREFIX : <http://e/x#>", "prefix\tex:<http://e/>", "#c\n"),
    *("BASE <http://b/>", "base<http://b/>", "PREFIXex: <http://e/>", "PREFIX e.x: <http://e/>"),
    *("PREFIX ex: #c\n<http://e/>", "PREFIX ex: <http://e/\\u0041>", "BASE", "\f", "1"),
    *("# SELECT", "#ASK ", "# x SELECT\n", "##", "# PREFIX ex: <http://e/>"),
]
FORMS = ["SELECT", "select", "Ask", "CONSTRUCT", "DESCRIBE", "SELECTx", "SELECT.", "ASK-", "INSERT"]
BODY = [
    *("INSERT", "DATA", "WITH", "ADD", "COPY", "CLEAR", "DELETE", "drop", "Load", "download"),
    *("SERVICE", "service", "serviceSILENT", "SERVICEex:x", "SILENT", "FROM", "from", "NAMED"),
    *("?s", "$o", "?from", "?service", "ex:from", "ex:service", "1FROM", "x-FROM", "a.FROM"),
    *("%46ROM", "\\u0046ROM", "ex:a\\-FROM", "_:FROM", "ſervice", "ı", "ß", "ﬀ", "ก", "ex:กFROM"),
    *("<http://h/SERVICE>", "<http://h/#FROM>", "'FROM'", '"a\\"SERVICE"', '"""x\nFROM"""'),
    *("# SERVICE <http://h/>\n", "#c\n", "{", "}", "(", ")", "[", "]", ".", ";", ",", "*"),
    *("UNION", "OPTIONAL", "FILTER", "BIND", "MINUS", "/", "|", "&&", "||", "+", "-", "1"),
    *("<http://h/>", "ex:p", "a", "WHERE", "GRAPH", "VALUES", "LIMIT", "1.5", "\f", "#", "<"),
]
SEPARATORS = ["", " ", "\n", "\t"]


def joined(parts: list[tuple[str, str]]) -> str:
    return "".join(fragment + separator for fragment, separator in parts)


def parts(fragments: list[str], size: int) -> st.SearchStrategy[list[tuple[str, str]]]:
    pair = st.tuples(st.sampled_from(fragments), st.sampled_from(SEPARATORS))
    return st.lists(pair, max_size=size)


@settings(max_examples=4000, deadline=None, derandomize=True)
@given(parts(PROLOGUE, 4), st.sampled_from(FORMS), st.sampled_from(SEPARATORS), parts(BODY, 20))
def test_generated_queries_read_alike(
    prologue: list[tuple[str, str]], form: str, separator: str, body: list[tuple[str, str]]
) -> None:
    assert_same(joined(prologue) + form + separator + joined(body))


@settings(max_examples=1000, deadline=None, derandomize=True)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_any_text_after_a_plain_start_reads_alike(tail: str) -> None:
    assert_same("PREFIX ex: <http://e/>\nSELECT " + tail)
    assert_same("ASK" + tail)


NEIGHBOURS = [chr(code) for code in range(32, 127)] + ["", "\t", "\n", "é", "ß", "ก", "\x80"]


@pytest.mark.parametrize("word", ["SERVICE", "load", "From"])
def test_every_neighbour_of_a_keyword(word: str) -> None:
    """Each character before and after SERVICE, LOAD and FROM, the way the tokenizer splits."""
    for before in NEIGHBOURS:
        for after in NEIGHBOURS:
            assert_same(f"SELECT * {before}{word}{after} <http://e/g> {{ }}")
