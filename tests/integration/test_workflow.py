"""Each programme's whole workflow over HTTP, on every backend: the legal route, its dates, its events."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient

from tests.intake_data import TOWNSHIP, application
from tests.support import auth

TOWNSHIP_STAFF = auth("intake", "intake:read", "intake:write", division=TOWNSHIP)
CHECK_CENTRE = auth("intake", "intake:read", "intake:check", division="110105")
COUNTY = auth("intake", "intake:read", "intake:decide", division="110105")
FEED = auth("intake", "events:read")
TODAY = date.today()


def day(n: int) -> str:
    """A date n days after the acceptance, which was 45 days ago."""
    return (TODAY - timedelta(days=45) + timedelta(days=n)).isoformat()


def submit(client: TestClient, body: dict[str, Any], key: str = "k") -> dict[str, Any]:
    response = client.post("/v1/applications", json=body, headers={**TOWNSHIP_STAFF, "Idempotency-Key": key})
    assert response.status_code == 201, response.text
    return response.json()


def act(
    client: TestClient,
    app_id: str,
    action: str,
    headers: dict[str, str] = TOWNSHIP_STAFF,
    status: int = 200,
    **body: Any,
) -> dict[str, Any]:
    response = client.post(f"/v1/applications/{app_id}/{action}", json=body, headers=headers)
    assert response.status_code == status, response.text
    return response.json()


def events(client: TestClient, app_id: str) -> list[dict[str, Any]]:
    feed = client.get("/internal/events", params={"limit": 1000}, headers=FEED).json()["events"]
    return [e for e in feed if e["subject"] == f"application/{app_id}"]


def through_opinion(client: TestClient, app_id: str, recommendation: str = "approve") -> None:
    act(client, app_id, "accept", on=day(0))
    act(client, app_id, "investigate", on=day(1), investigators=["王调查", "赵调查"], findings="属实")
    act(client, app_id, "request-check", on=day(2))
    act(client, app_id, "report-check", CHECK_CENTRE, on=day(4), report_ref="HD-2026-001", outcome="meets")
    opinion: dict[str, Any] = {"recommendation": recommendation, "on": day(5)}
    if recommendation == "approve":
        opinion["proposed_amount"] = "800.00"
    act(client, app_id, "give-opinion", **opinion)


def test_dibao_returned_objected_approved_reviewed_and_stopped(intake_app: TestClient) -> None:
    created = submit(intake_app, application("dibao_urban"))
    app_id = created["id"]
    assert created["status"] == "submitted" and "accept" in created["allowed_actions"]

    returned = act(intake_app, app_id, "return", missing_items=["户口簿复印件", "收入证明"])
    assert returned["status"] == "returned" and returned["missing_items"] == ["户口簿复印件", "收入证明"]
    act(intake_app, app_id, "resubmit")
    through_opinion(intake_app, app_id)

    noticed = act(intake_app, app_id, "publish-notice", on=day(6), start_on=day(6))
    assert noticed["status"] == "in_notice" and noticed["notice_end_on"] == day(12)
    act(intake_app, app_id, "object", on=day(8), summary="有邻居反映家中有经营收入")
    # 低保: 民主评议 settles the objection and the file goes to the county.
    resolved = act(
        intake_app, app_id, "resolve-objection", on=day(10), outcome="dismissed", minutes="评议通过"
    )
    assert resolved["status"] == "awaiting_decision" and resolved["deadlines"]["step"] == "decision"

    approved = act(intake_app, app_id, "approve", COUNTY, on=day(14), amount="800.00", method="difference")
    assert approved["status"] == "active" and approved["amount"] == "800.00"
    # Irregular income and working-age adults: reviewed every 6 months from the month after approval.
    assert approved["review_cycle_months"] == 6
    assert approved["effective_month"] == (
        date.fromisoformat(day(14)).replace(day=28) + timedelta(days=7)
    ).strftime("%Y-%m")
    assert approved["deadlines"] == {
        "step": None,
        "step_due_on": None,
        "process_due_on": None,
        "overdue": False,
    }

    reviewed = act(intake_app, app_id, "review", on=day(40), outcome="decrease", new_amount="600.00")
    assert reviewed["amount"] == "600.00" and reviewed["status"] == "active"
    # A review that stops the aid is a decision: the township alone may not.
    act(intake_app, app_id, "review", status=403, on=day(44), outcome="stop")
    both = auth("intake", "intake:read", "intake:write", "intake:decide", division=TOWNSHIP)
    stopped = act(intake_app, app_id, "review", both, on=day(44), outcome="stop", reason="收入超标")
    assert stopped["status"] == "exited" and stopped["allowed_actions"] == []

    kinds = [e["type"].removeprefix("cn.snx.intake.") for e in events(intake_app, app_id)]
    assert kinds[0] == "application.submitted"
    assert kinds.count("application.status_changed") == 13
    assert [k for k in kinds if not k.startswith("application.status")] == [
        "application.submitted",
        "application.decided",
        "assistance.started",
        "assistance.changed",
        "assistance.reviewed",
        "assistance.stopped",
    ]
    history = intake_app.get(f"/v1/applications/{app_id}/history", headers=TOWNSHIP_STAFF).json()
    assert [h["action"] for h in history][:3] == ["submit", "return", "resubmit"]
    approve = next(h for h in history if h["action"] == "approve")
    assert (
        approve["actor"] == "test:user"
        and approve["on"] == day(14)
        and approve["details"]["amount"] == "800.00"
    )


def test_tekun_notices_again_after_an_objection_and_gives_notice_before_termination(
    intake_app: TestClient,
) -> None:
    body = application(
        "tekun", members=[{"name": "刘老汉", "id_number": "11010519491231002X", "relationship": "02"}]
    )
    body["income"], body["property"] = [], []
    app_id = submit(intake_app, body)["id"]
    through_opinion(intake_app, app_id)
    act(intake_app, app_id, "publish-notice", on=day(6))
    act(intake_app, app_id, "object", on=day(7), summary="有赡养人")
    again = act(intake_app, app_id, "resolve-objection", on=day(9), outcome="dismissed")
    assert again["status"] == "opinion_given"  # 特困: the notice is published again
    second = act(intake_app, app_id, "publish-notice", on=day(10))
    assert second["notice_rounds"] == 2 and second["notice_end_on"] == day(16)
    act(intake_app, app_id, "close-notice", status=409, on=day(16))  # the notice has not ended yet
    act(intake_app, app_id, "close-notice", on=day(17))
    active = act(intake_app, app_id, "approve", COUNTY, on=day(18), amount="1500.00")
    assert active["review_cycle_months"] == 12

    noticed = act(intake_app, app_id, "stop", COUNTY, on=day(30), reason="other")
    assert noticed["status"] == "termination_notice"
    act(intake_app, app_id, "stop", COUNTY, status=409, on=day(33), reason="other")  # 7 days' notice first
    exited = act(intake_app, app_id, "stop", COUNTY, on=day(37), reason="other")
    assert exited["status"] == "exited"
    assert events(intake_app, app_id)[-1]["type"] == "cn.snx.intake.assistance.stopped"


def test_a_refusal_skips_the_notice_and_is_denied_with_reasons(intake_app: TestClient) -> None:
    app_id = submit(intake_app, application("dibao_rural", area_type="rural"))["id"]
    through_opinion(intake_app, app_id, recommendation="deny")
    act(intake_app, app_id, "publish-notice", status=409, on=day(6))  # a refusal is not published
    referred = act(intake_app, app_id, "refer", on=day(6))
    assert referred["status"] == "awaiting_decision"
    denied = act(intake_app, app_id, "deny", COUNTY, on=day(8), reasons=["家庭人均收入高于当地低保标准"])
    assert denied["status"] == "denied" and denied["decided_on"] == day(8)
    decided = [e for e in events(intake_app, app_id) if e["type"].endswith("application.decided")]
    assert decided[0]["data"]["decision"] == "denied"
    assert not any(e["type"].endswith("assistance.started") for e in events(intake_app, app_id))


def test_emergency_aid_is_paid_first_and_documented_after(intake_app: TestClient) -> None:
    body = application("linshi_urgent", reason="火灾")
    del body["authorisation_signed_on"]  # 急难型: the authorisation may follow
    app_id = submit(intake_app, body)["id"]
    paid = act(intake_app, app_id, "pay-first", amount="2000", reason="住房失火")
    assert paid["status"] == "paid_first" and paid["amount"] == "2000.00"
    done = act(intake_app, app_id, "complete-documents", note="补齐材料")
    assert done["status"] == "paid" and done["allowed_actions"] == []
    started = [e for e in events(intake_app, app_id) if e["type"].endswith("assistance.started")]
    assert started[0]["data"]["one_off"] is True and started[0]["data"]["paid_first"] is True


def test_expense_aid_and_near_poor_follow_the_full_procedure(intake_app: TestClient) -> None:
    expense = submit(intake_app, application("linshi_expense", reason="大病医疗支出"), key="a")["id"]
    edge = submit(intake_app, application("dibao_edge"), key="b")["id"]
    for app_id in (expense, edge):
        through_opinion(intake_app, app_id)
        act(intake_app, app_id, "publish-notice", on=day(6))
        act(intake_app, app_id, "close-notice", on=day(13))
    one_off = act(intake_app, expense, "approve", COUNTY, on=day(14), amount="5000")
    assert (
        one_off["status"] == "paid"
        and one_off["next_review_on"] is None
        and one_off["payment_method"] == "one_off"
    )
    monthly = act(intake_app, edge, "approve", COUNTY, on=day(14), amount="300", method="tiered")
    assert monthly["status"] == "active" and monthly["next_review_on"] is not None


def test_an_illegal_transition_names_the_state_and_the_allowed_moves(intake_app: TestClient) -> None:
    app_id = submit(intake_app, application())["id"]
    response = intake_app.post(
        f"/v1/applications/{app_id}/approve",
        json={"amount": "800"},
        headers={**COUNTY, "Accept-Language": "zh-CN"},
    )
    assert response.status_code == 409
    problem = response.json()
    assert problem["status"] == 409 and problem["current_status"] == "submitted"
    assert problem["allowed_actions"] == ["accept", "return", "withdraw"]
    assert (
        "submitted" in problem["detail"] and "accept" in problem["detail"] and "不能执行" in problem["detail"]
    )
    assert (
        intake_app.get(f"/v1/applications/{app_id}", headers=TOWNSHIP_STAFF).json()["status"] == "submitted"
    )


def test_action_facts_are_checked_field_by_field(intake_app: TestClient) -> None:
    app_id = submit(intake_app, application())["id"]
    act(intake_app, app_id, "accept", on=day(0))
    one = intake_app.post(
        f"/v1/applications/{app_id}/investigate",
        json={"investigators": ["王调查", "王调查"]},
        headers=TOWNSHIP_STAFF,
    )
    assert one.status_code == 422 and one.json()["errors"][0]["field"] == "investigators"
    missing = intake_app.post(f"/v1/applications/{app_id}/investigate", headers=TOWNSHIP_STAFF)
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "investigators"
    future = (TODAY + timedelta(days=3)).isoformat()
    late = intake_app.post(
        f"/v1/applications/{app_id}/investigate",
        json={"investigators": ["甲", "乙"], "on": future},
        headers=TOWNSHIP_STAFF,
    )
    assert late.status_code == 422 and late.json()["errors"][0]["code"] == "date_in_future"


def approved_long_ago(client: TestClient) -> dict[str, Any]:
    """A 特困 application for one person, approved some 400 days ago: its review is due."""
    body = application(
        "tekun", members=[{"name": "孙大爷", "id_number": "11010519491231002X", "relationship": "02"}]
    )
    app_id = submit(client, body)["id"]
    long_ago = lambda n: (TODAY - timedelta(days=420) + timedelta(days=n)).isoformat()  # noqa: E731
    act(client, app_id, "accept", on=long_ago(0))
    act(client, app_id, "investigate", on=long_ago(1), investigators=["甲", "乙"])
    act(client, app_id, "request-check", on=long_ago(2))
    act(client, app_id, "report-check", CHECK_CENTRE, on=long_ago(3), report_ref="R", outcome="meets")
    act(client, app_id, "give-opinion", on=long_ago(4), recommendation="approve", proposed_amount="1200")
    act(client, app_id, "publish-notice", on=long_ago(5))
    act(client, app_id, "close-notice", on=long_ago(12))
    return act(client, app_id, "approve", COUNTY, on=long_ago(13), amount="1200")


def test_active_aid_whose_review_is_due_is_listed_and_a_review_moves_the_date(intake_app: TestClient) -> None:
    approved = approved_long_ago(intake_app)
    app_id = approved["id"]
    assert date.fromisoformat(approved["next_review_on"]) <= TODAY  # 特困: a year after the first month
    due = intake_app.get("/v1/applications", params={"review_due": "true"}, headers=TOWNSHIP_STAFF).json()
    assert [a["id"] for a in due["items"]] == [app_id]
    reviewed = act(intake_app, app_id, "review", outcome="unchanged")
    assert date.fromisoformat(reviewed["next_review_on"]) > TODAY
    assert (
        intake_app.get("/v1/applications", params={"review_due": "true"}, headers=TOWNSHIP_STAFF).json()[
            "items"
        ]
        == []
    )


def test_the_county_may_extend_a_case_to_45_working_days(intake_app: TestClient) -> None:
    app_id = submit(intake_app, application())["id"]
    accepted = act(intake_app, app_id, "accept", on=day(0))
    act(intake_app, app_id, "extend", status=403, reason="需补充调查")  # the township may not
    extended = act(intake_app, app_id, "extend", COUNTY, on=day(1), reason="需补充调查")
    assert extended["status"] == "accepted"
    assert extended["deadlines"]["step_due_on"] == accepted["deadlines"]["step_due_on"]
    assert extended["deadlines"]["process_due_on"] > accepted["deadlines"]["process_due_on"]


def test_an_absurd_amount_is_a_named_field_error_not_a_crash(intake_app: TestClient) -> None:
    """Found by the R6 fuzz: 1E+30 made quantize fail with a 500."""
    app_id = submit(intake_app, application("dibao_urban"))["id"]
    through = intake_app.post(
        f"/v1/applications/{app_id}/accept", json={"on": day(0)}, headers=TOWNSHIP_STAFF
    )
    assert through.status_code == 200
    for amount in ("1E+30", "NaN", "Infinity"):
        response = intake_app.post(
            f"/v1/applications/{app_id}/give-opinion",
            content=f'{{"recommendation": "approve", "proposed_amount": "{amount}", "on": "{day(5)}"}}',
            headers={**TOWNSHIP_STAFF, "Content-Type": "application/json"},
        )
        assert response.status_code == 422, (amount, response.text)
        assert response.json()["errors"][0]["field"] == "proposed_amount"
