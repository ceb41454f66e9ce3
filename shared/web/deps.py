"""Request-scoped dependencies: the unit of work a route's service call runs in."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from anyio import CapacityLimiter, to_thread
from fastapi import Depends, Request
from sqlalchemy.orm import Session

from shared.db import Database, UnitOfWork


async def get_session(request: Request) -> AsyncIterator[Session]:
    """Commits when the route function returns, before the response is sent (``scope="function"``),
    so a failed commit is an error response, never an acknowledged write that was lost.

    Async on purpose: opening a session does no I/O, so it happens on the event loop, and only the
    commit (or rollback) goes to a worker thread — one thread hop fewer per request than a sync
    generator dependency, which enters and exits on threads of its own.
    """
    db: Database = request.app.state.db
    uow = db.unit_of_work().__enter__()
    try:
        yield uow.session
    except BaseException:
        await _finish(uow, *sys.exc_info())
        raise
    await _finish(uow, None, None, None)


async def _finish(uow: UnitOfWork, *exc_info: Any) -> None:
    # Outside the shared thread limit (as FastAPI runs a dependency's exit): when every worker
    # thread is a request waiting for a connection or SQLite's write lock, the commit that would
    # free them must not wait for a thread too.
    await to_thread.run_sync(uow.__exit__, *exc_info, limiter=CapacityLimiter(1))


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


@contextmanager
def reading(request: Request) -> Iterator[Session]:
    """A unit of work opened and closed in the route's own thread, for read-only routes that must
    hold a pooled connection no longer than they run: its close never waits on the event loop,
    and a request cancelled while its thread runs cannot leave the connection checked out."""
    db: Database = request.app.state.db
    with db.unit_of_work() as uow:
        yield uow.session
