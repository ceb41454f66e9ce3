"""Every error is application/problem+json with a stable code, in English or Chinese."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import APIRouter, HTTPException
from fastapi.testclient import TestClient
from pydantic import BaseModel

from services.intake.config import IntakeSettings
from shared.web.app import create_service_app
from tests.support import auth

PROBLEM = "application/problem+json"
ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}
EN = {"Accept-Language": "en-US,en;q=0.9"}


class Member(BaseModel):
    name: str
    age: int


class Household(BaseModel):
    members: list[Member]


router = APIRouter()


@router.post("/test/households")
def post_household(body: Household) -> dict[str, int]:
    return {"members": len(body.members)}


@router.get("/test/boom")
def boom() -> None:
    raise RuntimeError("secret internal detail 11010519491231002X")


@router.get("/test/teapot")
def teapot() -> None:
    raise HTTPException(status_code=418, headers={"X-Brew": "no"})


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = IntakeSettings(
        env="test", database_url=f"sqlite:///{tmp_path}/t.db", consumers_enabled=False, max_body_bytes=2048
    )
    app = create_service_app(settings, title="t", description="t", routers=[router])
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def assert_problem(response, status: int, code: str) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"urn:snx:problem:{code}"
    assert body["title"]
    assert response.headers["x-request-id"]
    return body


@pytest.mark.parametrize(("headers", "title"), [(EN, "Not found"), (ZH, "未找到")])
def test_404(client: TestClient, headers: dict[str, str], title: str) -> None:
    body = assert_problem(client.get("/no/such/route", headers=headers), 404, "not_found")
    assert body["title"] == title
    assert body["instance"] == "/no/such/route"


@pytest.mark.parametrize(("headers", "title"), [(EN, "Method not allowed"), (ZH, "不支持该请求方法")])
def test_405_keeps_allow_header(client: TestClient, headers: dict[str, str], title: str) -> None:
    response = client.delete("/test/households", headers=headers)
    body = assert_problem(response, 405, "method_not_allowed")
    assert body["title"] == title
    assert "POST" in response.headers["allow"]


@pytest.mark.parametrize(("headers", "word"), [(EN, "bytes"), (ZH, "字节")])
def test_413_by_content_length(client: TestClient, headers: dict[str, str], word: str) -> None:
    response = client.post(
        "/test/households", content=b"x" * 5000, headers={**headers, "content-type": "application/json"}
    )
    body = assert_problem(response, 413, "payload_too_large")
    assert word in body["detail"]
    assert body["max_bytes"] == 2048


def test_413_when_streamed_without_length(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(10):
            yield b"y" * 1000

    response = client.post(
        "/test/households", content=chunks(), headers={**ZH, "content-type": "application/json"}
    )
    body = assert_problem(response, 413, "payload_too_large")
    assert body["title"] == "请求内容过大"


@pytest.mark.parametrize(
    ("headers", "missing", "integer"),
    [(EN, "Field required", "Must be an integer"), (ZH, "缺少必填字段", "应为整数")],
)
def test_422_lists_every_field_with_its_json_path(
    client: TestClient, headers: dict[str, str], missing: str, integer: str
) -> None:
    payload = {"members": [{"name": "张三", "age": 30}, {"age": "many"}]}
    body = assert_problem(
        client.post("/test/households", json=payload, headers=headers), 422, "validation_failed"
    )
    errors = {e["pointer"]: e for e in body["errors"]}
    assert set(errors) == {"#/members/1/name", "#/members/1/age"}
    assert errors["#/members/1/name"]["field"] == "members[1].name"
    assert errors["#/members/1/name"]["code"] == "missing"
    assert errors["#/members/1/name"]["message"] == missing
    assert errors["#/members/1/age"]["message"] == integer
    assert all(e["location"] == "body" for e in body["errors"])
    assert "members[1].name" in body["detail"]


def test_422_for_malformed_json(client: TestClient) -> None:
    response = client.post(
        "/test/households", content=b"{not json", headers={"content-type": "application/json"}
    )
    body = assert_problem(response, 422, "validation_failed")
    assert body["errors"][0]["code"] == "json_invalid"


@pytest.mark.parametrize(("headers", "title"), [(EN, "Internal server error"), (ZH, "服务器内部错误")])
def test_500_hides_internals(client: TestClient, headers: dict[str, str], title: str) -> None:
    response = client.get("/test/boom", headers=headers)
    body = assert_problem(response, 500, "internal_error")
    assert body["title"] == title
    assert "secret" not in response.text and "RuntimeError" not in response.text
    assert "Traceback" not in response.text


def test_a_status_without_its_own_class_keeps_status_and_headers(client: TestClient) -> None:
    response = client.get("/test/teapot", headers=ZH)
    assert_problem(response, 418, "internal_error")
    assert response.headers["x-brew"] == "no"
    assert response.headers["content-language"] == "zh-CN"


def test_401_and_403_are_problems_too(client: TestClient) -> None:
    body = assert_problem(client.get("/internal/events", headers=ZH), 401, "unauthorized")
    assert body["title"] == "需要身份认证"
    response = client.get("/internal/events", headers=auth("intake", "intake:read"))
    body = assert_problem(response, 403, "forbidden")
    assert body["missing_scopes"] == ["events:read"]


def test_request_id_is_echoed(client: TestClient) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    body = assert_problem(client.get("/nowhere", headers={"X-Request-ID": "abc-124"}), 404, "not_found")
    assert body["request_id"] == "abc-124"
