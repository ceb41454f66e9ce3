"""matching's app factory: the person index, rosters, checks; intake's feed and the resolver."""

from __future__ import annotations

from fastapi import FastAPI

from services.matching.adapters import metrics
from services.matching.api import checks, console, persons, review, rosters
from services.matching.config import MatchingSettings
from services.matching.domain import rules_config
from services.matching.engine.model import FellegiSunter
from services.matching.service import intake_events
from services.matching.service.findings import check_changed
from services.matching.service.identity import resolve_pending
from services.matching.service.person_index import IdentityIndex
from shared.contracts.rosters import ROSTERS_PATH
from shared.db import Database
from shared.i18n import Text
from shared.web.app import FeedSubscription, Worker, create_service_app
from shared.web.health import ReadinessProblem

# The index worker loads the index at start (a million records: some 40 s); until then a check
# would wait for it, so the process does not take traffic.
INDEX_LOADING = ReadinessProblem(
    "person_index", "loading", Text("The person index is loading.", "人员索引正在加载。")
)


def create_app(settings: MatchingSettings | None = None) -> FastAPI:
    settings = settings or MatchingSettings()

    def resolve_and_check(db: Database) -> int:  # runs once the app below exists
        resolved = resolve_pending(db, app.state.index)
        if resolved:
            return resolved
        found = check_changed(db, app.state.rules)
        return found.raised + found.resolved + found.reopened

    app = create_service_app(
        settings,
        title="snx matching",
        description="Internal core: who is who across every roster, checks, deduplication and findings.",
        routers=[rosters.router, checks.router, review.router, persons.router],
        subscriptions=[FeedSubscription("intake", intake_events.HANDLERS)],
        workers=[
            Worker("index", lambda _: app.state.index.refresh(), interval=settings.index_refresh_seconds),
            *(
                [Worker("identity", resolve_and_check, interval=settings.resolver_interval_seconds)]
                if settings.workers_enabled
                else []
            ),
        ],
        body_limits={ROSTERS_PATH: settings.roster_max_bytes},
        readiness=[lambda: None if app.state.index.loaded else INDEX_LOADING],
        metrics=[metrics.families],
    )
    app.state.rules = rules_config.load(settings.rules_file or rules_config.SHIPPED)
    app.state.index = IdentityIndex(app.state.db, FellegiSunter.load())
    console.install(app)  # the review console's pages under /console
    return app
