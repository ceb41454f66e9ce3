"""Prometheus metrics at ``GET /metrics`` on every service.

- ``snx_http_request_duration_seconds`` (histogram): by method, route template and status — the
  template (``/v1/applications/{application_id}``), never the path, so personal data and ids
  never become label values;
- ``snx_outbox_unnumbered`` / ``snx_outbox_last_seq``: the service's own feed — events committed
  but not yet given their place, and the head;
- ``snx_feed_consumer_position`` / ``snx_feed_consumer_lag`` / ``snx_feed_consumer_errors_total``
  per feed this service consumes: where it is, how far behind the head it last saw, its errors;
- whatever the service adds (``extra``): findings by rule, import progress, webhook states …

Everything but the histogram is read from the database when Prometheus scrapes, so every replica
reports the same shared state (and its own consumers' lag).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.db import Database
from shared.events.models import ConsumerCursor, OutboxEvent

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
Extra = Callable[[Session], Iterable[Any]]  # a service's own metric families, read at scrape time


def gauge(
    name: str, help_: str, values: dict[tuple[str, ...], float], labels: list[str]
) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, help_, labels=labels)
    for key, value in sorted(values.items()):
        family.add_metric(list(key), value)
    return family


class _StateCollector:
    def __init__(self, db: Database, consumers: Callable[[], dict[str, int | None]], extra: Iterable[Extra]):
        self.db, self.consumers, self.extra = db, consumers, list(extra)

    def collect(self) -> Iterator[Any]:
        heads = self.consumers()
        with self.db.unit_of_work() as uow:
            s = uow.session
            unnumbered = s.scalar(
                select(func.count()).select_from(OutboxEvent).where(OutboxEvent.seq.is_(None))
            )
            yield GaugeMetricFamily(
                "snx_outbox_unnumbered", "Committed events not yet numbered", unnumbered or 0
            )
            last = s.scalar(select(func.max(OutboxEvent.seq)))
            yield GaugeMetricFamily("snx_outbox_last_seq", "The head of this service's feed", last or 0)
            cursors = list(s.scalars(select(ConsumerCursor)))
            position = GaugeMetricFamily("snx_feed_consumer_position", "Last event applied", labels=["feed"])
            lag = GaugeMetricFamily(
                "snx_feed_consumer_lag", "Events behind the head last seen", labels=["feed"]
            )
            errors = CounterMetricFamily("snx_feed_consumer_errors", "Failed applications", labels=["feed"])
            for c in cursors:
                position.add_metric([c.feed], c.position)
                head = heads.get(c.feed)
                if head is not None:
                    lag.add_metric([c.feed], max(0, head - c.position))
                errors.add_metric([c.feed], c.error_count)
            yield from (position, lag, errors)
            for extra in self.extra:
                yield from extra(s)


class Metrics:
    """One service's registry: the request histogram and the state read at scrape time."""

    def __init__(
        self,
        service: str,
        db: Database,
        consumers: Callable[[], dict[str, int | None]],
        extra: Iterable[Extra] = (),
    ) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.latency = Histogram(
            "snx_http_request_duration_seconds",
            "HTTP request latency",
            ["method", "route", "status"],
            registry=self.registry,
            buckets=BUCKETS,
        )
        self.registry.register(_StateCollector(db, consumers, extra))
        self.service = service

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.latency.labels(method, route, str(status)).observe(seconds)

    def render(self) -> bytes:
        return bytes(generate_latest(self.registry))
