"""Rosters: snapshots replace, changes upsert and delete, re-sending changes nothing, every
rejected line is reported with its field; records become persons."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.intake_data import make_id
from tests.matching_data import ROSTERS, ndjson, person, persons_of, resolve, send

SOURCE = "mca.dibao"


def test_a_snapshot_stores_records_and_a_second_one_ends_what_it_lacks(matching: TestClient) -> None:
    a, b, c = make_id("19600101"), make_id("19700202"), make_id("19800303")
    first = [
        person("r1", "张三", a, "1960-01-01", programme="dibao", status="active", start_date="2024-01-01"),
        person("r2", "李四", b, "1970-02-02", programme="dibao", amount="650.5"),
        person("r3", "王五", c, "1980-03-03", programme="dibao"),
    ]
    body = send(matching, SOURCE, first)
    assert (body["status"], body["received"], body["inserted"], body["rejected"]) == ("done", 3, 3, 0)

    again = send(matching, SOURCE, first)
    assert (again["inserted"], again["updated"], again["unchanged"], again["ended"]) == (0, 0, 3, 0)

    second = [first[0], {**first[1], "amount": "700"}]  # r3 left the roster, r2's amount changed
    body = send(matching, SOURCE, second)
    assert (body["unchanged"], body["updated"], body["ended"]) == (1, 1, 1)
    assert send(matching, SOURCE, second)["ended"] == 0  # re-sent: nothing more ends


def test_changes_upsert_and_delete_and_are_idempotent(matching: TestClient) -> None:
    send(matching, SOURCE, [person("r1", "张三", make_id()), person("r2", "李四", make_id())])
    changes = [
        {"op": "upsert", "record": person("r3", "王五", make_id())},
        {"op": "delete", "record_id": "r1"},
        {"op": "upsert", "record": person("r2", "李四", None, "1970-01-01")},
    ]
    body = send(matching, SOURCE, changes, mode="changes")
    assert (body["inserted"], body["updated"], body["ended"], body["rejected"]) == (1, 1, 1, 0)
    body = send(matching, SOURCE, changes, mode="changes")
    assert (body["inserted"], body["updated"], body["unchanged"], body["ended"]) == (0, 0, 2, 0)


def test_every_rejected_line_is_reported_with_its_field_and_the_rest_is_kept(matching: TestClient) -> None:
    lines = [
        person("ok1", "张三", make_id()),
        {"name": "无编号"},
        person("bad-date", "李四", None, start_date="2024-13-01"),
        person("bad-division", "王五", None, division_code="11010"),
        person("other", "赵六", None, source="mohrss.pension"),
        person("ok1", "张三重复", None),
        person("bad-amount", "钱七", None, amount="-5"),
    ]
    raw = ndjson(lines) + b"{not json\n\n"
    response = matching.post(
        f"/internal/rosters/{SOURCE}/snapshot",
        content=raw,
        headers={**ROSTERS, "Content-Type": "application/x-ndjson"},
    )
    body = response.json()
    assert response.status_code == 201
    assert (body["received"], body["inserted"], body["rejected"]) == (8, 1, 7)
    found = {(r["line"], r["field"], r["code"]) for r in body["rejections"]}
    assert found == {
        (2, "record_id", "required"),
        (3, "start_date", "bad_date"),
        (4, "division_code", "bad_division_code"),
        (5, "source", "other_source"),
        (6, "record_id", "duplicate"),
        (7, "amount", "bad_amount"),
        (8, "record", "not_json_object"),
    }
    assert all(r["message"]["zh"] and r["message"]["en"] for r in body["rejections"])
    status = matching.get(f"/internal/rosters/uploads/{body['id']}", headers=ROSTERS).json()
    assert status["rejected"] == 7 and len(status["rejections"]) == 7


def test_roster_routes_need_the_roster_scope_and_ndjson(matching: TestClient) -> None:
    from tests.support import auth

    other = auth("matching", "matching:precheck")
    assert (
        matching.post(f"/internal/rosters/{SOURCE}/snapshot", content=b"", headers=other).status_code == 403
    )
    wrong_type = {**ROSTERS, "Content-Type": "application/json"}
    response = matching.post(f"/internal/rosters/{SOURCE}/snapshot", content=b"[]", headers=wrong_type)
    assert response.status_code == 415
    bad_source = {**ROSTERS, "Content-Type": "application/x-ndjson"}
    assert (
        matching.post("/internal/rosters/Not A Code/snapshot", content=b"", headers=bad_source).status_code
        == 400
    )
    assert (
        matching.post("/internal/rosters/intake.apps/snapshot", content=b"", headers=bad_source).status_code
        == 400
    )


def test_records_become_persons_and_a_dirty_id_joins_its_person(matching: TestClient) -> None:
    clean = make_id("19550505")
    typo = clean[:10] + str((int(clean[10]) + 1) % 10) + clean[11:]  # one digit mistyped
    send(matching, SOURCE, [person("d1", "陈建国", clean, "1955-05-05", sex="男")])
    send(matching, "cdpf.disability", [person("c1", "陳建國", typo, "19550505", sex="1")])
    send(matching, "mohrss.pension", [person("p1", "刘芳", make_id("19900101", male=False), "1990-01-01")])
    assert resolve(matching) == 3
    persons = persons_of(matching)
    assert persons[(SOURCE, "d1")] == persons[("cdpf.disability", "c1")]
    assert persons[("mohrss.pension", "p1")] != persons[(SOURCE, "d1")]
    assert resolve(matching) == 0


def test_a_snapshot_without_one_valid_record_ends_nothing(matching: TestClient) -> None:
    """An empty file, or one whose every line is rejected (a wrong export), is not a roster: the
    records already there stay."""
    send(matching, "mca.dibao", [person("r1", "黄河", make_id("19700707"), programme="dibao")])
    for body in ([], [{"record_id": "x1"}]):
        upload = send(matching, "mca.dibao", body)
        assert upload["status"] == "failed" and upload["ended"] == 0
    assert persons_of(matching).keys() >= {("mca.dibao", "r1")}
    app: Any = matching.app
    with app.state.db.unit_of_work() as uow:
        from services.matching.adapters.orm import Record

        [record] = uow.session.query(Record).filter_by(source="mca.dibao").all()
        assert record.active
