"""The public notice list: masked names, household size and amount only; no minors; gone when it ends."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient

from tests.intake_data import OTHER_TOWNSHIP, TOWNSHIP, application, member
from tests.support import auth

STAFF = auth("intake", "intake:read", "intake:write", "intake:check", division=TOWNSHIP)
TODAY = date.today()


def in_notice(
    client: TestClient, body: dict[str, Any], key: str, start: date, headers: dict[str, str] = STAFF
) -> str:
    app_id = client.post("/v1/applications", json=body, headers={**headers, "Idempotency-Key": key}).json()[
        "id"
    ]
    on = (start - timedelta(days=6)).isoformat()
    for action, facts in (
        ("accept", {}),
        ("investigate", {"investigators": ["甲", "乙"]}),
        ("request-check", {}),
        ("report-check", {"report_ref": "R1", "outcome": "meets"}),
        ("give-opinion", {"recommendation": "approve", "proposed_amount": "650.5"}),
        ("publish-notice", {"start_on": start.isoformat()}),
    ):
        response = client.post(
            f"/v1/applications/{app_id}/{action}", json={"on": on, **facts}, headers=headers
        )
        assert response.status_code == 200, response.text
    return app_id


def test_notice_shows_only_what_the_law_allows(intake_app: TestClient) -> None:
    adult = application()
    adult["members"][0]["name"] = "张三明"
    child = application(
        applicant_index=1,
        members=[member("02", "19700101", True, "王大山"), member("20", "20150101", True, "王小山")],
    )
    current = in_notice(intake_app, adult, "a", TODAY - timedelta(days=2))
    minor = in_notice(intake_app, child, "b", TODAY)
    ended = in_notice(intake_app, application(), "c", TODAY - timedelta(days=7))  # its last day was yesterday
    other_staff = auth("intake", "intake:read", "intake:write", "intake:check", division=OTHER_TOWNSHIP)
    elsewhere = in_notice(intake_app, application(township=OTHER_TOWNSHIP), "d", TODAY, other_staff)

    response = intake_app.get(
        "/v1/notices", params={"division": TOWNSHIP}, headers={"Accept-Language": "zh-CN"}
    )
    assert response.status_code == 200  # public: no token needed
    items = {i["id"]: i for i in response.json()["items"]}
    assert set(items) == {current, minor}  # not the ended one, not another township's
    assert ended not in items and elsewhere not in items
    shown = items[current]
    assert shown["name"] == "张*明" and shown["household_size"] == 3 and shown["amount"] == "650.50"
    assert shown["programme_name"] == "城市低保"
    assert items[minor]["name"] is None  # a minor is never named
    text = json.dumps(response.json(), ensure_ascii=False)
    for secret in (
        "李四红",
        "王小山",
        "王大山",
        "建外街道某社区",
        "1200.50",
        adult["members"][0]["id_number"],
    ):
        assert secret not in text


def test_notice_needs_a_township_or_village(intake_app: TestClient) -> None:
    for bad in ("110105", "abc"):
        response = intake_app.get("/v1/notices", params={"division": bad})
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "division"
