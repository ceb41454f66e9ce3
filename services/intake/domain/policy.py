"""Who may do what: scopes separate submitting and township work from checking and deciding.

Token scopes: ``intake:read`` (see), ``intake:write`` (submit and township steps),
``intake:check`` (the county verification centre's report), ``intake:decide`` (county decisions,
or a township where the county has delegated them [cfg]: give that township the scope).
The ``division`` claim limits every one of them to the caller's township or county.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.intake.domain.workflow import Action

SCOPE_READ = "intake:read"
SCOPE_WRITE = "intake:write"
SCOPE_CHECK = "intake:check"
SCOPE_DECIDE = "intake:decide"
SCOPE_IMPORT = "intake:import"

ACTION_SCOPES: dict[Action, str] = {a: SCOPE_WRITE for a in Action} | {
    Action.REPORT_CHECK: SCOPE_CHECK,
    Action.APPROVE: SCOPE_DECIDE,
    Action.DENY: SCOPE_DECIDE,
    Action.STOP: SCOPE_DECIDE,
    Action.CANCEL_STOP: SCOPE_DECIDE,
    Action.EXTEND: SCOPE_DECIDE,
}


def required_scopes(action: Action, payload: Mapping[str, Any]) -> set[str]:
    """A review that stops the aid is a decision too: it needs ``intake:decide`` as well."""
    scopes = {ACTION_SCOPES[action]}
    if action is Action.REVIEW and payload.get("outcome") == "stop":
        scopes.add(SCOPE_DECIDE)
    return scopes
