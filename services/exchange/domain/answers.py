"""What a lookup answer may carry, given the caller's scopes (domain.md §6: the minimum needed).

Always: whether the person was found and, per programme the caller may know about, whether they
are enrolled now. ``fields:contact`` adds the address and phone number the rosters hold (each
with the roster it came from); ``fields:aid`` adds each current enrolment (programme, status,
since, division, the publishing source); ``fields:income`` adds amounts to them;
``fields:identity`` adds the person's pseudonymous id, with which the caller can follow the
person in the feeds; ``fields:findings`` adds the cross-check findings about the person that
concern a programme in scope (rule, kind, severity, status, programmes — never the evidence's
records).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from services.exchange.domain.scopes import covers_programme, field_groups

NOT_ENROLLED = frozenset(
    {"ended", "stopped", "terminated", "exited", "cancelled", "denied", "withdrawn", "applying"}
)


def programmes_asked(scopes: Iterable[str]) -> list[str]:
    """The programmes (or families) named in the scopes: each gets a yes/no in every answer."""
    named = {s.removeprefix("programme:") for s in scopes if s.startswith("programme:")}
    return sorted(named - {"*"})


def current_aid(member: Mapping[str, Any], scopes: Iterable[str]) -> list[Mapping[str, Any]]:
    """The member's aid received now, in programmes the scopes cover."""
    return [
        a
        for a in member.get("aid", [])
        if (a.get("status") or "active").lower() not in NOT_ENROLLED
        and covers_programme(scopes, a["programme"])
    ]


def enrolled_in(current: Iterable[Mapping[str, Any]], programme: str) -> bool:
    """Whether any of this aid is ``programme`` (a family name covers its variants)."""
    return any(covers_programme([f"programme:{programme}"], a["programme"]) for a in current)


def answer(
    index: int,
    member: Mapping[str, Any],
    scopes: frozenset[str],
    findings: Iterable[Mapping[str, Any]] = (),
    contact: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """(the answer for one query, the field groups it carries); ``findings``: matching's findings
    about the person found (read only when the caller has ``fields:findings``); ``contact``: how
    to reach them (only with ``fields:contact``)."""
    linked = [m for m in member.get("matches", []) if m.get("linked")]
    current = current_aid(member, scopes)
    enrolled = {p: enrolled_in(current, p) for p in programmes_asked(scopes)}
    if "programme:*" in scopes:
        enrolled.update({a["programme"]: True for a in current})
    out: dict[str, Any] = {"index": index, "found": bool(linked), "enrolled": enrolled}
    carried = ["enrolment"]
    groups = field_groups(scopes)
    if "identity" in groups:
        out["person_id"] = linked[0]["person_id"] if linked else None
        carried.append("identity")
    if "contact" in groups:
        keys = ("address", "address_source", "phone", "phone_source")
        out["contact"] = {k: (contact or {}).get(k) for k in keys} if linked else None
        carried.append("contact")
    if "aid" in groups:
        out["aid"] = [
            {
                "programme": a["programme"],
                "status": a.get("status"),
                "since": a.get("since"),
                "division_code": a.get("division_code"),
                "source": a["source"],
                **({"amount": a.get("amount")} if "income" in groups else {}),
            }
            for a in current
        ]
        carried.append("aid")
        if "income" in groups:
            carried.append("income")
    if "findings" in groups:
        out["findings"] = [
            {k: f.get(k) for k in ("rule", "kind", "severity", "status", "programmes")}
            for f in findings
            if any(covers_programme(scopes, p) for p in f.get("programmes") or [])
        ]
        carried.append("findings")
    return out, carried
