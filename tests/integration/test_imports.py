"""Bulk import: good rows kept, every bad row reported (row, field, reason, both languages), and a
re-import adds nothing — through the HTTP API and the real import worker, on every backend."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook

from services.intake.domain.import_values import COLUMNS
from services.intake.service.imports import run_next_import
from tests.intake_data import TOWNSHIP, make_id
from tests.support import auth

STAFF = auth("intake", "intake:read", "intake:write", division=TOWNSHIP, subject="portal:jianwai")
HEADER = [c.zh for c in COLUMNS]


def row(ref: str, name: str, id_number: str, relationship: str, **extra: str) -> list[str]:
    values = {
        "source_ref": ref,
        "programme": "城市低保",
        "division_code": TOWNSHIP,
        "area_type": "城镇",
        "authorisation_signed_on": "2026-01-05",
        "name": name,
        "id_number": id_number,
        "relationship": relationship,
    } | extra
    return [values.get(c.field, "") for c in COLUMNS]


def sheet() -> tuple[list[list[str]], dict[str, Any]]:
    """Four applications: two good, one with a bad member row, one with a bad household value."""
    typo = make_id("19700101")
    typo = typo[:5] + str((int(typo[5]) + 1) % 10) + typo[6:]
    rows = [
        HEADER,
        row(
            "G-1", "张三明", make_id("19800101"), "户主", monthly_income="1200.50", income_irregular="是"
        ),  # 2
        row("G-1", "李四红", make_id("19820202", male=False), "配偶"),  # 3
        row("B-1", "王大山", make_id("19750505"), "户主"),  # 4
        row("B-1", "王小山", typo, "子"),  # 5: check character wrong
        row("B-1", "王二山", make_id("19790101"), "子", birth_date="1979-13-45"),  # 6: not a date
        row(
            "G-2", "赵老汉", make_id("19450303"), "户主", disability_category="肢体", disability_grade="二级"
        ),  # 7
        row(
            "B-2", "钱多多", make_id("19900909"), "户主", programme="不存在的项目", monthly_income="abc"
        ),  # 8
    ]
    return rows, {"good": {"G-1", "G-2"}}


def as_csv(rows: list[list[str]], encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def upload(
    client: TestClient, content: bytes, filename: str, content_type: str = "text/csv"
) -> dict[str, Any]:
    response = client.post(
        "/v1/imports",
        params={"filename": filename},
        content=content,
        headers={**STAFF, "Content-Type": content_type},
    )
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "queued"
    app = client.app
    assert run_next_import(app.state.db, app.state.intake) == 1  # type: ignore[attr-defined]
    return client.get(f"/v1/imports/{response.json()['id']}", headers=STAFF).json()


def report(client: TestClient, job: dict[str, Any]) -> list[list[str]]:
    response = client.get(job["report"], headers=STAFF)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_good_rows_are_kept_bad_rows_reported_and_a_reimport_adds_nothing(intake_app: TestClient) -> None:
    rows, _ = sheet()
    job = upload(intake_app, as_csv(rows), "townships.csv")
    assert job["status"] == "done" and job["rows_read"] == 7
    assert (job["applications_created"], job["applications_rejected"], job["applications_skipped"]) == (
        2,
        2,
        0,
    )
    assert job["error_rows"] == 4  # rows 4, 5, 6 and 8

    lines = report(intake_app, job)
    assert lines[0][:5] == [
        "行号 row",
        "申请编号 application_ref",
        "字段 field",
        "列名 column",
        "错误代码 code",
    ]
    found = {(r[0], r[2], r[4]) for r in lines[1:]}
    assert found == {
        ("5", "id_number", "id_number_check"),
        ("6", "birth_date", "date_invalid"),
        ("4", "", "application_rejected"),  # its own row is fine, but its application is not imported
        ("8", "programme", "value_unknown"),
        ("8", "monthly_income", "money_invalid"),
    }
    bad_date = next(r for r in lines[1:] if r[4] == "date_invalid")
    assert bad_date[3] == "出生日期" and "日期" in bad_date[5] and "date" in bad_date[6]

    listed = intake_app.get("/v1/applications", headers=STAFF).json()["items"]
    assert sorted(a["source_ref"] for a in listed) == ["G-1", "G-2"]
    g1 = next(a for a in listed if a["source_ref"] == "G-1")
    detail = intake_app.get(f"/v1/applications/{g1['id']}", headers=STAFF).json()
    assert [m["relationship"] for m in detail["members"]] == ["02", "10"]
    assert detail["declaration"]["income"] == [
        {"kind": "wage", "monthly_amount": "1200.50", "member_index": 0, "irregular": True}
    ]
    feed = intake_app.get("/internal/events", headers=auth("intake", "events:read")).json()["events"]
    assert sum(e["type"] == "cn.snx.intake.application.submitted" for e in feed) == 2

    again = upload(intake_app, as_csv(rows), "townships.csv")
    assert (again["applications_created"], again["applications_skipped"], again["applications_rejected"]) == (
        0,
        2,
        2,
    )
    assert len(intake_app.get("/v1/applications", headers=STAFF).json()["items"]) == 2


def test_xlsx_and_gb18030_read_like_the_csv(intake_app: TestClient) -> None:
    rows, _ = sheet()
    book = Workbook()
    ws = book.active
    for r in rows:
        ws.append([int(v) if v.isdigit() and len(v) < 12 else v for v in r])  # numbers as Excel keeps them
    buf = io.BytesIO()
    book.save(buf)
    xlsx = upload(
        intake_app,
        buf.getvalue(),
        "townships.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    assert (xlsx["applications_created"], xlsx["applications_rejected"], xlsx["error_rows"]) == (2, 2, 4)
    renamed = [r[:1] + r[1:] for r in rows]
    renamed[1][0] = renamed[2][0] = "G-9"  # a new reference: imported again from a GB18030 file
    gbk = upload(intake_app, as_csv(renamed[:3], "gb18030"), "gbk.csv")
    assert gbk["applications_created"] == 1 and gbk["error_rows"] == 0


def test_a_file_that_is_not_the_template_is_refused_at_upload(intake_app: TestClient) -> None:
    no_id = as_csv([[h for h in HEADER if h != "身份证号码"], ["x"]])
    response = intake_app.post(
        "/v1/imports",
        params={"filename": "a.csv"},
        content=no_id,
        headers={**STAFF, "Content-Type": "text/csv", "Accept-Language": "zh-CN"},
    )
    assert response.status_code == 422 and "身份证号码" in response.json()["detail"]
    pdf = intake_app.post(
        "/v1/imports",
        params={"filename": "a.pdf"},
        content=b"%PDF-1.4",
        headers={**STAFF, "Content-Type": "application/pdf"},
    )
    assert pdf.status_code == 415
    template = intake_app.get("/v1/imports/template.csv")
    assert template.status_code == 200 and "申请编号" in template.text


def test_a_job_whose_worker_died_is_resumed_without_duplicates(
    intake_app: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from services.intake.service import imports

    rows, _ = sheet()
    response = intake_app.post(
        "/v1/imports",
        params={"filename": "a.csv"},
        content=as_csv(rows),
        headers={**STAFF, "Content-Type": "text/csv"},
    )
    job_id = response.json()["id"]
    app = intake_app.app
    db, ctx = app.state.db, app.state.intake  # type: ignore[attr-defined]
    monkeypatch.setattr(imports, "CHUNK", 1)  # one application per transaction
    real_store, calls = imports._store, []

    def dies_on_the_third_chunk(*args: Any) -> Any:
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt  # the worker process is killed: nothing after this runs
        return real_store(*args)

    monkeypatch.setattr(imports, "_store", dies_on_the_third_chunk)
    with pytest.raises(KeyboardInterrupt):
        imports.run_next_import(db, ctx)
    assert intake_app.get(f"/v1/imports/{job_id}", headers=STAFF).json()["status"] == "running"
    assert imports.run_next_import(db, ctx) == 0  # its lease has not run out: nobody takes it yet

    monkeypatch.setattr(imports, "_store", real_store)
    with db.unit_of_work() as uow:  # the lease runs out
        imports.ImportRepository(uow.session).update(job_id, lease_until=imports.utcnow())
    assert imports.run_next_import(db, ctx) == 1
    job = intake_app.get(f"/v1/imports/{job_id}", headers=STAFF).json()
    assert job["status"] == "done"
    assert (job["applications_created"], job["applications_skipped"], job["applications_rejected"]) == (
        2,
        0,
        2,
    )
    listed = intake_app.get("/v1/applications", headers=STAFF).json()["items"]
    assert sorted(a["source_ref"] for a in listed) == ["G-1", "G-2"]
    assert len(report(intake_app, job)) == 1 + 5  # the report was written afresh, once
