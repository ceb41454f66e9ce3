"""The duplicate the product exists to catch, through real processes: a township submits a household
one of whose members is already on another county's 低保 roster under a mistyped ID; the pre-check
names it; the county approves; the rules raise the finding; a reviewer confirms it; a full re-run
(identities and rules) keeps the decision."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import httpx

from shared.contracts.rosters import NDJSON, SCOPE_ROSTERS
from tests.e2e.conftest import Stack
from tests.intake_data import TOWNSHIP, application
from tests.matching_data import ndjson, person
from tests.support import auth

TOWNSHIP_STAFF = auth("intake", "intake:read", "intake:write", division=TOWNSHIP)
CHECK_CENTRE = auth("intake", "intake:read", "intake:check", division="110105")
COUNTY = auth("intake", "intake:read", "intake:decide", division="110105")
REVIEWER = auth("matching", "matching:review", subject="county:reviewer-7")


def eventually(what: str, probe: Callable[[], Any], timeout: float = 45) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := probe():
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def mistyped(id_number: str) -> str:
    """One digit of the sequence number typed wrong: the check character no longer fits."""
    wrong = id_number[:15] + str((int(id_number[15]) + 1) % 10) + id_number[16:]
    assert wrong != id_number
    return wrong


def day(n: int) -> str:
    return (date.today() - timedelta(days=45) + timedelta(days=n)).isoformat()


def test_a_duplicate_under_a_mistyped_id_is_caught_decided_and_the_decision_survives_a_rerun(
    stack: Stack,
) -> None:
    intake, matching = stack.urls["intake"], stack.urls["matching"]
    body = application()
    member = body["members"][1]
    roster = [
        person("HZ-0001", member["name"], mistyped(member["id_number"]), "1982/2/2",
               programme="dibao", status="active", division_code="330106001", start_date="2024-01-01"),
    ]  # fmt: skip
    published = httpx.post(
        f"{matching}/internal/rosters/mca.dibao.330106/snapshot",
        content=ndjson(roster),
        headers={**auth("matching", SCOPE_ROSTERS), "Content-Type": NDJSON},
        timeout=30,
    )
    assert published.status_code == 201, published.text

    def roster_known() -> bool:
        answer = httpx.post(
            f"{matching}/v1/checks",
            json={"members": [{"name": member["name"], "id_number": member["id_number"]}]},
            headers=auth("matching", "matching:check"),
            timeout=30,
        ).json()
        return bool(answer["members"][0]["aid"])

    eventually("the roster record to be resolved", roster_known)

    submitted = httpx.post(
        f"{intake}/v1/applications",
        json=body,
        headers={**TOWNSHIP_STAFF, "Idempotency-Key": "e2e-dup-1"},
        timeout=30,
    )
    assert submitted.status_code == 201, submitted.text
    app_id = submitted.json()["id"]

    def prechecked() -> Any:
        app = httpx.get(f"{intake}/v1/applications/{app_id}", headers=TOWNSHIP_STAFF).json()
        return app["precheck"] if app["precheck"]["status"] != "pending" else None

    precheck = eventually("the pre-check", prechecked)
    assert precheck["result"]["status"] == "hits"
    [hit] = precheck["result"]["hits"]
    assert (hit["member_index"], hit["kind"], hit["programme"], hit["source"], hit["reference"]) == (
        1, "aided", "dibao", "mca.dibao.330106", "HZ-0001",
    )  # fmt: skip

    def act(action: str, headers: dict[str, str], **facts: Any) -> None:
        r = httpx.post(f"{intake}/v1/applications/{app_id}/{action}", json=facts, headers=headers, timeout=30)
        assert r.status_code == 200, r.text

    act("accept", TOWNSHIP_STAFF, on=day(0))
    act("investigate", TOWNSHIP_STAFF, on=day(1), investigators=["王调查", "赵调查"])
    act("request-check", TOWNSHIP_STAFF, on=day(2))
    act("report-check", CHECK_CENTRE, on=day(4), report_ref="HD-E2E-1", outcome="meets")
    act("give-opinion", TOWNSHIP_STAFF, on=day(5), recommendation="approve", proposed_amount="800.00")
    act("publish-notice", TOWNSHIP_STAFF, on=day(6))
    act("close-notice", TOWNSHIP_STAFF, on=day(13))
    act("approve", COUNTY, on=day(14), amount="800.00", method="difference")

    def duplicate_finding() -> Any:
        page = httpx.get(f"{matching}/v1/findings", params={"rule": "D2"}, headers=REVIEWER).json()
        return page["items"][0] if page["total"] else None

    finding = eventually("the D2 finding", duplicate_finding)
    assert finding["status"] == "open" and finding["kind"] == "duplicate"
    assert {r["source"] for r in finding["records"]} == {"mca.dibao.330106", "intake"}
    assert sorted(finding["evidence"]["counties"]) == ["110105", "330106"]

    confirmed = httpx.post(
        f"{matching}/v1/findings/{finding['id']}/decision",
        json={"decision": "confirm", "reason": "杭州市西湖区已停发，待追回"},
        headers=REVIEWER,
    )
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"

    env = {**os.environ, "MATCHING_DATABASE_URL": stack.database_urls["matching"]}
    rerun = subprocess.run(
        [sys.executable, "-m", "shared.cli", "match", "recheck", "--identities"],
        env=env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert rerun.returncode == 0, rerun.stderr
    after = httpx.get(f"{matching}/v1/findings", params={"rule": "D2"}, headers=REVIEWER).json()
    assert after["total"] == 1
    assert (after["items"][0]["id"], after["items"][0]["status"]) == (finding["id"], "confirmed")
