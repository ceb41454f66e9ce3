"""matching's app factory. It consumes intake's feed (handlers arrive with the person index)."""

from __future__ import annotations

from fastapi import FastAPI

from services.matching.config import MatchingSettings
from shared.web.app import FeedSubscription, create_service_app


def create_app(settings: MatchingSettings | None = None) -> FastAPI:
    return create_service_app(
        settings or MatchingSettings(),
        title="snx matching",
        description="Internal core: who is who across every roster, checks, deduplication and findings.",
        subscriptions=[FeedSubscription("intake")],
    )
