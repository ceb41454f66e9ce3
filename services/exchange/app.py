"""exchange's app factory. It consumes matching's feed (its findings become departments' feed)."""

from __future__ import annotations

from fastapi import FastAPI

from services.exchange.adapters import metrics
from services.exchange.api import audit, clients, dci, feeds, lookups, rosters, webhooks
from services.exchange.config import ExchangeSettings
from services.exchange.domain.limits import RateLimiter
from services.exchange.service import feeds as feed_service
from services.exchange.service.webhooks import deliver_due
from shared.web.app import FeedSubscription, Worker, create_service_app


def create_app(settings: ExchangeSettings | None = None) -> FastAPI:
    settings = settings or ExchangeSettings()
    app = create_service_app(
        settings,
        title="snx exchange",
        description="The departments' gateway: rosters, lookups, standardized feeds, webhooks, audit.",
        routers=[
            clients.router,
            rosters.router,
            lookups.router,
            audit.router,
            feeds.router,
            webhooks.router,
            dci.router,
        ],
        body_limits={rosters.ROSTERS: settings.roster_max_bytes},
        metrics=[metrics.families],
        subscriptions=[FeedSubscription("matching", feed_service.HANDLERS)],
        workers=[
            Worker(
                "webhooks",
                lambda db: deliver_due(db, max_attempts=settings.webhook_max_attempts),
                interval=settings.webhook_interval_seconds,
            )
        ],
    )
    app.state.limiter = RateLimiter(settings.rate_per_minute, settings.rate_burst)
    return app
