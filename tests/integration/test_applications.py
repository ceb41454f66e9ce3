"""Submitting, validating, reading and listing applications; township scoping; idempotency keys."""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient

from tests.intake_data import COUNTY, OTHER_TOWNSHIP, TOWNSHIP, application, make_id, member
from tests.matching_stub import Roster
from tests.support import auth

STAFF = auth("intake", "intake:read", "intake:write", division=TOWNSHIP)
OTHER = auth(
    "intake", "intake:read", "intake:write", "intake:decide", "intake:check", division=OTHER_TOWNSHIP
)
COUNTY_STAFF = auth("intake", "intake:read", division=COUNTY)


def post(
    client: TestClient, body: dict[str, Any], key: str | None = "key-1", headers: dict[str, str] = STAFF
) -> Any:
    extra = {"Idempotency-Key": key} if key is not None else {}
    return client.post("/v1/applications", json=body, headers={**headers, **extra})


def errors_by_field(response: Any) -> dict[str, str]:
    assert response.status_code == 422, response.text
    return {e["field"]: e["code"] for e in response.json()["errors"]}


def test_submission_is_stored_with_members_normalised_and_its_event(intake_app: TestClient) -> None:
    body = application()
    head_id = body["members"][0]["id_number"]
    body["members"][0]["id_number"] = (
        " "
        + head_id[:-1].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        + head_id[-1].lower()
    )
    response = post(intake_app, body)
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["location"] == f"/v1/applications/{created['id']}"
    assert created["members"][0]["id_number"] == head_id  # full-width, space, lower-case x cleaned
    assert created["members"][0]["sex"] == "1" and created["members"][0]["birth_date"] == "1980-01-01"
    assert created["applicant_index"] == 0 and created["precheck"]["status"] == "done"
    read = intake_app.get(f"/v1/applications/{created['id']}", headers=STAFF).json()
    assert read["declaration"]["income"][0]["monthly_amount"] == "1200.50"
    [event] = intake_app.get("/internal/events", headers=auth("intake", "events:read")).json()["events"]
    assert event["type"] == "cn.snx.intake.application.submitted"
    assert [m["id_number"] for m in event["data"]["members"]] == [m["id_number"] for m in read["members"]]


def test_precheck_answer_is_stored_and_returned(intake_app: TestClient, roster: Roster) -> None:
    body = application()
    roster.aided[body["members"][1]["id_number"]] = "tekun"
    created = post(intake_app, body).json()
    assert created["precheck"]["status"] == "done"
    result = created["precheck"]["result"]
    assert result["status"] == "hits"
    assert result["hits"] == [
        {
            "member_index": 1,
            "kind": "aided",
            "programme": "tekun",
            "source": "stub.roster",
            "division_code": None,
            "since": None,
            "reference": None,
        }
    ]


def test_every_field_error_is_named_in_both_languages(intake_app: TestClient) -> None:
    future = (date.today() + timedelta(days=5)).isoformat()
    twin = member("20", "20150303")
    body = application(
        division_code="110105001",
        members=[
            member("10"),  # nobody is 户主
            {**member("99"), "sex": "2"},  # sex contradicts the ID
            {**member("20"), "birth_date": "1999-01-01"},  # birth date contradicts the ID
            {**member("98"), "name": " "},  # no such relationship code, no name
            twin,
            dict(twin),  # the same person twice
        ],
        income=[{"kind": "wage", "monthly_amount": "-5"}, {"kind": "wage", "monthly_amount": "1.005"}],
        authorisation_signed_on=future,
    )
    errors = errors_by_field(post(intake_app, body))
    assert errors == {
        "members": "head_of_household",
        "members[1].sex": "sex_mismatch",
        "members[2].birth_date": "birth_date_mismatch",
        "members[3].relationship": "relationship_code",
        "members[3].name": "name_missing",
        "members[5].id_number": "member_twice",
        "income[0].monthly_amount": "money_negative",
        "income[1].monthly_amount": "money_precision",
        "authorisation_signed_on": "date_in_future",
    }
    zh = post(intake_app, body, headers={**STAFF, "Accept-Language": "zh-CN"}).json()
    assert "户主" in next(e["message"] for e in zh["errors"] if e["field"] == "members")
    assert intake_app.get("/v1/applications", headers=STAFF).json()["items"] == []


def test_a_mistyped_id_gets_the_one_repair_that_fits_birth_date_and_sex(intake_app: TestClient) -> None:
    good = make_id("19750607", male=False)
    typo = good[:10] + str((int(good[10]) + 1) % 10) + good[11:]  # one digit wrong in the birth date
    body = application(
        members=[
            {"name": "王芳", "id_number": typo, "relationship": "02", "birth_date": "1975-06-07", "sex": "2"}
        ]
    )
    response = post(intake_app, body)
    [error] = response.json()["errors"]
    assert error["field"] == "members[0].id_number" and error["code"] == "id_number_check"
    assert error["context"]["suggestion"] == good
    # Without birth date and sex to agree with, no single repair can be trusted: no suggestion.
    body["members"][0] = {"name": "王芳", "id_number": typo, "relationship": "02"}
    [error] = post(intake_app, body, key="key-2").json()["errors"]
    assert "context" not in error


def test_divisions_must_be_known_and_inside_the_callers_scope(intake_app: TestClient) -> None:
    assert errors_by_field(post(intake_app, application(division_code="110105999"))) == {
        "division_code": "division_unknown"
    }
    assert errors_by_field(post(intake_app, application(division_code=OTHER_TOWNSHIP))) == {
        "division_code": "division_out_of_scope"
    }
    assert errors_by_field(post(intake_app, application(division_code="11010"))) == {
        "division_code": "division_code_malformed"
    }


def test_idempotency_key_replays_refuses_a_different_body_and_is_per_client(intake_app: TestClient) -> None:
    body = application()
    first = post(intake_app, body)
    again = post(intake_app, body)
    assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    changed = post(intake_app, application())  # same key, different members
    assert changed.status_code == 422 and changed.json()["errors"][0]["field"] == "Idempotency-Key"
    # Another client with the same key gets its own application, never the first client's response.
    other_client = auth("intake", "intake:read", "intake:write", division=TOWNSHIP, subject="portal:b")
    theirs = intake_app.post(
        "/v1/applications", json=body, headers={**other_client, "Idempotency-Key": "key-1"}
    )
    assert theirs.status_code == 201 and theirs.json()["id"] != first.json()["id"]
    missing = post(intake_app, body, key=None)
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "Idempotency-Key"
    assert len(intake_app.get("/v1/applications", headers=COUNTY_STAFF).json()["items"]) == 2


def test_a_township_reads_nothing_of_another_township_whatever_id_it_tries(intake_app: TestClient) -> None:
    rng = random.Random(20261124)
    ours = [post(intake_app, application(), key=f"a{i}").json()["id"] for i in range(4)]
    writer_b = auth("intake", "intake:read", "intake:write", division=OTHER_TOWNSHIP)
    theirs = [
        post(intake_app, application(township=OTHER_TOWNSHIP), key=f"b{i}", headers=writer_b).json()["id"]
        for i in range(4)
    ]
    probes = (
        ours
        + [str(uuid.uuid4()) for _ in range(20)]
        + [i[:-1] + rng.choice("0123456789abcdef") for i in ours]
    )
    rng.shuffle(probes)
    for app_id in probes:
        for path in ("", "/history"):
            assert intake_app.get(f"/v1/applications/{app_id}{path}", headers=OTHER).status_code == 404
        for action, body in (("accept", {}), ("approve", {"amount": "1"}), ("withdraw", {})):
            response = intake_app.post(f"/v1/applications/{app_id}/{action}", json=body, headers=OTHER)
            assert response.status_code == 404, (action, response.text)
    listed = intake_app.get("/v1/applications", headers=OTHER, params={"limit": 500}).json()["items"]
    assert sorted(a["id"] for a in listed) == sorted(theirs)
    assert (
        intake_app.get("/v1/applications", headers=OTHER, params={"township": TOWNSHIP}).json()["items"] == []
    )
    # Nothing of ours was changed by the probes.
    assert {intake_app.get(f"/v1/applications/{i}", headers=STAFF).json()["status"] for i in ours} == {
        "submitted"
    }
    # The county sees both townships.
    assert len(intake_app.get("/v1/applications", headers=COUNTY_STAFF).json()["items"]) == 8


def test_lists_page_with_a_cursor_and_filter(intake_app: TestClient) -> None:
    ids = [
        post(intake_app, application("tekun" if i % 3 == 0 else "dibao_urban"), key=f"p{i}").json()["id"]
        for i in range(7)
    ]
    seen, cursor = [], None
    while True:
        page = intake_app.get(
            "/v1/applications", headers=STAFF, params={"limit": 3, **({"cursor": cursor} if cursor else {})}
        ).json()
        seen += [a["id"] for a in page["items"]]
        assert all("id_number" not in a and "*" in a["applicant"] for a in page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == ids
    tekun = intake_app.get("/v1/applications", headers=STAFF, params={"programme": "tekun"}).json()["items"]
    assert [a["id"] for a in tekun] == [ids[0], ids[3], ids[6]]
    bad = intake_app.get("/v1/applications", headers=STAFF, params={"cursor": "not-a-cursor"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "cursor"


def test_overdue_and_review_due_lists(intake_app: TestClient) -> None:
    today = date.today()
    late = post(intake_app, application(), key="late").json()["id"]
    intake_app.post(
        f"/v1/applications/{late}/accept",
        json={"on": (today - timedelta(days=20)).isoformat()},
        headers=STAFF,
    )
    fresh = post(intake_app, application(), key="fresh").json()["id"]
    intake_app.post(f"/v1/applications/{fresh}/accept", headers=STAFF)
    overdue = intake_app.get("/v1/applications", headers=STAFF, params={"overdue": "true"}).json()["items"]
    assert [a["id"] for a in overdue] == [late]
    assert overdue[0]["deadlines"]["step"] == "investigation" and overdue[0]["deadlines"]["overdue"] is True
    assert (
        intake_app.get("/v1/applications", headers=STAFF, params={"review_due": "true"}).json()["items"] == []
    )
