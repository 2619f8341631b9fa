"""schemathesis against the app's own OpenAPI schema, in process: every documented read
operation, with generated valid and invalid (negative) parameters, never answers with a server
error, and its 4xx answers are in the one error shape.

Excluded: writes (the Graph Store's PUT/POST/DELETE: they need the write token and an on-disk
store; test_writes*.py), and the downloads of the whole graph (/export/graph, /dataset,
/network, nodes.csv, edges.csv: each example would stream all of it, and their only
parameter is an enum; test_export*.py). A few examples per operation keep the run short.

(schemathesis' own pytest loaders do not work with this pytest, so the operations' hypothesis
strategies are run here directly.)
"""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from netguard import netguard as netguard  # the fixture
from schemathesis import Case, CheckContext, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi as schemathesis_asgi

from phakhi.api.app import create_app
from phakhi.api.settings import Settings

pytestmark = pytest.mark.usefixtures("netguard")

WHOLE_GRAPH = r"^/export/(graph|dataset|network)\.\{ext\}$|^/export/(nodes|edges)\.csv$"
EXAMPLES = 3  # per operation and generation mode


@pytest.fixture(scope="module")
def api_schema() -> Iterator[Any]:
    app = create_app(Settings(query_workers=1, query_timeout=3.0))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    yield schema.exclude(method=["PUT", "POST", "DELETE"], path_regex="^/store").exclude(
        path_regex=WHOLE_GRAPH
    )
    schemathesis_asgi.shutdown_lifespans()  # the query workers schemathesis started


@schemathesis.check
def one_error_shape(ctx: CheckContext, response: Any, case: Case[Any]) -> bool | None:
    """A 4xx in JSON is {"error": {status, code, message, detail}}."""
    content_type = response.headers.get("content-type", [""])
    content_type = content_type[0] if isinstance(content_type, list) else content_type
    json_error = content_type.startswith("application/json") and response.content
    if 400 <= response.status_code < 500 and json_error:
        body = response.json()
        assert set(body) == {"error"}, body
        assert set(body["error"]) == {"status", "code", "message", "detail"}, body
        assert body["error"]["status"] == response.status_code, body
    return None


def test_no_server_errors(api_schema: Any) -> None:
    failures: list[str] = []
    operations = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def run(case: Case[Any]) -> None:
                case.call_and_validate(checks=[not_a_server_error, one_error_shape])

            try:
                run()
            except Unsatisfiable:  # nothing to make invalid (no parameters)
                pass
            except Exception as error:
                failures.append(f"{operation.label} ({mode.value}): {error}")
    assert operations > 40
    assert failures == [], "\n\n".join(failures)
