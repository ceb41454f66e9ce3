"""The economic check (核对): intake asks a real matching server, which applies the configured rule
forms to the rosters it holds, and intake records the report on the application."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import make_app
from tests.intake_data import application
from tests.integration.test_workflow import CHECK_CENTRE, act, day, submit
from tests.matching_data import Served, person, resolve, send


def test_the_check_finds_a_car_and_a_pension_and_intake_records_the_report(
    db_url: Callable[[str], str],
) -> None:
    matching_app = make_app("matching", db_url("matching"), workers_enabled=False)
    with TestClient(matching_app) as matching, Served(matching_app) as matching_url:
        body = application()
        head, spouse = body["members"][0], body["members"][1]
        car = {"type": "car", "value": "85000"}
        send(matching, "mps.vehicle", [person("v1", head["name"], head["id_number"], attributes=car)])
        send(matching, "mohrss.pension", [person("p1", spouse["name"], spouse["id_number"], amount="1500")])
        resolve(matching)

        intake_app = make_app("intake", db_url("intake"), matching_url=matching_url, workers_enabled=False)
        with TestClient(intake_app) as intake:
            app_id = submit(intake, body)["id"]
            act(intake, app_id, "accept", on=day(0))
            act(intake, app_id, "investigate", on=day(1), investigators=["王调查", "赵调查"])
            early = intake.post(
                f"/v1/applications/{app_id}/economic-check", json={"on": day(2)}, headers=CHECK_CENTRE
            )
            assert early.status_code == 409  # not requested yet
            act(intake, app_id, "request-check", on=day(2))
            response = intake.post(
                f"/v1/applications/{app_id}/economic-check", json={"on": day(3)}, headers=CHECK_CENTRE
            )
            assert response.status_code == 200, response.text
            assert response.json()["status"] == "check_reported"
            history = intake.get(f"/v1/applications/{app_id}/history", headers=CHECK_CENTRE).json()
    report: dict[str, Any] = next(h for h in history if h["action"] == "report_check")["details"]["report"]
    results = {r["id"]: r["result"] for r in report["rules"]}
    assert results == {"E1": "pass", "E2": "pass", "E3": "fail", "E4": "pass", "E5": "pass"}
    assert report["outcome"] == "exceeds" and report["household_size"] == 3
    assert report["unmatched_members"] == [2]  # the child: no roster knows them
    income = next(r for r in report["rules"] if r["id"] == "E1")["evidence"]
    assert income["per_capita_monthly"] == "500.00"  # 1500 / 3, under the 1000 standard
    vehicle = next(r for r in report["rules"] if r["id"] == "E3")["evidence"]["vehicles"]
    assert vehicle == [
        {"member_index": 0, "source": "mps.vehicle", "record_id": "v1", "type": "car", "value": "85000"}
    ]


def test_the_check_fails_cleanly_when_matching_is_down(db_url: Callable[[str], str]) -> None:
    from tests.support import free_port

    intake_app = make_app(
        "intake", db_url("intake"), matching_url=f"http://127.0.0.1:{free_port()}", workers_enabled=False
    )
    with TestClient(intake_app) as intake:
        app_id = submit(intake, application())["id"]
        act(intake, app_id, "accept", on=day(0))
        act(intake, app_id, "investigate", on=day(1), investigators=["王调查", "赵调查"])
        act(intake, app_id, "request-check", on=day(2))
        response = intake.post(f"/v1/applications/{app_id}/economic-check", json={}, headers=CHECK_CENTRE)
        assert response.status_code == 503
        assert response.headers["content-type"].startswith("application/problem+json")
        assert (
            intake.get(f"/v1/applications/{app_id}", headers=CHECK_CENTRE).json()["status"]
            == "check_requested"
        )
