"""The service app factory: what every service shares (errors, middleware, health, feed, consumers)."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx
from fastapi import APIRouter, FastAPI

from shared.auth import SCOPE_EVENTS_READ
from shared.db import Database
from shared.events.consumer import FeedConsumer, Handler
from shared.http import service_client
from shared.logs import configure_logging, get_logger
from shared.settings import ServiceSettings
from shared.web import health, internal
from shared.web.middleware import BodySizeLimitMiddleware, RequestContextMiddleware
from shared.web.problems import install_problem_handlers

log = get_logger("snx.app")


@dataclass(frozen=True)
class FeedSubscription:
    """This service consumes ``producer``'s feed with these handlers."""

    producer: str
    handlers: Mapping[str, Handler] = field(default_factory=dict)


class ConsumerRunner:
    """Runs each subscription's consumer in a background thread for the life of the app."""

    def __init__(
        self, settings: ServiceSettings, db: Database, subscriptions: Iterable[FeedSubscription]
    ) -> None:
        self.settings = settings
        self.db = db
        self.subscriptions = list(subscriptions)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._clients: list[httpx.Client] = []

    def consumer(self, sub: FeedSubscription) -> FeedConsumer:
        client = service_client(self.settings, sub.producer, [SCOPE_EVENTS_READ])
        self._clients.append(client)
        return FeedConsumer(sub.producer, self.db, client, sub.handlers)

    def start(self) -> None:
        for sub in self.subscriptions:
            consumer = self.consumer(sub)
            thread = threading.Thread(
                target=consumer.run,
                args=(self._stop, self.settings.consumer_poll_seconds),
                name=f"consumer-{sub.producer}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)
            log.info("consumer.started", feed=sub.producer)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=10)
        for client in self._clients:
            client.close()


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    description: str,
    routers: Iterable[APIRouter] = (),
    subscriptions: Iterable[FeedSubscription] = (),
) -> FastAPI:
    configure_logging(settings.service_name, level=settings.log_level, fmt=settings.effective_log_format)
    db = Database(settings.database_url)
    runner = ConsumerRunner(settings, db, subscriptions)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        log.info("service.starting", port=settings.port, database=db.dialect)
        if settings.consumers_enabled:
            runner.start()
        try:
            yield
        finally:
            runner.stop()
            db.dispose()
            log.info("service.stopped")

    app = FastAPI(title=title, description=description, version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    app.state.db = db
    app.state.consumers = runner
    install_problem_handlers(app)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestContextMiddleware)
    app.include_router(health.router)
    app.include_router(internal.router)
    for router in routers:
        app.include_router(router)
    return app
