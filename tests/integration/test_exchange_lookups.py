"""Lookups through exchange against a real matching server: the minimum each scope allows, a
purpose required, every read audited in a hash chain that finds any tampering (R4, R7)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from services.exchange.service.audit import verify_chain
from shared.cli import main as snx
from tests.intake_data import make_id
from tests.integration.test_exchange_clients import ADMIN, bearer, make_client
from tests.integration.test_exchange_rosters import stack  # noqa: F401 - the fixture
from tests.integration.test_matching_review import run_rules
from tests.matching_data import person, resolve, send

PID, OTHER = make_id("19580808", area="330106"), make_id("19600101", area="330106")
GROUPS = {
    "identity": "person_id",
    "contact": "contact",
    "aid": "aid",
    "income": "amount",
    "findings": "findings",
}
ADDRESS = "浙江省杭州市西湖区文新街道12号"


@pytest.fixture
def roster(stack: tuple[TestClient, TestClient]) -> Iterator[TestClient]:  # noqa: F811
    exchange, matching = stack
    aid = {
        "division_code": "330106001",
        "household_ref": "h1",
        "start_date": "2023-05-01",
        "amount": "612.00",
    }
    dibao = person("d1", "孙立新", PID, "1958-08-08", programme="dibao_urban", address=ADDRESS, **aid)
    send(matching, "mca.dibao", [dibao])
    also = person("t2", "孙立新", PID, "1958-08-08", programme="tekun", **{**aid, "household_ref": "h2"})
    also["attributes"] = {"联系电话": "13800001234"}
    send(matching, "mca.tekun", [person("t1", "钱某", OTHER, "1960-01-01", programme="tekun", **aid), also])
    resolve(matching)
    run_rules(matching)  # 孙立新 in 低保 and 特困 at once: finding D1
    yield exchange


def ask(exchange: TestClient, scopes: list[str], **body: Any) -> Any:
    client = bearer(exchange, make_client(exchange, scopes=["lookup", *scopes], sources=[]))
    payload = {
        "purpose": "低保复核",
        "queries": [{"id_number": PID}, {"name": "无此人", "birth_date": "1990-01-01"}],
    }
    return exchange.post("/v1/lookups", json={**payload, **body}, headers={**client, "X-End-User": "clerk-7"})


def test_by_default_only_enrolled_yes_or_no_for_the_programmes_in_scope(roster: TestClient) -> None:
    response = ask(roster, ["programme:dibao", "programme:dibao_edge"])
    assert response.status_code == 200, response.text
    found, missing = response.json()["answers"]
    assert found == {"index": 0, "found": True, "enrolled": {"dibao": True, "dibao_edge": False}}
    assert missing == {"index": 1, "found": False, "enrolled": {"dibao": False, "dibao_edge": False}}
    tekun_blind = ask(roster, ["programme:dibao"], queries=[{"id_number": OTHER}]).json()["answers"][0]
    assert tekun_blind == {"index": 0, "found": True, "enrolled": {"dibao": False}}  # 特困 not in scope


@pytest.mark.parametrize("group", list(GROUPS))
def test_a_field_group_appears_exactly_when_the_scope_allows_it(roster: TestClient, group: str) -> None:
    others = [g for g in ("identity", "aid") if g != group]
    without = ask(roster, ["programme:dibao", *[f"fields:{g}" for g in others]]).json()["answers"][0]
    assert GROUPS[group] not in str(without.keys()) + str(without.get("aid", ""))
    granted = ["programme:dibao", f"fields:{group}", *(["fields:aid"] if group == "income" else [])]
    with_it = ask(roster, granted).json()["answers"][0]
    if group == "identity":
        assert with_it["person_id"]
    elif group == "contact":
        assert with_it["contact"] == {
            "address": ADDRESS,
            "address_source": "mca.dibao",
            "phone": "13800001234",
            "phone_source": "mca.tekun",
        }
        assert ask(roster, granted).json()["answers"][1]["contact"] is None  # not found
    elif group == "aid":
        assert [(a["programme"], a["since"], a["source"]) for a in with_it["aid"]] == [
            ("dibao_urban", "2023-05-01", "mca.dibao")
        ]
        assert "amount" not in with_it["aid"][0]
    elif group == "income":
        assert with_it["aid"][0]["amount"] == "612.00"
    else:
        assert [(f["rule"], f["status"]) for f in with_it["findings"]] == [("D1", "open")]
        assert "evidence" not in with_it["findings"][0]


def test_a_purpose_is_required_and_bad_queries_name_their_field(roster: TestClient) -> None:
    no_purpose = ask(roster, ["programme:dibao"], purpose="")
    assert no_purpose.status_code == 400 and no_purpose.json()["errors"][0]["field"] == "purpose"
    half = ask(roster, ["programme:dibao"], queries=[{"name": "孙立新"}])
    assert half.status_code == 422 and half.json()["errors"][0]["field"].startswith("queries[0]")
    assert ask(roster, ["programme:dibao"], purpose=None).status_code == 400
    client = bearer(roster, make_client(roster, scopes=["programme:dibao"], sources=[]))
    assert (
        roster.post(
            "/v1/lookups", json={"purpose": "x1", "queries": [{"id_number": PID}]}, headers=client
        ).status_code
        == 403
    )


def test_n_reads_make_n_chained_audit_records_and_tampering_is_found_at_its_place(roster: TestClient) -> None:
    for _ in range(3):
        assert ask(roster, ["programme:dibao"]).status_code == 200  # 2 queries each
    db = roster.app.state.db  # type: ignore[attr-defined]
    with db.unit_of_work() as uow:
        checked, broken = verify_chain(uow.session)
        rows = uow.session.execute(
            text("SELECT seq, person, purpose, end_user, fields FROM ex_audit ORDER BY seq")
        ).all()
    assert (checked, broken) == (6, None)
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5, 6]
    assert {(r.purpose, r.end_user) for r in rows} == {("低保复核", "clerk-7")}
    assert rows[0].person.startswith("P") and rows[1].person.startswith("query:")
    assert snx(["audit", "verify", "--database-url", db.url.render_as_string(hide_password=False)]) == 0

    report = roster.get(f"/v1/audit/persons/{rows[0].person}", headers=ADMIN).json()
    assert [r["seq"] for r in report["reads"]] == [5, 3, 1] and report["reads"][0]["end_user"] == "clerk-7"

    with db.engine.begin() as conn:  # someone with the database's keys edits record 4
        if db.dialect == "postgresql":
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")  # past the trigger
        conn.execute(text("UPDATE ex_audit SET purpose = 'curiosity' WHERE seq = 4"))
    with db.unit_of_work() as uow:
        _, broken = verify_chain(uow.session)
    assert broken is not None and (broken.seq, broken.reason) == (4, "altered")
    assert snx(["audit", "verify", "--database-url", db.url.render_as_string(hide_password=False)]) == 1

    with db.engine.begin() as conn:  # …puts it back, and deletes record 2 instead
        if db.dialect == "postgresql":
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        conn.execute(text("UPDATE ex_audit SET purpose = '低保复核' WHERE seq = 4"))
        conn.execute(text("DELETE FROM ex_audit WHERE seq = 2"))
    with db.unit_of_work() as uow:
        _, broken = verify_chain(uow.session)
    assert broken is not None and (broken.seq, broken.reason) == (2, "missing")


def test_on_postgresql_the_service_cannot_change_or_delete_audit_records(roster: TestClient) -> None:
    db = roster.app.state.db  # type: ignore[attr-defined]
    if db.dialect != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's")
    assert ask(roster, ["programme:dibao"]).status_code == 200
    for statement in ("UPDATE ex_audit SET purpose = 'x'", "DELETE FROM ex_audit", "TRUNCATE ex_audit"):
        with pytest.raises(Exception, match="append-only"), db.engine.begin() as conn:
            conn.execute(text(statement))


def test_a_request_id_follows_a_lookup_into_matching(
    roster: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    """Observability: the request id a department sends is the one in matching's log lines for
    the calls that answer it."""
    client = bearer(
        roster, make_client(roster, scopes=["lookup", "programme:dibao", "fields:findings"], sources=[])
    )
    response = roster.post(
        "/v1/lookups",
        json={"purpose": "低保复核", "queries": [{"id_number": PID}]},
        headers={**client, "X-Request-ID": "trace-7f3a"},
    )
    assert response.status_code == 200 and response.headers["x-request-id"] == "trace-7f3a"
    assert caplog.records, "no log lines captured"
    lines = [r.getMessage() for r in caplog.records if "http.request" in r.getMessage()]
    matching_calls = [line for line in lines if "/v1/checks" in line or "/v1/findings" in line]
    assert len(matching_calls) >= 2 and all("trace-7f3a" in line for line in matching_calls)
