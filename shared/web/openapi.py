"""The OpenAPI document says what errors look like: every operation's 422 and any other status it
does not list (``default``) are RFC 9457 problem details (``application/problem+json``), as
``shared.web.problems`` sends them — FastAPI would document a 422 body we never send."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, ConfigDict, Field

from shared.web.problems import PROBLEM_JSON


class ProblemFieldError(BaseModel):
    location: str = Field(description="body, query, path, header, row …")
    pointer: str = Field(description="RFC 6901 JSON pointer into that document")
    field: str
    code: str
    message: str
    context: dict[str, Any] | None = None


class Problem(BaseModel):
    """RFC 9457 problem details, with the field errors and the request id."""

    model_config = ConfigDict(extra="allow")  # some problems add their own members (max_bytes …)

    type: str
    title: str
    status: int
    code: str
    instance: str | None = None
    detail: str | None = None
    request_id: str | None = None
    errors: list[ProblemFieldError] | None = None


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(Problem.model_json_schema(ref_template="#/components/schemas/{model}")["$defs"])
        problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        problem.pop("$defs", None)
        components["Problem"] = problem
        for name in ("HTTPValidationError", "ValidationError"):
            components.pop(name, None)
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                responses = operation.setdefault("responses", {})
                if "422" in responses:
                    responses["422"] = _problem("Invalid input: each field named (problem details)")
                responses["default"] = _problem("An error (RFC 9457 problem details)")
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
