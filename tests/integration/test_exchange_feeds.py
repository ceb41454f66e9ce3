"""The findings feed: matching's findings reach the departments they concern, through exchange's
consumer of matching's feed; a consumer that stops and resumes gets every event once, and a
skipped page shows as a gap (``prevseq``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from fastapi.testclient import TestClient

from services.exchange.service.feeds import HANDLERS
from shared.events.consumer import FeedConsumer
from tests.conftest import make_app
from tests.intake_data import make_id
from tests.integration.test_exchange_clients import bearer, make_client
from tests.integration.test_matching_review import REVIEW, run_rules
from tests.matching_data import person, resolve, send
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
