"""intake's first resource through the whole stack: auth, division scoping, validation, outbox."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support import auth

WRITE = auth("intake", "intake:write", "intake:read", division="110105001")
OTHER_TOWNSHIP = auth("intake", "intake:write", "intake:read", division="110105002")
FEED = auth("intake", "events:read")


def register(client: TestClient, headers: dict[str, str], **body: object) -> dict:  # type: ignore[type-arg]
    payload = {"division_code": "110105001", "area_type": "urban", "address": "某街道 1 号"} | body
    return client.post("/v1/households", json=payload, headers=headers).json()


def test_register_and_read_back_with_its_event(intake: TestClient) -> None:
    response = intake.post(
        "/v1/households",
        json={"division_code": "110105001", "area_type": "urban", "address": "朝阳区某社区"},
        headers=WRITE,
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["warnings"] == []
    read = intake.get(f"/v1/households/{created['id']}", headers=WRITE)
    assert read.status_code == 200
    assert read.json()["division_code"] == "110105001"
    feed = intake.get("/internal/events", params={"after": 0}, headers=FEED).json()
    assert [e["type"] for e in feed["events"]] == ["cn.snx.intake.household.registered"]
    event = feed["events"][0]
    assert event["subject"] == f"household/{created['id']}"
    assert event["seq"] == 1 and event["specversion"] == "1.0" and event["source"] == "/snx/intake"
    assert event["data"]["household_id"] == created["id"]
    assert "address" not in event["data"]


def test_another_township_neither_writes_nor_reads(intake: TestClient) -> None:
    created = register(intake, WRITE)
    assert intake.get(f"/v1/households/{created['id']}", headers=OTHER_TOWNSHIP).status_code == 404
    response = intake.post(
        "/v1/households", json={"division_code": "110105001", "area_type": "urban"}, headers=OTHER_TOWNSHIP
    )
    assert response.status_code == 403
    # Nothing was written by the refused call: the feed holds only the first household.
    assert len(intake.get("/internal/events", headers=FEED).json()["events"]) == 1


def test_invalid_division_names_the_field_in_chinese(intake: TestClient) -> None:
    response = intake.post(
        "/v1/households",
        json={"division_code": "1101", "area_type": "urban"},
        headers={**WRITE, "Accept-Language": "zh-CN"},
    )
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "division_code"
    assert "乡镇" in error["message"]
    assert intake.get("/internal/events", headers=FEED).json()["events"] == []


def test_unknown_but_wellformed_division_is_a_warning(intake: TestClient) -> None:
    body = register(intake, auth("intake", "intake:write"), division_code="110105999")
    assert body["id"] and body["warnings"]


def test_scopes_are_required(intake: TestClient) -> None:
    assert intake.post("/v1/households", json={}, headers=auth("intake", "intake:read")).status_code == 403
    assert intake.get("/v1/households/x", headers=auth("exchange", "intake:read")).status_code == 401
