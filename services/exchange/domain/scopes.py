"""What a department client may do and see: scopes.

A token carries the scopes its client was granted (or the subset it asked for). Three kinds:

- actions: ``lookup`` (ask whether persons are aided), ``rosters:publish`` (publish the client's
  own roster sources), ``feeds:enrolments`` / ``feeds:findings`` / ``feeds:persons`` (read a
  feed), ``webhooks`` (manage subscriptions), ``exchange:admin`` (the registry: staff only);
- field groups (``fields:<group>``): which parts of a person record a response may carry —
  ``identity`` (name, ID number, birth date, sex), ``contact`` (phone, address), ``aid``
  (programme, amount, since, division), ``income`` (incomes and assets), ``findings``;
  without any, an answer is the minimum: enrolled yes/no per programme (domain.md §6);
- programmes (``programme:<code>``, ``programme:*``): which programmes' enrolment it may learn;
  a family name covers its variants (``programme:dibao``: 城市低保 and 农村低保), any other
  code only itself (``dibao_edge``, 低保边缘, is not 低保).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

ACTIONS = frozenset(
    {
        "lookup",
        "rosters:publish",
        "feeds:enrolments",
        "feeds:findings",
        "feeds:persons",
        "webhooks",
        "exchange:admin",
    }
)
FIELD_GROUPS = ("identity", "contact", "aid", "income", "findings")
FAMILIES = {
    "dibao": frozenset({"dibao", "dibao_urban", "dibao_rural"}),  # 低保
    "tekun": frozenset({"tekun", "tekun_institution", "tekun_home"}),  # 特困
    "linshi": frozenset({"linshi", "linshi_urgent", "linshi_expense"}),  # 临时救助
}
_PROGRAMME = re.compile(r"programme:(\*|[a-z][a-z0-9_]{1,39})")


def is_known(scope: str) -> bool:
    if scope in ACTIONS:
        return True
    if scope.startswith("fields:"):
        return scope.removeprefix("fields:") in FIELD_GROUPS
    return bool(_PROGRAMME.fullmatch(scope))


def unknown(scopes: Iterable[str]) -> list[str]:
    return sorted(s for s in set(scopes) if not is_known(s))


def field_groups(scopes: Iterable[str]) -> frozenset[str]:
    return _field_groups(scopes if isinstance(scopes, frozenset) else frozenset(scopes))


@lru_cache(maxsize=1024)
def _field_groups(scopes: frozenset[str]) -> frozenset[str]:  # a feed asks once per event
    return frozenset(s.removeprefix("fields:") for s in scopes if s.startswith("fields:"))


def without_groups(scopes: Iterable[str], groups: Iterable[str]) -> frozenset[str]:
    """``scopes`` less the field groups ``groups`` (an endpoint that cannot carry them)."""
    dropped = {f"fields:{g}" for g in groups}
    return frozenset(s for s in scopes if s not in dropped)


def covers_programme(scopes: Iterable[str], programme: str) -> bool:
    """True when these scopes let their holder learn about enrolment in ``programme``."""
    return _covers(scopes if isinstance(scopes, frozenset) else frozenset(scopes), programme)


@lru_cache(maxsize=16384)
def _covers(scopes: frozenset[str], programme: str) -> bool:
    for s in scopes:
        if not s.startswith("programme:"):
            continue
        code = s.removeprefix("programme:")
        if code in ("*", programme) or programme in FAMILIES.get(code, ()):
            return True
    return False


def owns(department_code: str | None, source: str) -> bool:
    """Whether ``source`` is one of the department's rosters: they are named after it
    (``hrss``, ``hrss.pension`` …)."""
    return bool(department_code) and (source == department_code or source.startswith(f"{department_code}."))
