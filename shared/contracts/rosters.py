"""The roster contract: exchange forwards a department's roster to matching.

``POST {matching}/internal/rosters/{source}/snapshot`` (the whole roster: records it lacks end) or
``…/changes`` (lines ``{"op": "upsert", "record": {…}}`` / ``{"op": "delete", "record_id": …}``),
body ``application/x-ndjson`` of standard person records, streamed; scope ``matching:rosters``.
The answer (and ``GET …/internal/rosters/uploads/{id}``) counts what became of the lines and lists
every rejected one with its line number, field and reason.
"""

from __future__ import annotations

from pydantic import BaseModel

SCOPE_ROSTERS = "matching:rosters"
ROSTERS_PATH = "/internal/rosters"
NDJSON = "application/x-ndjson"


class Message(BaseModel):
    en: str
    zh: str


class RejectedLine(BaseModel):
    """One line of an upload that was not taken: where, which field, why."""

    line: int
    record_id: str | None
    field: str
    code: str
    message: Message
