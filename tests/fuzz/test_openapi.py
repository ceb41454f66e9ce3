"""R6: schemathesis against each service's OpenAPI, in process (ASGI), on SQLite. Every operation
gets generated requests — valid and invalid — with a token holding every scope of the service;
no answer may be a server error, break its documented schema or its content type.
``SNX_FUZZ_EXAMPLES`` sets the examples per operation (100 in ``make test``, the same ones every
run; 1,000 in ``make fuzz``, new ones every run).

(Driven through Hypothesis directly rather than schemathesis' pytest plugin, which does not load
under pytest 9.)"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from shared.migrations import upgrade
from tests.conftest import make_app
from tests.support import auth

EXAMPLES = int(os.environ.get("SNX_FUZZ_EXAMPLES", "100"))
RANDOM = os.environ.get("SNX_FUZZ_RANDOM") == "1"  # make fuzz: new examples each run; make test: the same
SCOPES = {
    "intake": (
        "intake:read",
        "intake:write",
        "intake:check",
        "intake:decide",
        "intake:import",
        "events:read",
    ),
    "matching": (
        "matching:check",
        "matching:review",
        "matching:rosters",
        "matching:contact",
        "matching:precheck",
        "events:read",
    ),
    "exchange": (
        "exchange:admin",
        "lookup",
        "rosters:publish",
        "feeds:findings",
        "feeds:enrolments",
        "feeds:persons",
        "webhooks",
        "events:read",
    ),
}
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@schemathesis.serializer("application/x-ndjson")
def _ndjson(ctx: object, value: object) -> bytes:
    """Roster uploads: whatever was generated, one JSON value a line (a list: one per item)."""
    import orjson

    items = value if isinstance(value, list) else [value]
    return b"".join(orjson.dumps(item, default=str) + b"\n" for item in items)


@schemathesis.serializer("text/csv")
def _csv(ctx: object, value: object) -> bytes:
    return str(value).encode()


@pytest.fixture(params=list(SCOPES))
def service(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, schemathesis.BaseSchema]]:  # type: ignore[name-defined]
    name = str(request.param)
    url = f"sqlite:///{tmp_path / f'{name}.db'}"
    upgrade(name, url)
    app = make_app(name, url, workers_enabled=False)
    with TestClient(app):  # runs the lifespan: database, index, workers
        yield name, schemathesis.openapi.from_asgi("/openapi.json", app)


def test_every_operation_survives_generated_requests(service: tuple[str, object]) -> None:
    name, schema = service
    headers = auth(name, *SCOPES[name], division="110105" if name == "intake" else None)
    failures = []
    operations = [r.ok() for r in schema.get_all_operations()]  # type: ignore[attr-defined]
    assert operations
    for op in operations:

        @settings(
            max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        @given(case=op.as_strategy())
        def run(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # every operation's failure is reported
            failures.append(f"{op.method.upper()} {op.path}: {str(exc)[:600]}")
    assert not failures, "\n\n".join(failures)
