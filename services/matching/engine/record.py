"""One record normalised in plain Python: the real-time path, in microseconds.

``normalize_record`` gives the same values as ``normalize.normalize`` gives for a frame of one
row (a property test holds the two together); a polars frame of one row costs ~10 ms, this ~20 µs.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from typing import Any

import polars as pl

from services.matching.engine.names import name_keys
from services.matching.engine.normalize import (
    BIRTH_COMPACT,
    BIRTH_PARTS,
    FEMALE,
    ID_PLACEHOLDERS,
    MALE,
    MIN_BIRTH,
    IdForm,
    other_document_number,
)
from shared.codes.idnumber import PERMIT_PREFIXES, check_character, normalize_id_number

_ID18 = re.compile(r"[0-9]{17}[0-9X]")
_ID15 = re.compile(r"[0-9]{15}")
_CERT = re.compile(r"([0-9]{17}[0-9X])[1-7][1-4](?:B[1-9])?")
_COMPACT = re.compile(BIRTH_COMPACT)
_PARTS = re.compile(BIRTH_PARTS)
_NON_DIGITS = re.compile(r"[^0-9]")
_PLACEHOLDERS = frozenset(ID_PLACEHOLDERS)


def _as_int(yyyymmdd: str, today: int) -> int:
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return 0
    value = born.year * 10000 + born.month * 100 + born.day
    return value if MIN_BIRTH <= value <= today else 0


def _id(raw: str | None, today: int) -> dict[str, Any]:
    s = normalize_id_number(raw)
    if s is not None and s in _PLACEHOLDERS:
        s = None
    text: str | None = None
    if s is None:
        form = IdForm.EMPTY
    elif _ID18.fullmatch(s):
        text, form = s, IdForm.PERMIT if s[:6] in PERMIT_PREFIXES else IdForm.RESIDENT
    elif _ID15.fullmatch(s):
        first17 = s[:6] + "19" + s[6:]
        text, form = first17 + check_character(first17), IdForm.CONVERTED_15
    elif m := _CERT.fullmatch(s):
        text, form = m.group(1), IdForm.DISABILITY_CERT
    else:
        form = IdForm.GARBAGE
    out: dict[str, Any] = {"_id18": text, "_id_form": int(form), "id18": 0, "id_valid": False, "id_text": s}
    out |= {"id_birth": 0, "id_sex": 0}
    if text is None:
        if s is not None and len(s) >= 5:
            out["id18"] = pl.select(other_document_number(pl.lit(s, pl.String))).item()
        return out
    out["id18"] = int(text[:17]) * 11 + (10 if text[17] == "X" else int(text[17]))
    born = _as_int(text[6:14], today)
    if born and check_character(text[:17]) == text[17]:
        out |= {"id_valid": True, "id_birth": born, "id_sex": 2 - int(text[16]) % 2}
    return out


def _birth(raw: str | None, today: int) -> int:
    if raw is None:
        return 0
    b = unicodedata.normalize("NFKC", raw).strip()
    if m := _COMPACT.match(b):
        return _as_int(m.group(1), today)
    if m := _PARTS.match(b):
        return _as_int(m.group(1) + m.group(2).zfill(2) + m.group(3).zfill(2), today)
    return 0


def _sex(raw: str | None) -> int:
    s = (raw or "").strip().lower()
    return 1 if s in MALE else 2 if s in FEMALE else 0


def _divisions(raw: str | None) -> dict[str, int]:
    d = _NON_DIGITS.sub("", raw or "")
    out = {}
    for name, width in (("county", 6), ("township", 9), ("village", 12)):
        part = d[:width]
        tail = part[width - 3 :] if width > 6 else part[2:]
        known = len(part) == width and tail != ("000" if width > 6 else "0000")
        out[name] = int(part) if known else 0
    return out


def normalize_record(raw: Mapping[str, Any], *, today: date | None = None) -> dict[str, Any]:
    """The normalised values of one standard person record (0 / None where not given)."""
    day = today or date.today()
    limit = day.year * 10000 + day.month * 100 + day.day

    def text(field: str) -> str | None:
        value = raw.get(field)
        return None if value is None else str(value)

    keys = name_keys(text("name"))
    out = _id(text("id_number"), limit)
    out |= {"birth": _birth(text("birth_date"), limit), "sex": _sex(text("sex"))}
    out |= _divisions(text("division_code"))
    out |= {
        "name_simple": keys.simple if keys else None,
        "name_phonetic": keys.phonetic if keys else None,
        "name_fuzzy": keys.fuzzy if keys else None,
        "name_latin": keys.latin if keys else False,
    }
    return out


def birth_date_of(raw_birth: str | None, id18: str | None, *, today: date | None = None) -> date | None:
    """A person's birth date: the one inside a valid ID number, else the raw birth date's."""
    day = today or date.today()
    limit = day.year * 10000 + day.month * 100 + day.day
    value = int(id18[6:14]) if id18 else _birth(raw_birth, limit)
    if not value:
        return None
    try:
        return date(value // 10000, value // 100 % 100, value % 100)
    except ValueError:
        return None
