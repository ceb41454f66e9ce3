"""The service app factory: what every service shares (errors, middleware, health, feed, consumers)."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx
from anyio import to_thread
from fastapi import APIRouter, FastAPI, Response

from shared.auth import SCOPE_EVENTS_READ
from shared.db import Database
from shared.events.consumer import FeedConsumer, Handler
from shared.http import service_client
from shared.logs import configure_logging, get_logger
from shared.settings import ServiceSettings
from shared.web import health, internal
from shared.web.health import ReadinessProblem
from shared.web.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from shared.web.metrics import Extra, Metrics
from shared.web.middleware import BodySizeLimitMiddleware, RequestContextMiddleware
from shared.web.openapi import install as install_openapi
from shared.web.problems import install_problem_handlers

log = get_logger("snx.app")


@dataclass(frozen=True)
class FeedSubscription:
    """This service consumes ``producer``'s feed with these handlers."""

    producer: str
    handlers: Mapping[str, Handler] = field(default_factory=dict)


@dataclass(frozen=True)
class Worker:
    """A background job: ``step(db)`` does one round and returns how much it did (0: idle)."""

    name: str
    step: Callable[[Database], int]
    interval: float = 1.0

    def run(self, db: Database, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                done = self.step(db)
            except Exception as exc:  # keep the worker alive; the next round retries
                log.error("worker.failed", worker=self.name, error=type(exc).__name__)
                done = 0
            stop.wait(0 if done else self.interval)


class ConsumerRunner:
    """Runs each subscription's consumer, and each worker, in a background thread for the life
    of the app."""

    def __init__(
        self,
        settings: ServiceSettings,
        db: Database,
        subscriptions: Iterable[FeedSubscription],
        workers: Iterable[Worker] = (),
    ) -> None:
        self.settings = settings
        self.db = db
        self.subscriptions = list(subscriptions)
        self.workers = list(workers)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._clients: list[httpx.Client] = []
        self._consumers: list[FeedConsumer] = []

    def consumer(self, sub: FeedSubscription) -> FeedConsumer:
        client = service_client(self.settings, sub.producer, [SCOPE_EVENTS_READ])
        self._clients.append(client)
        consumer = FeedConsumer(sub.producer, self.db, client, sub.handlers)
        self._consumers.append(consumer)
        return consumer

    def heads(self) -> dict[str, int | None]:
        """Each consumed feed's head as its consumer last saw it (for the lag in /metrics)."""
        return {c.feed: c.head for c in self._consumers}

    def start(self, *, consumers: bool = True) -> None:
        for sub in self.subscriptions if consumers else []:
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
        for worker in self.workers:
            thread = threading.Thread(
                target=worker.run, args=(self.db, self._stop), name=f"worker-{worker.name}", daemon=True
            )
            thread.start()
            self._threads.append(thread)
            log.info("worker.started", worker=worker.name)

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
    workers: Iterable[Worker] = (),
    body_limits: Mapping[str, int] | None = None,
    on_shutdown: Iterable[Callable[[], None]] = (),
    readiness: Iterable[Callable[[], ReadinessProblem | None]] = (),
    metrics: Iterable[Extra] = (),
) -> FastAPI:
    """``body_limits`` maps path prefixes to their own body size limit (uploads); ``readiness``:
    the service's own checks for ``/readyz`` beside the database's (None: ready); ``metrics``:
    the service's own metric families for ``/metrics``, read from the database at scrape time."""
    configure_logging(settings.service_name, level=settings.log_level, fmt=settings.effective_log_format)
    db = Database(settings.database_url, pool_size=settings.db_pool_size)
    runner = ConsumerRunner(settings, db, subscriptions, workers)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        log.info("service.starting", port=settings.port, database=db.dialect)
        # Sync routes run on worker threads; more threads than pooled connections only wait for
        # one while contending for the GIL.
        to_thread.current_default_thread_limiter().total_tokens = settings.db_pool_size
        runner.start(consumers=settings.consumers_enabled)
        try:
            yield
        finally:
            runner.stop()
            for hook in on_shutdown:
                hook()
            db.dispose()
            log.info("service.stopped")

    app = FastAPI(title=title, description=description, version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    app.state.db = db
    app.state.consumers = runner
    app.state.readiness = list(readiness)
    app.state.metrics = Metrics(settings.service_name, db, runner.heads, metrics)
    install_problem_handlers(app)
    install_openapi(app)
    app.add_middleware(
        BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes, overrides=dict(body_limits or {})
    )
    app.add_middleware(RequestContextMiddleware)
    app.include_router(health.router)

    @app.get("/metrics", include_in_schema=False)
    async def prometheus() -> Response:
        body = await to_thread.run_sync(app.state.metrics.render)
        return Response(body, media_type=METRICS_CONTENT_TYPE)

    app.include_router(internal.router)
    for router in routers:
        app.include_router(router)
    return app
