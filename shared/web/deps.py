"""Request-scoped dependencies: the unit of work a route's service call runs in."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from shared.db import Database


def get_session(request: Request) -> Iterator[Session]:
    """Commits when the route function returns, before the response is sent (``scope="function"``),
    so a failed commit is an error response, never an acknowledged write that was lost."""
    db: Database = request.app.state.db
    yield from db.transaction()


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
