"""The departments' feeds: which events each carries, who may read them, and what each reader
sees of an event (the same field groups as a lookup answer; domain.md §6).

- ``findings`` — cross-check findings raised, confirmed, dismissed or resolved, for a programme
  the reader's scopes cover inside its division. Person ids (and the reader's own households)
  only with ``fields:identity``.
- ``enrolments`` — who started or stopped receiving which aid, for a covered programme inside
  the reader's division: always the change, programme and division; ``fields:identity`` adds the
  person id (and the record id when the record is the reader's own); ``fields:aid`` the status,
  dates and publishing source; ``fields:income`` the amount.
- ``persons`` — changes of who is who that touch a person the reader's department holds (one of
  its own records is among the person's records): merges, splits, a record moving to another
  person. Person ids are the whole point, so the feed needs ``fields:identity`` as well; the
  records listed are only the reader's own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from services.exchange.domain.scopes import covers_programme, field_groups, owns
from shared.auth import Principal

Data = Mapping[str, Any]


def _department(caller: Principal) -> str | None:
    return caller.claims.get("department")


def _mine(caller: Principal, refs: Any) -> list[list[str]]:
    return [list(r) for r in refs or [] if owns(_department(caller), str(r[0]))]


def _in_scope(caller: Principal, programmes: Any, division: str | None) -> bool:
    return any(covers_programme(caller.scopes, p) for p in programmes or []) and caller.covers_division(
        division
    )


def finding_relevant(caller: Principal, data: Data) -> bool:
    return _in_scope(caller, data.get("programmes"), data.get("division_code"))


def finding_view(caller: Principal, data: Data) -> dict[str, Any]:
    keys = ("finding_id", "rule", "kind", "severity", "status", "programmes", "division_code")
    out = {k: data.get(k) for k in keys}
    if "identity" in field_groups(caller.scopes):
        out["persons"] = list(data.get("persons") or [])
        dept = _department(caller)
        out["households"] = [h for h in data.get("households") or [] if owns(dept, str(h).split(":", 1)[0])]
    return out


def enrolment_relevant(caller: Principal, data: Data) -> bool:
    return _in_scope(caller, [data.get("programme")], data.get("division_code"))


def enrolment_view(caller: Principal, data: Data) -> dict[str, Any]:
    out = {k: data.get(k) for k in ("change", "programme", "division_code")}
    groups = field_groups(caller.scopes)
    if "identity" in groups:
        out["person_id"] = data.get("person_id")
        if owns(_department(caller), str(data.get("source"))):
            out["record_id"] = data.get("record_id")
    if "aid" in groups:
        out.update({k: data.get(k) for k in ("status", "start_date", "end_date", "source")})
    if "income" in groups:
        out["amount"] = data.get("amount")
    return out


def person_relevant(caller: Principal, data: Data) -> bool:
    return bool(_mine(caller, data.get("records")))


def person_view(caller: Principal, data: Data) -> dict[str, Any]:
    out = {k: data.get(k) for k in ("action", "person_id", "other_person_id", "merged", "into")}
    return {**out, "records": _mine(caller, data.get("records"))}


@dataclass(frozen=True)
class Feed:
    name: str
    scopes: tuple[str, ...]  # all needed to read it
    incoming: str  # matching's event type prefix
    changes: tuple[str, ...]
    relevant: Callable[[Principal, Data], bool]
    view: Callable[[Principal, Data], dict[str, Any]]
    keeps_subject: bool  # False: the subject would say more than the reader may see

    @property
    def published(self) -> str:
        """exchange's event type prefix for this feed."""
        return f"cn.snx.exchange.{self.incoming.removeprefix('cn.snx.matching.')}"

    @property
    def source(self) -> str:
        return f"/snx/exchange/feeds/{self.name}"


FEEDS = {
    f.name: f
    for f in (
        Feed(
            "findings",
            ("feeds:findings",),
            "cn.snx.matching.finding.",
            ("raised", "resolved", "confirmed", "dismissed", "open"),
            finding_relevant,
            finding_view,
            keeps_subject=True,
        ),
        Feed(
            "enrolments",
            ("feeds:enrolments",),
            "cn.snx.matching.enrolment.",
            ("started", "stopped"),
            enrolment_relevant,
            enrolment_view,
            keeps_subject=False,
        ),
        Feed(
            "persons",
            ("feeds:persons", "fields:identity"),
            "cn.snx.matching.person.",
            ("merged", "split", "linked"),
            person_relevant,
            person_view,
            keeps_subject=True,
        ),
    )
}
