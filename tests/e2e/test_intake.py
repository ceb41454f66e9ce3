"""intake as a real uvicorn process on each backend: concurrent retries with one Idempotency-Key."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.e2e.conftest import Stack, stop
from tests.e2e.test_stack import ID_IN_CLEAR
from tests.intake_data import COUNTY, TOWNSHIP, application
from tests.support import auth

STAFF = auth("intake", "intake:read", "intake:write", division=TOWNSHIP)


def test_fifty_concurrent_submissions_with_one_key_create_one_application(stack: Stack) -> None:
    url = stack.urls["intake"]
    body = application()
    headers = {**STAFF, "Idempotency-Key": "retry-storm-1"}

    def submit(_: int) -> httpx.Response:
        return httpx.post(f"{url}/v1/applications", json=body, headers=headers, timeout=60)

    with ThreadPoolExecutor(max_workers=50) as pool:
        responses = list(pool.map(submit, range(50)))
    assert [r.status_code for r in responses] == [201] * 50, {r.status_code: r.text for r in responses}
    assert len({r.json()["id"] for r in responses}) == 1
    assert sum(r.headers.get("idempotent-replayed") == "true" for r in responses) == 49

    county = auth("intake", "intake:read", division=COUNTY)
    listed = httpx.get(f"{url}/v1/applications", headers=county).json()["items"]
    assert [a["id"] for a in listed] == [responses[0].json()["id"]]
    feed = httpx.get(
        f"{url}/internal/events", params={"limit": 1000}, headers=auth("intake", "events:read")
    ).json()
    assert [e["type"] for e in feed["events"]].count("cn.snx.intake.application.submitted") == 1

    # The same key with another body is refused, and stores nothing.
    changed = httpx.post(f"{url}/v1/applications", json=application(), headers=headers)
    assert changed.status_code == 422
    assert len(httpx.get(f"{url}/v1/applications", headers=county).json()["items"]) == 1

    stop(stack.procs)
    for log in stack.logs.values():
        assert not ID_IN_CLEAR.search(log.read_text())
