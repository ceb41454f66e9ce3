"""Real-time checks against the person index: intake's pre-check contract and /v1/checks, fed by
rosters and by intake's own feed."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from services.matching.service.intake_events import HANDLERS
from shared.contracts.precheck import SCOPE_PRECHECK
from shared.events.consumer import FeedConsumer
from tests.intake_data import TOWNSHIP, application, make_id
from tests.matching_data import person, resolve, send
from tests.support import auth

CHECK = auth("matching", "matching:check")
PRECHECK = auth("matching", SCOPE_PRECHECK)


def typo(id_number: str) -> str:
    """The same ID with two neighbouring digits swapped (a typing slip that fails the check)."""
    return id_number[:12] + id_number[13] + id_number[12] + id_number[14:]


def test_a_mistyped_id_finds_the_person_their_aid_and_the_conflict_a_new_application_would_create(
    matching: TestClient,
) -> None:
    pid = make_id("19580808", area="330106")
    assert typo(pid) != pid
    aid = {"programme": "dibao", "division_code": "330106001", "household_ref": "h1"}
    send(matching, "mca.dibao", [person("d1", "孙立新", pid, "1958-08-08", start_date="2023-05-01", **aid)])
    resolve(matching)
    body = {
        "members": [{"name": "孙立新", "id_number": typo(pid), "birth_date": "1958年8月8日"}],
        "programme": "dibao_urban",
        "division_code": "110105001",
    }
    response = matching.post("/v1/checks", json=body, headers=CHECK)
    assert response.status_code == 200, response.text
    result = response.json()
    [member] = result["members"]
    [match] = [m for m in member["matches"] if m["linked"]]
    assert {e["code"] for e in match["evidence"]} >= {"id_repaired", "name_exact"}
    assert [(a["programme"], a["source"], a["since"]) for a in member["aid"]] == [
        ("dibao", "mca.dibao", "2023-05-01")
    ]
    assert [c["rule"] for c in result["conflicts"]] == ["D2"]  # 低保 in two counties
    assert result["conflicts"][0]["description"]["zh"]

    tekun = matching.post("/v1/checks", json={**body, "programme": "tekun"}, headers=CHECK).json()
    assert [c["rule"] for c in tekun["conflicts"]] == ["D1"]
    nothing = matching.post("/v1/checks", json={**body, "programme": "linshi_urgent"}, headers=CHECK).json()
    assert nothing["conflicts"] == []

    stranger = {"members": [{"name": "钱多多", "id_number": make_id("19900101")}], "programme": "dibao"}
    clear = matching.post("/v1/checks", json=stranger, headers=CHECK).json()
    assert clear["members"][0]["matches"] == [] and clear["conflicts"] == []


def test_check_input_errors_name_the_field(matching: TestClient) -> None:
    bad = matching.post("/v1/checks", json={"members": [], "division_code": "12"}, headers=CHECK)
    assert bad.status_code == 422
    fields = {e["field"] for e in bad.json()["errors"]}
    assert {"members", "division_code"} <= fields
    assert (
        matching.post("/v1/checks", json={"members": [{"name": "甲"}]}, headers=PRECHECK).status_code == 403
    )


def test_the_precheck_reports_roster_aid_and_applications_from_intakes_feed(
    matching: TestClient, intake: TestClient
) -> None:
    staff = auth("intake", "intake:read", "intake:write", division=TOWNSHIP)
    first = application()
    created = intake.post("/v1/applications", json=first, headers={**staff, "Idempotency-Key": "a1"})
    assert created.status_code == 201, created.text
    app: Any = matching.app
    intake.headers.update(auth("intake", "events:read"))
    consumer = FeedConsumer("intake", app.state.db, intake, HANDLERS)
    assert consumer.drain() >= 1
    resolve(matching)

    member = first["members"][0]
    send(matching, "mca.dibao", [person("d9", member["name"], member["id_number"], programme="dibao")])
    resolve(matching)
    request = {
        "application_id": "another-application",
        "programme": "dibao_urban",
        "division_code": TOWNSHIP,
        "members": [{"index": 0, "id_number": member["id_number"], "name": member["name"]}],
    }
    response = matching.post("/internal/precheck", json=request, headers=PRECHECK)
    assert response.status_code == 200, response.text
    hits = {(h["kind"], h["source"], h["reference"]) for h in response.json()["hits"]}
    assert hits == {("aided", "mca.dibao", "d9"), ("applying", "intake", created.json()["id"])}

    own = {**request, "application_id": created.json()["id"]}
    hits = {
        (h["kind"], h["source"])
        for h in matching.post("/internal/precheck", json=own, headers=PRECHECK).json()["hits"]
    }
    assert hits == {("aided", "mca.dibao")}  # never reported against itself


def test_checks_see_roster_changes_once_the_index_refreshes_on_every_backend(matching: TestClient) -> None:
    """Checks read memory only; a refresh (the index worker's, or another replica's change) brings
    ended aid, new records not resolved yet and changed aid from the database."""
    import time

    app: Any = matching.app
    index = app.state.index
    river, stream = make_id("19700707"), make_id("19710101")
    send(matching, "mca.dibao", [person("r1", "黄河", river, programme="dibao", household_ref="h1")])
    resolve(matching)
    index.current()  # loaded

    def aid(id_number: str) -> list[tuple[str, str, str]]:
        body = {"members": [{"name": "某某", "id_number": id_number}]}
        [member] = matching.post("/v1/checks", json=body, headers=CHECK).json()["members"]
        return [(m["via"], a["record_id"], a["programme"]) for m in member["matches"] for a in m["aid"]]

    assert aid(river) == [("index", "r1", "dibao")]
    send(matching, "mca.dibao", [person("r2", "长江", stream, programme="tekun")])  # r1 ends; r2 is new
    time.sleep(0.01)
    for _ in range(3):  # refreshes apply each changed record once, whatever the backend's datetimes
        index.refresh()
    assert aid(river) == []
    assert aid(stream) == [("id_number", "r2", "tekun")]  # found by its ID before it is resolved
    send(matching, "mca.dibao", [person("r2", "长江", stream, programme="dibao")])
    resolve(matching)
    index.refresh()
    assert aid(stream) == [("index", "r2", "dibao")]


def test_a_check_never_waits_for_a_second_connection(db_url: Any) -> None:
    """With one pooled connection, a household check answers: the request's own connection is all
    it uses. (A refresh of the index inside the request path once waited for a second connection
    while the request held the first: under load every pooled connection was held that way.)"""
    import time

    from tests.conftest import make_app

    with TestClient(
        make_app("matching", db_url("matching"), workers_enabled=False, db_pool_size=1)
    ) as client:
        send(client, "mca.dibao", [person("r1", "黄河", make_id("19700707"), programme="dibao")])
        resolve(client)
        time.sleep(1.1)  # what used to make the next query refresh
        body = {"members": [{"name": "黄河"}, {"name": "长江"}], "programme": "dibao"}
        started = time.monotonic()
        response = client.post("/v1/checks", json=body, headers=CHECK)
        assert response.status_code == 200 and time.monotonic() - started < 5
