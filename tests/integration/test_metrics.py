"""``/metrics`` on every service: request latency by route template (never a path), the feed's
backlog, consumers' lag, and each service's own state (findings by rule, imports, webhooks)."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from services.exchange.service.feeds import HANDLERS
from shared.events.consumer import FeedConsumer
from shared.web.metrics import Metrics
from tests.conftest import make_app
from tests.integration.test_console import county
from tests.support import auth


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_every_service_serves_metrics_with_route_templates(intake: TestClient, matching: TestClient) -> None:
    staff = auth("intake", "intake:read", division="110105001")
    assert intake.get("/v1/applications/11010519491231002X", headers=staff).status_code == 404
    text = intake.get("/metrics").text
    assert "11010519491231002X" not in text  # the path never becomes a label
    got = samples(text)
    route = ("route", "/v1/applications/{application_id}")
    count = next(
        v
        for (n, labels), v in got.items()
        if n == "snx_http_request_duration_seconds_count" and route in labels
    )
    assert count == 1
    assert got[("snx_outbox_unnumbered", ())] == 0
    assert any(n == "snx_import_jobs" or n.startswith("snx_import_running_rows") for n, _ in got)
    assert matching.get("/metrics").headers["content-type"].startswith("text/plain")


def test_matching_reports_findings_by_rule_and_the_review_backlog(matching: TestClient) -> None:
    county(matching)
    got = samples(matching.get("/metrics").text)
    assert got[("snx_findings", (("rule", "D1"), ("status", "open")))] == 1
    assert got[("snx_grey_pairs_open", ())] == 1
    assert got[("snx_records_pending", ())] == 0
    assert got[("snx_outbox_unnumbered", ())] >= 1  # findings, enrolments: numbered when first read


def test_a_consumer_behind_its_producer_shows_its_lag(db_url: Callable[[str], str]) -> None:
    matching_app = make_app("matching", db_url("matching"), workers_enabled=False)
    with (
        TestClient(matching_app) as matching,
        TestClient(make_app("exchange", db_url("exchange"))) as exchange,
    ):
        county(matching)
        matching.headers.update(auth("matching", "events:read"))
        consumer = FeedConsumer("matching", exchange.app.state.db, matching, HANDLERS, page_size=1)  # type: ignore[attr-defined]
        consumer.poll_once()  # one event applied, the head seen
        assert consumer.head is not None and consumer.head > 1
        metrics = Metrics("exchange", exchange.app.state.db, lambda: {"matching": consumer.head})  # type: ignore[attr-defined]
        got = samples(metrics.render().decode())
        assert got[("snx_feed_consumer_position", (("feed", "matching"),))] == 1
        assert got[("snx_feed_consumer_lag", (("feed", "matching"),))] == consumer.head - 1
        consumer.drain()
        got = samples(metrics.render().decode())
        assert got[("snx_feed_consumer_lag", (("feed", "matching"),))] == 0
        assert re.search(r"snx_webhooks", exchange.get("/metrics").text)
