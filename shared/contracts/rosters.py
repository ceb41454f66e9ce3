"""The roster contract: exchange forwards a department's roster to matching.

``POST {matching}/internal/rosters/{source}/snapshot`` (the whole roster: records it lacks end) or
``…/changes`` (lines ``{"op": "upsert", "record": {…}}`` / ``{"op": "delete", "record_id": …}``),
body ``application/x-ndjson`` of standard person records, streamed; scope ``matching:rosters``.
The answer (and ``GET …/internal/rosters/uploads/{id}``) counts what became of the lines and lists
every rejected one with its line number, field and reason.
"""

from __future__ import annotations

SCOPE_ROSTERS = "matching:rosters"
ROSTERS_PATH = "/internal/rosters"
NDJSON = "application/x-ndjson"
