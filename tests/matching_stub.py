"""A real HTTP server that implements matching's pre-check contract (``shared.contracts.precheck``)
from an in-memory roster, until the matching service provides the real one.

It runs uvicorn in a thread on a free loopback port and can be told to be slow, to fail or to be
stopped and started again, so tests can show what intake does when matching is unavailable.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import uvicorn
from fastapi import Depends, FastAPI, HTTPException

from shared.auth import require_scopes
from shared.contracts.precheck import (
    PRECHECK_PATH,
    SCOPE_PRECHECK,
    PrecheckHit,
    PrecheckRequest,
    PrecheckResult,
)
from shared.settings import DEV_JWT_SECRET
from tests.support import free_port


@dataclass
class Roster:
    """Who is aided (ID number → programme) and who has applied (ID number → application id)."""

    aided: dict[str, str] = field(default_factory=dict)
    applying: dict[str, str] = field(default_factory=dict)
    delay_seconds: float = 0.0
    fail: bool = False
    calls: int = 0


def stub_app(roster: Roster) -> FastAPI:
    from services.matching.config import MatchingSettings

    app = FastAPI()
    app.state.settings = MatchingSettings(env="test", jwt_secret=DEV_JWT_SECRET)

    @app.post(PRECHECK_PATH, response_model=PrecheckResult)
    def precheck(
        body: PrecheckRequest, _: object = Depends(require_scopes(SCOPE_PRECHECK))
    ) -> PrecheckResult:
        roster.calls += 1
        if roster.delay_seconds:
            time.sleep(roster.delay_seconds)
        if roster.fail:
            raise HTTPException(503)
        hits = []
        for m in body.members:
            if m.id_number in roster.aided:
                hits.append(
                    PrecheckHit(
                        member_index=m.index,
                        kind="aided",
                        programme=roster.aided[m.id_number],
                        source="stub.roster",
                    )
                )
            other = roster.applying.get(m.id_number)
            if other and other != body.application_id:
                hits.append(
                    PrecheckHit(
                        member_index=m.index,
                        kind="applying",
                        programme=body.programme,
                        source="intake",
                        reference=other,
                    )
                )
        return PrecheckResult(status="hits" if hits else "clear", hits=hits, checked_at=datetime.now(UTC))

    return app


class StubServer:
    """``with StubServer(roster) as s:`` serves on ``s.url``; ``stop()``/``start()`` take it down and up."""

    def __init__(self, roster: Roster, port: int | None = None) -> None:
        self.roster = roster
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        config = uvicorn.Config(
            stub_app(self.roster),
            host="127.0.0.1",
            port=self.port,
            log_config=None,
            access_log=False,
            lifespan="off",
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("stub matching server did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
            self._server = None

    def __enter__(self) -> StubServer:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


if __name__ == "__main__":  # a stand-alone stub for benchmarks: python -m tests.matching_stub --port N
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port
    uvicorn.run(stub_app(Roster()), host="127.0.0.1", port=port, log_config=None, access_log=False)
