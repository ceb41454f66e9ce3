"""Findings from rosters, reviewers' decisions, and decisions that every later run keeps."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from services.matching.adapters.repository import PersonRepository
from services.matching.service.findings import check_changed, recheck_all
from services.matching.service.identity import rerun
from tests.intake_data import make_id
from tests.matching_data import person, persons_of, resolve, send
from tests.support import auth

REVIEW = auth("matching", "matching:review", subject="county:reviewer-1")


def run_rules(client: TestClient) -> Any:
    app: Any = client.app
    return check_changed(app.state.db, app.state.rules)


def test_a_duplicate_is_found_decided_and_the_decision_survives_a_full_rerun(matching: TestClient) -> None:
    pid = make_id("19560101")
    send(
        matching,
        "mca.dibao",
        [person("d1", "周国强", pid, programme="dibao", division_code="110105", household_ref="h1")],
    )
    send(matching, "mca.tekun", [person("t1", "周国强", pid, programme="tekun", division_code="110105")])
    send(
        matching,
        "mca.other",
        [person("x1", "吴敏", make_id("19700101"), programme="dibao", household_ref="h2")],
    )
    resolve(matching)
    counts = run_rules(matching)
    assert counts.raised >= 1
    page = matching.get("/v1/findings", params={"rule": "D1"}, headers=REVIEW).json()
    assert page["total"] == 1
    [finding] = page["items"]
    assert finding["status"] == "open" and finding["kind"] == "duplicate" and finding["severity"] == "high"
    assert {r["record_id"] for r in finding["records"]} == {"d1", "t1"}
    assert finding["description"]["zh"].startswith("同一人")

    decided = matching.post(
        f"/v1/findings/{finding['id']}/decision",
        json={"decision": "confirm", "reason": "两地核实属实"},
        headers=REVIEW,
    )
    assert decided.status_code == 200 and decided.json()["status"] == "confirmed"
    assert decided.json()["reviewer"] == "county:reviewer-1"
    again = matching.post(
        f"/v1/findings/{finding['id']}/decision",
        json={"decision": "dismiss", "reason": "改判"},
        headers=REVIEW,
    )
    assert again.status_code == 409

    app: Any = matching.app
    rerun(app.state.db, app.state.index)
    recheck_all(app.state.db, app.state.rules)
    after = matching.get("/v1/findings", params={"rule": "D1"}, headers=REVIEW).json()
    assert after["total"] == 1 and after["items"][0]["status"] == "confirmed"
    assert after["items"][0]["id"] == finding["id"]


def test_a_finding_whose_situation_ends_is_resolved(matching: TestClient) -> None:
    pid = make_id("19560101")
    send(matching, "mca.dibao", [person("d1", "周国强", pid, programme="dibao")])
    send(matching, "mca.tekun", [person("t1", "周国强", pid, programme="tekun")])
    resolve(matching)
    run_rules(matching)
    send(matching, "mca.tekun", [{"op": "delete", "record_id": "t1"}], "changes")  # 特困 ended
    resolve(matching)
    assert run_rules(matching).resolved == 1
    assert matching.get("/v1/findings", params={"status": "resolved"}, headers=REVIEW).json()["total"] == 1


def test_different_people_keeps_two_records_apart_in_every_later_run(matching: TestClient) -> None:
    """A false merge (same name, birth date, no ID on one side) is undone and stays undone."""
    send(
        matching,
        "mca.dibao",
        [
            person(
                "a1",
                "李秀英",
                make_id("19650303", male=False),
                "1965-03-03",
                sex="女",
                division_code="110105001",
            )
        ],
    )
    send(
        matching,
        "nhsa.medical",
        [person("m1", "李秀英", None, "1965-03-03", sex="女", division_code="110105001")],
    )
    resolve(matching)
    persons = persons_of(matching)
    original = persons[("mca.dibao", "a1")]
    assert persons[("nhsa.medical", "m1")] == original  # the engine linked them
    decision = {
        "a": {"source": "nhsa.medical", "record_id": "m1"},
        "b": {"source": "mca.dibao", "record_id": "a1"},
        "decision": "different_people",
        "reason": "入户核实为同名同生日的两个人",
    }
    response = matching.post("/v1/review/pairs/decision", json=decision, headers=REVIEW)
    assert response.status_code == 200, response.text
    assert response.json()["together"] is False
    persons = persons_of(matching)
    kept = persons[("mca.dibao", "a1")]
    assert persons[("nhsa.medical", "m1")] != kept

    app: Any = matching.app
    rerun(app.state.db, app.state.index)  # a full batch run
    persons = persons_of(matching)
    assert persons[("nhsa.medical", "m1")] != persons[("mca.dibao", "a1")] == kept

    # real time: the same record sent again, changed, is resolved incrementally — still apart
    send(
        matching,
        "nhsa.medical",
        [person("m1", "李秀英", None, "1965-03-03", sex="女", division_code="110105001", address="新地址")],
    )
    resolve(matching)
    persons = persons_of(matching)
    assert persons[("nhsa.medical", "m1")] != persons[("mca.dibao", "a1")]
    with app.state.db.unit_of_work() as uow:
        events = PersonRepository(uow.session).history(original)
    split = [e for e in events if e.action == "split"]
    assert split and split[0].decided_by == "reviewer:county:reviewer-1"
    assert split[0].evidence["reason"] == "入户核实为同名同生日的两个人"


def test_same_person_merges_two_persons_and_refuses_two_valid_ids(matching: TestClient) -> None:
    send(matching, "mca.dibao", [person("a1", "马丽", None, "1980-01-01", division_code="110105001")])
    send(matching, "mohrss.pension", [person("p1", "马莉", None, "1981-01-01", division_code="110106001")])
    resolve(matching)
    persons = persons_of(matching)
    assert persons[("mca.dibao", "a1")] != persons[("mohrss.pension", "p1")]
    decision = {
        "a": {"source": "mca.dibao", "record_id": "a1"},
        "b": {"source": "mohrss.pension", "record_id": "p1"},
        "decision": "same_person",
        "reason": "户籍核实为同一人，出生年份录错",
    }
    assert (
        matching.post("/v1/review/pairs/decision", json=decision, headers=REVIEW).json()["together"] is True
    )
    app: Any = matching.app
    rerun(app.state.db, app.state.index)
    persons = persons_of(matching)
    assert persons[("mca.dibao", "a1")] == persons[("mohrss.pension", "p1")]

    send(matching, "mca.x", [person("v1", "甲", make_id()), person("v2", "甲", make_id())])
    two_ids = {
        **decision,
        "a": {"source": "mca.x", "record_id": "v1"},
        "b": {"source": "mca.x", "record_id": "v2"},
    }
    assert matching.post("/v1/review/pairs/decision", json=two_ids, headers=REVIEW).status_code == 409


def test_review_needs_the_review_scope(matching: TestClient) -> None:
    other = auth("matching", "matching:precheck")
    assert matching.get("/v1/findings", headers=other).status_code == 403
    assert matching.get("/v1/review/pairs", headers=other).status_code == 403
    assert matching.get("/v1/findings").status_code == 401


def test_snx_match_recheck_runs_identities_and_rules_in_full_and_keeps_decisions(
    matching: TestClient, db_url: Any
) -> None:
    import os
    import subprocess
    import sys

    pid = make_id("19560101")
    send(matching, "mca.dibao", [person("d1", "周国强", pid, programme="dibao")])
    send(matching, "mca.tekun", [person("t1", "周国强", pid, programme="tekun")])
    app: Any = matching.app
    env = {**os.environ, "MATCHING_DATABASE_URL": str(app.state.db.url.render_as_string(hide_password=False))}
    command = [sys.executable, "-m", "shared.cli", "match", "recheck", "--identities"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "1 findings raised" in done.stderr and "2 records, 1 persons" in done.stderr
    [finding] = matching.get("/v1/findings", headers=REVIEW).json()["items"]
    matching.post(
        f"/v1/findings/{finding['id']}/decision",
        json={"decision": "dismiss", "reason": "已核实"},
        headers=REVIEW,
    )
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert "0 findings raised" in again.stderr
    assert matching.get(f"/v1/findings/{finding['id']}", headers=REVIEW).json()["status"] == "dismissed"


def test_a_decided_finding_follows_its_person_into_a_merge(matching: TestClient) -> None:
    pid = make_id("19500101")
    same = {"sex": "男", "division_code": "110105001"}
    send(matching, "mca.a", [person(f"x{i}", "王大山", pid, "1950-01-01", **same) for i in range(3)])
    send(matching, "mca.dibao", [person("d1", "王大山", None, "1950-10-01", programme="dibao", **same)])
    send(matching, "mca.tekun", [person("t1", "王大山", None, "1950-10-01", programme="tekun", **same)])
    resolve(matching)
    persons = persons_of(matching)
    kept, small = persons[("mca.a", "x0")], persons[("mca.dibao", "d1")]
    assert small == persons[("mca.tekun", "t1")] != kept
    run_rules(matching)
    [finding] = matching.get("/v1/findings", params={"rule": "D1"}, headers=REVIEW).json()["items"]
    assert finding["persons"] == [small]
    matching.post(
        f"/v1/findings/{finding['id']}/decision",
        json={"decision": "confirm", "reason": "属实"},
        headers=REVIEW,
    )

    decision = {
        "a": {"source": "mca.dibao", "record_id": "d1"},
        "b": {"source": "mca.a", "record_id": "x0"},
        "decision": "same_person",
        "reason": "出生日期月日录反，户籍核实为同一人",
    }
    assert (
        matching.post("/v1/review/pairs/decision", json=decision, headers=REVIEW).json()["together"] is True
    )
    assert persons_of(matching)[("mca.tekun", "t1")] == kept  # the larger person's id stays
    run_rules(matching)
    page = matching.get("/v1/findings", params={"rule": "D1"}, headers=REVIEW).json()
    assert page["total"] == 1
    assert (page["items"][0]["id"], page["items"][0]["status"], page["items"][0]["persons"]) == (
        finding["id"], "confirmed", [kept],
    )  # fmt: skip


def test_a_roster_of_hundreds_is_resolved_in_batches_on_every_backend(matching: TestClient) -> None:
    """Found by ``make demo``: a batch of 500 pending records once made one SQL condition too deep
    for SQLite (an OR of a thousand pairs); lookups by (source, record id) now go in slices."""
    records = [
        person(f"r{k}", "王" + "明伟芳娜敏静丽强"[k % 8] + str(k), make_id(f"19{50 + k % 40}0101"))
        for k in range(600)
    ]
    send(matching, "nhsa.medical", records)
    assert resolve(matching) == 600
    assert len(set(persons_of(matching).values())) == 600
