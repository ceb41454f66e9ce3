"""The findings feed: matching's findings reach the departments they concern, through exchange's
consumer of matching's feed; a consumer that stops and resumes gets every event once, and a
skipped page shows as a gap (``prevseq``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from services.exchange.service.feeds import HANDLERS
from shared.events.consumer import FeedConsumer
from tests.conftest import make_app
from tests.intake_data import make_id
from tests.integration.test_exchange_clients import ADMIN, bearer, make_client
from tests.integration.test_exchange_rosters import EDU
from tests.integration.test_matching_review import REVIEW, run_rules
from tests.matching_data import person, persons_of, resolve, send
from tests.support import auth


def duplicate(matching: TestClient, n: int) -> None:
    """Person n in 低保 and 特困 at once (rule D1)."""
    pid = make_id("19560101", area="330106")[:14] + f"{n:03d}" if False else make_id(f"1956{n:02d}01")
    send(
        matching,
        f"mca.dibao{n}",
        [person(f"d{n}", "周国强", pid, programme="dibao", division_code="330106001")],
    )
    send(
        matching,
        f"mca.tekun{n}",
        [person(f"t{n}", "周国强", pid, programme="tekun", division_code="330106001")],
    )
    resolve(matching)
    assert run_rules(matching).raised >= 1


def test_findings_reach_the_departments_they_concern_once_and_gaps_show(db_url: Callable[[str], str]) -> None:
    matching_app = make_app("matching", db_url("matching"), workers_enabled=False)
    with (
        TestClient(matching_app) as matching,
        TestClient(make_app("exchange", db_url("exchange"))) as exchange,
    ):
        matching.headers.update(auth("matching", "events:read"))
        consumer = FeedConsumer("matching", exchange.app.state.db, matching, HANDLERS)  # type: ignore[attr-defined]
        dibao = bearer(
            exchange, make_client(exchange, scopes=["feeds:findings", "programme:dibao"], sources=[])
        )
        pension = bearer(
            exchange, make_client(exchange, scopes=["feeds:findings", "programme:pension"], sources=[])
        )

        def page(who: dict[str, str], after: int, limit: int = 100) -> Any:
            response = exchange.get(
                "/v1/feeds/findings", params={"after": after, "limit": limit}, headers=who
            )
            assert response.status_code == 200, response.text
            return response.json()

        for n in (1, 2, 3):
            duplicate(matching, n)
        assert consumer.drain() >= 3
        first = page(dibao, 0, limit=2)
        assert len(first["events"]) == 2 and first["has_more"]
        assert [e["prevseq"] for e in first["events"]] == [0, first["events"][0]["seq"]]
        assert all(
            e["type"] == "cn.snx.exchange.finding.raised" and e["specversion"] == "1.0"
            for e in first["events"]
        )
        assert page(pension, 0)["events"] == []  # not its programme

        duplicate(matching, 4)  # the consumer is away meanwhile
        finding = matching.get("/v1/findings", params={"rule": "D1"}, headers=REVIEW).json()["items"][0]
        decided = matching.post(
            f"/v1/findings/{finding['id']}/decision",
            json={"decision": "confirm", "reason": "核实"},
            headers=REVIEW,
        )
        assert decided.status_code == 200
        consumer.drain()
        assert consumer.drain() == 0  # exchange took each of matching's events once

        seen = [e["id"] for e in first["events"]]
        cursor, last = first["next_after"], first["events"][-1]["seq"]
        while True:  # resume from the cursor: every event once, each following the one before
            more = page(dibao, cursor, limit=2)
            for e in more["events"]:
                assert e["prevseq"] == last
                seen.append(e["id"])
                last = e["seq"]
            cursor = more["next_after"]
            if not more["has_more"]:
                break
        assert len(seen) == len(set(seen)) == 5  # four raised, one confirmed
        types = [e["type"].rsplit(".", 1)[1] for e in page(dibao, 0)["events"]]
        assert types.count("raised") == 4 and types.count("confirmed") == 1

        everything = page(dibao, 0)["events"]
        exported = exchange.get("/v1/feeds/findings/export", headers=dibao)  # bulk, NDJSON
        assert exported.headers["content-type"].startswith("application/x-ndjson")
        assert [orjson.loads(line)["id"] for line in exported.content.splitlines()] == [
            e["id"] for e in everything
        ]
        assert exchange.get("/v1/feeds/findings/export", headers=pension).content == b""
        later = exchange.get(
            "/v1/feeds/findings/export", params={"_since": everything[3]["time"]}, headers=dibao
        )
        ids = [orjson.loads(line)["id"] for line in later.content.splitlines()]
        assert ids[-2:] == [everything[3]["id"], everything[4]["id"]] and everything[0]["id"] not in ids

        skipped = page(dibao, everything[2]["seq"])["events"][0]  # a consumer that lost event 2's page
        assert skipped["prevseq"] == everything[2]["seq"] != everything[1]["seq"]
        assert page(dibao, everything[1]["seq"])["events"][0]["prevseq"] == everything[1]["seq"]


class Stack:
    """matching and exchange apps, exchange's consumer of matching's feed, and feed readers."""

    def __init__(self, matching: TestClient, exchange: TestClient) -> None:
        self.matching, self.exchange = matching, exchange
        self.consumer = FeedConsumer("matching", exchange.app.state.db, matching, HANDLERS)  # type: ignore[attr-defined]

    def settle(self) -> None:
        """Resolve what matching received, run the rules, let exchange take matching's events."""
        resolve(self.matching)
        run_rules(self.matching)
        self.consumer.drain()

    def reader(self, scopes: list[str], sources: list[str] | None = None, department: str = "hrss") -> Any:
        if department == "edu":
            assert self.exchange.post("/v1/admin/departments", json=EDU, headers=ADMIN).status_code in (
                201,
                409,
            )
        made = make_client(self.exchange, department_code=department, scopes=scopes, sources=sources or [])
        return bearer(self.exchange, made)

    def events(self, feed: str, who: dict[str, str], after: int = 0) -> list[dict[str, Any]]:
        response = self.exchange.get(f"/v1/feeds/{feed}", params={"after": after}, headers=who)
        assert response.status_code == 200, response.text
        events: list[dict[str, Any]] = response.json()["events"]
        return events


@pytest.fixture
def stack(db_url: Callable[[str], str]) -> Iterator[Stack]:
    matching_app = make_app("matching", db_url("matching"), workers_enabled=False)
    with (
        TestClient(matching_app) as matching,
        TestClient(make_app("exchange", db_url("exchange"), workers_enabled=False)) as exchange,
    ):
        matching.headers.update(auth("matching", "events:read"))
        yield Stack(matching, exchange)


def test_the_enrolments_feed_says_who_started_and_stopped_which_aid_within_the_scopes(stack: Stack) -> None:
    pid, elsewhere = make_id("19580301"), make_id("19620501")
    here = "330106001"
    dibao = person("e1", "陈秀英", pid, programme="dibao_urban", status="active", start_date="2024-01-01")
    dibao.update(amount="720.00", division_code=here)
    far = person("e2", "马建华", elsewhere, programme="dibao_rural", division_code="110105001")
    send(stack.matching, "mca.dibao", [dibao, far])
    pension = person("p1", "陈秀英", pid, programme="pension", status="active", division_code=here)
    send(stack.matching, "hrss.pension", [pension])
    stack.settle()

    minimal = stack.reader(["feeds:enrolments", "programme:dibao"])
    wide = stack.reader(
        ["feeds:enrolments", "programme:*", "fields:identity", "fields:aid", "fields:income"],
        sources=["hrss.pension"],
    )
    first = stack.events("enrolments", minimal)  # the 110105 record is outside hrss's division
    assert [e["data"] for e in first] == [
        {"change": "started", "programme": "dibao_urban", "division_code": here}
    ]
    assert first[0]["type"] == "cn.snx.exchange.enrolment.started" and first[0]["subject"] is None
    full = {e["data"]["programme"]: e["data"] for e in stack.events("enrolments", wide)}
    assert set(full) == {"dibao_urban", "pension"}
    assert full["dibao_urban"]["person_id"] == full["pension"]["person_id"]
    assert full["dibao_urban"] | {"person_id": None} == {
        "change": "started",
        "programme": "dibao_urban",
        "division_code": here,
        "person_id": None,
        "status": "active",
        "start_date": "2024-01-01",
        "end_date": None,
        "source": "mca.dibao",
        "amount": "720.00",
    }  # no record id: mca's record is not hrss's
    assert full["pension"]["record_id"] == "p1"  # its own record
    assert stack.events("enrolments", stack.reader(["feeds:enrolments", "programme:tekun"])) == []
    refused = stack.exchange.get(
        "/v1/feeds/enrolments", headers=stack.reader(["feeds:findings", "programme:*"])
    )
    assert refused.status_code == 403

    send(stack.matching, "mca.dibao", [dibao, far])  # the same roster again: nothing changed
    stack.settle()
    assert len(stack.events("enrolments", minimal)) == 1
    ended = {**dibao, "status": "terminated", "end_date": "2026-10-31"}
    send(stack.matching, "mca.dibao", [ended, far])
    send(stack.matching, "hrss.pension", [person("p2", "林海", make_id("19700101"), programme="pension")])
    stack.settle()  # p1 is not in hrss's new snapshot: ended
    after = first[0]["seq"]
    stopped = stack.events("enrolments", minimal, after=after)
    assert [(e["data"]["change"], e["prevseq"]) for e in stopped] == [("stopped", after)]
    changes = [(e["data"]["programme"], e["data"]["change"]) for e in stack.events("enrolments", wide)]
    assert changes.count(("pension", "stopped")) == 1 and changes.count(("dibao_urban", "stopped")) == 1
    assert changes.count(("pension", "started")) == 1  # not p2: no division, so outside hrss's
    exported = stack.exchange.get("/v1/feeds/enrolments/export", headers=minimal).content.splitlines()
    assert [orjson.loads(line)["data"]["change"] for line in exported] == ["started", "stopped"]


def test_the_persons_feed_tells_a_department_when_a_person_it_holds_changes(stack: Stack) -> None:
    pid = make_id("19660707")
    send(stack.matching, "mca.dibao", [person("d1", "王芳", pid, programme="dibao", division_code="330106")])
    send(stack.matching, "hrss.pension", [person("h1", "李明", make_id("19500505"), programme="pension")])
    send(stack.matching, "hrss.care", [person("c1", "王芳", None, "1966-07-08", programme="care")])
    stack.settle()
    persons = persons_of(stack.matching)
    assert persons[("hrss.pension", "h1")] != persons[("mca.dibao", "d1")] != persons[("hrss.care", "c1")]
    hrss = stack.reader(["feeds:persons", "fields:identity"], sources=["hrss.pension"])
    assert stack.events("persons", hrss) == []  # first links are not changes

    # hrss corrects its record: it is 王芳 after all → it moves to her person
    send(stack.matching, "hrss.pension", [person("h1", "王芳", pid, programme="pension")])
    stack.settle()
    reviewer = {**REVIEW, "Content-Type": "application/json"}
    decided = stack.matching.post(  # and a reviewer decides the care record is her too
        "/v1/review/pairs/decision",
        content=orjson.dumps(
            {
                "a": {"source": "mca.dibao", "record_id": "d1"},
                "b": {"source": "hrss.care", "record_id": "c1"},
                "decision": "same_person",
                "reason": "同一人，出生日期录入错误",
            }
        ),
        headers=reviewer,
    )
    assert decided.status_code == 200, decided.text
    stack.settle()
    her = persons_of(stack.matching)[("mca.dibao", "d1")]
    events = stack.events("persons", hrss)
    moved, merged = (e["data"] for e in events)
    assert [e["type"] for e in events] == ["cn.snx.exchange.person.linked", "cn.snx.exchange.person.merged"]
    assert moved["person_id"] == her and moved["other_person_id"] == persons[("hrss.pension", "h1")]
    assert moved["records"] == [["hrss.pension", "h1"]]
    assert merged["person_id"] == her and merged["merged"] == [persons[("hrss.care", "c1")]]
    assert sorted(merged["records"]) == [["hrss.care", "c1"], ["hrss.pension", "h1"]]  # not mca's
    assert "reason" not in orjson.dumps(events).decode()  # the reviewer's words stay in matching

    other = stack.reader(["feeds:persons", "fields:identity"], department="edu")
    assert stack.events("persons", other) == []  # holds none of these records
    no_identity = stack.reader(["feeds:persons"])
    assert stack.exchange.get("/v1/feeds/persons", headers=no_identity).status_code == 403


def test_a_findings_reader_without_identity_gets_no_person_ids(stack: Stack) -> None:
    duplicate(stack.matching, 7)
    stack.consumer.drain()
    bare = stack.events("findings", stack.reader(["feeds:findings", "programme:dibao"]))
    named = stack.events("findings", stack.reader(["feeds:findings", "programme:dibao", "fields:identity"]))
    assert bare and all("persons" not in e["data"] and "households" not in e["data"] for e in bare)
    assert [len(e["data"]["persons"]) for e in named] == [1] * len(named)


def test_an_enrolment_change_two_replicas_see_at_once_is_published_once(matching: TestClient) -> None:
    """The second replica's view of the record is stale (not yet published); its conditional
    update finds the flag already set and publishes nothing."""
    from sqlalchemy import func, select

    from services.matching.adapters.orm import Record
    from services.matching.service import enrolments
    from shared.events.models import OutboxEvent

    send(matching, "mca.dibao", [person("e9", "冯秀兰", make_id("19480808"), programme="dibao_urban")])
    resolve(matching)
    db = matching.app.state.db  # type: ignore[attr-defined]
    with db.unit_of_work() as uow:
        stale = uow.session.scalars(select(Record)).one()
        uow.session.expunge(stale)
    assert stale.aid_published is None
    run_rules(matching)  # the first replica publishes "started"
    with db.unit_of_work() as uow:
        assert enrolments.publish(uow.session, [(stale, True)]) == 0  # the second: nothing left
    with db.unit_of_work() as uow:
        started = (
            select(func.count())
            .select_from(OutboxEvent)
            .where(OutboxEvent.type.endswith("enrolment.started"))
        )
        assert uow.session.scalar(started) == 1
