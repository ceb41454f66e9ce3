"""Resident ID numbers (公民身份号码, GB 11643-1999) and what is typed in their place.

18 characters: 6-digit address code + birth date YYYYMMDD + 3-digit sequence (odd male, even
female) + check character. Old 15-digit numbers (GB 11643-1989) have a YYMMDD date and no check
character. The address code is never validated against a code list here: a county abolished
later still appears in valid IDs (use ``DivisionTable.check`` for a warning).

Messages of ``InvalidIdNumber`` never contain the number itself: they end up in logs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from shared.codes.tables import CodeName

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
MIN_BIRTH_DATE = date(1850, 1, 1)
PERMIT_PREFIXES = frozenset({"810000", "820000", "830000"})  # 港澳台居民居住证

_ID18 = re.compile(r"[0-9]{17}[0-9X]")
_ID15 = re.compile(r"[0-9]{15}")
_ID18_SHAPE = re.compile(r"[0-9X]{18}")  # what repair_candidates works on
# 残疾人证号: holder's 18-char ID + category 1-7 + grade 1-4, optionally B1..B9.
_DISABILITY = re.compile(r"([0-9]{17}[0-9X])([1-7])([1-4])(B[1-9])?")

# Full-width digits and X → ASCII; spaces (incl. U+3000), hyphens, zero-width marks → removed.
FULL_WIDTH = {**{chr(0xFF10 + i): str(i) for i in range(10)}, "Ｘ": "X", "ｘ": "X"}
SEPARATORS = " \t\r\n\u3000\u00a0-\u2010\u2011\u2012\u2013\u2014\uff0d\u200b\ufeff"
_TRANSLATE = str.maketrans({**FULL_WIDTH, **dict.fromkeys(SEPARATORS)})

DISABILITY_CATEGORIES: dict[int, CodeName] = {
    1: CodeName("视力残疾", "visual"),
    2: CodeName("听力残疾", "hearing"),
    3: CodeName("言语残疾", "speech"),
    4: CodeName("肢体残疾", "physical"),
    5: CodeName("智力残疾", "intellectual"),
    6: CodeName("精神残疾", "mental"),
    7: CodeName("多重残疾", "multiple"),
}
DISABILITY_GRADES: dict[int, CodeName] = {
    1: CodeName("一级", "grade 1 (most severe)"),
    2: CodeName("二级", "grade 2"),
    3: CodeName("三级", "grade 3"),
    4: CodeName("四级", "grade 4 (least severe)"),
}


class InvalidIdNumber(ValueError):
    """An ID number that cannot be used for the operation asked (bad shape or date)."""


class IdKind(StrEnum):
    RESIDENT_18 = "resident_18"
    RESIDENT_15 = "resident_15"
    HK_MO_TW_PERMIT = "hk_mo_tw_permit"  # 港澳台居民居住证, prefixes 810000/820000/830000
    DISABILITY_CERT = "disability_cert"  # 残疾人证号
    INVALID = "invalid"
    EMPTY = "empty"


@dataclass(frozen=True, slots=True)
class IdInfo:
    """What ``parse_id_number`` found.

    ``normalized`` is the 18-character form when there is one (a 15-digit ID converted, the
    holder's ID of a disability certificate), else the cleaned input. Fields are extracted
    whenever the shape allows, even when ``valid`` is False (a typo): trust them only if valid.
    The number and birth date are kept out of ``repr`` so that an ``IdInfo`` in a log is harmless.
    """

    normalized: str | None = field(repr=False)
    kind: IdKind
    valid: bool
    birth_date: date | None = field(default=None, repr=False)
    sex: str | None = None  # GB/T 2261.1: "1" male, "2" female
    address_code: str | None = None
    disability_category: int | None = None  # 1-7, see DISABILITY_CATEGORIES
    disability_grade: int | None = None  # 1-4, 1 most severe
    disability_suffix: str | None = None  # "B1".."B9"


def normalize_id_number(raw: str | None) -> str | None:
    """Clean what a clerk typed: drop spaces/hyphens, full-width → ASCII, x → X. Empty → None.

    Does not validate: ``normalize_id_number("12 3") == "123"``.
    """
    if raw is None:
        return None
    cleaned = raw.translate(_TRANSLATE).upper()
    return cleaned or None


def check_character(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits."""
    if len(first17) != 17 or not (first17.isascii() and first17.isdigit()):
        raise InvalidIdNumber(f"check character needs exactly 17 ASCII digits, got {len(first17)} chars")
    total = sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def _birth_date(yyyymmdd: str, today: date | None) -> date | None:
    """The date if real and plausible (1850-01-01 .. today), else None."""
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return None
    if born < MIN_BIRTH_DATE or born > (today or date.today()):
        return None
    return born


def is_valid_id18(s: str, *, today: date | None = None) -> bool:
    """True for a normalised 18-char ID with the right check character and a plausible birth date.

    Plausible: a real calendar date from 1850-01-01 to ``today`` (default: the current date).
    Lower-case ``x`` is not accepted here: call ``normalize_id_number`` first.
    """
    if _ID18.fullmatch(s) is None or check_character(s[:17]) != s[17]:
        return False
    return _birth_date(s[6:14], today) is not None


def convert_15_to_18(id15: str) -> str:
    """Old 15-digit ID → 18-digit: insert "19" after the address code, append the check character."""
    cleaned = normalize_id_number(id15) or ""
    if _ID15.fullmatch(cleaned) is None:
        raise InvalidIdNumber(f"a 15-digit ID number must be 15 digits, got {len(cleaned)} characters")
    if _birth_date("19" + cleaned[6:12], None) is None:
        raise InvalidIdNumber("the birth date (YYMMDD, characters 7-12) of a 15-digit ID is not a real date")
    first17 = cleaned[:6] + "19" + cleaned[6:]
    return first17 + check_character(first17)


def _from_18(s: str, kind: IdKind) -> IdInfo:
    return IdInfo(
        normalized=s,
        kind=kind,
        valid=is_valid_id18(s),
        birth_date=_birth_date(s[6:14], None),
        sex="1" if int(s[16]) % 2 else "2",
        address_code=s[:6],
    )


def parse_id_number(raw: str | None) -> IdInfo:
    """Classify and take apart whatever was typed where an ID number was expected."""
    s = normalize_id_number(raw)
    if s is None:
        return IdInfo(normalized=None, kind=IdKind.EMPTY, valid=False)
    if _ID18.fullmatch(s):
        kind = IdKind.HK_MO_TW_PERMIT if s[:6] in PERMIT_PREFIXES else IdKind.RESIDENT_18
        return _from_18(s, kind)
    if _ID15.fullmatch(s):
        born = _birth_date("19" + s[6:12], None)
        return IdInfo(
            normalized=convert_15_to_18(s) if born else s,
            kind=IdKind.RESIDENT_15,
            valid=born is not None,
            birth_date=born,
            sex="1" if int(s[14]) % 2 else "2",
            address_code=s[:6],
        )
    m = _DISABILITY.fullmatch(s)
    if m:
        return replace(
            _from_18(m.group(1), IdKind.DISABILITY_CERT),
            disability_category=int(m.group(2)),
            disability_grade=int(m.group(3)),
            disability_suffix=m.group(4),
        )
    return IdInfo(normalized=s, kind=IdKind.INVALID, valid=False)


def _check_value(c: str) -> int:
    return 10 if c == "X" else int(c)


def _checks_out(total: int, check: str) -> bool:
    return CHECK_CHARS[total % 11] == check


def repair_candidates(raw: str, *, today: date | None = None) -> list[str]:
    """Valid IDs one typo away from an 18-char ID that fails its check, sorted.

    A typo is one character changed (digits anywhere, X only as the 18th character) or two
    adjacent characters swapped. Each candidate passes ``is_valid_id18`` (plausible birth date
    included). A valid ID, or input that is not 18 characters of digits/X, gives ``[]``.

    The check sum is solved rather than searched: for a changed digit at position i the weight's
    inverse modulo 11 gives the only digit that fits, so a repair costs tens of operations.
    """
    s = normalize_id_number(raw) or ""
    if _ID18_SHAPE.fullmatch(s) is None or is_valid_id18(s, today=today):
        return []
    first17 = s[:17]
    if "X" in first17:  # an X among the digits: only changing that X, or moving it back, can help
        i = first17.index("X")
        found = {s[:i] + c + s[i + 1 :] for c in "0123456789"}
        if i == 16:  # the check character X swapped with the digit before it
            found.add(s[:16] + s[17] + s[16])
        return sorted(c for c in found if is_valid_id18(c, today=today))
    digits = [int(c) for c in first17]
    total = sum(d * w for d, w in zip(digits, WEIGHTS, strict=True))
    found = set()
    need = (12 - _check_value(s[17])) % 11  # total % 11 that the typed check character asks for
    for i, (d, w) in enumerate(zip(digits, WEIGHTS, strict=True)):
        c = (d + (need - total) * pow(w, -1, 11)) % 11
        if c < 10 and c != d:
            found.add(s[:i] + str(c) + s[i + 1 :])
    found.add(first17 + CHECK_CHARS[total % 11])
    for i in range(16):
        a, b = digits[i], digits[i + 1]
        if a != b and _checks_out(total + (b - a) * (WEIGHTS[i] - WEIGHTS[i + 1]), s[17]):
            found.add(s[:i] + s[i + 1] + s[i] + s[i + 2 :])
    swapped_last = s[:16] + s[17] + s[16]
    cands = [c for c in found if _birth_date(c[6:14], today) is not None]  # each passes its check
    if s[16] != s[17] and is_valid_id18(swapped_last, today=today):
        cands.append(swapped_last)
    return sorted(cands)
