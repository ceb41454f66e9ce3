"""Administrative division codes (GB/T 2260 and the NBS statistical codes 统计用区划代码).

Accepted: province ``11``/``110000``, prefecture ``1101``/``110100``, county ``110105``, township
``110105001``, village ``110105001001``; NBS zero padding (``110105001000``, ``110105000``) stands
for the unit it pads. Functions return the canonical form: 6 digits down to county, then 9, 12.

Names come from a versioned ``DivisionTable`` (``shared/data/divisions/<version>/``). A
well-formed code missing from the table is a warning (``DivisionTable.check``), never an error:
ID numbers carry the county of first issue, which may have been abolished since. Only a
malformed code raises ``InvalidDivisionCode``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path


class InvalidDivisionCode(ValueError):
    """Not a division code: digits of length 2, 4, 6, 9 or 12 with a non-zero province block."""


class DivisionLevel(IntEnum):
    """Level of a code; the value is its number of significant digits."""

    PROVINCE = 2  # 省级
    PREFECTURE = 4  # 地级
    COUNTY = 6  # 县级
    TOWNSHIP = 9  # 乡级 (乡、镇、街道)
    VILLAGE = 12  # 村级 (村委会、居委会)


class TownshipKind(StrEnum):
    SUBDISTRICT = "街道"  # 001-099
    TOWN = "镇"  # 100-199
    TOWNSHIP = "乡"  # 200-399
    TOWNSHIP_LIKE = "类似乡级单位"  # 400-599
    UNKNOWN = "未知"  # 600-999: not assigned by the coding rules


class VillageKind(StrEnum):
    URBAN = "居委会"  # 001-199 居民委员会/社区
    RURAL = "村委会"  # 200-399 村民委员会
    UNKNOWN = "未知"  # 400-999


FORMAT_HELP = "2 (province), 4 (prefecture), 6 (county), 9 (township) or 12 (village) digits"
_PLACEHOLDERS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


def _bad(code: str, why: str) -> InvalidDivisionCode:
    shown = repr(code) if len(code) <= 12 else f"a {len(code)}-character value"  # never echo an ID
    return InvalidDivisionCode(f"{shown} is not a division code: {why}; expected {FORMAT_HELP}")


def _significant(code: str) -> str:
    """The significant digits of a code: 2, 4, 6, 9 or 12 of them."""
    c = code.strip()
    if not (c.isascii() and c.isdigit()) or len(c) not in (2, 4, 6, 9, 12):
        raise _bad(c, "wrong characters or length")
    if c[:2] == "00":
        raise _bad(c, "province block 00")
    if (len(c) == 12 and c[9:] == "000") or (len(c) == 9 and c[6:] == "000"):
        return _significant(c[:-3])  # NBS zero padding
    if len(c) == 12 and c[6:9] == "000":
        raise _bad(c, "village under township block 000")
    if len(c) == 4 and c[2:] == "00":
        raise _bad(c, "prefecture block 00")
    if len(c) == 6:
        if c[2:] == "0000":
            return c[:2]
        if c[4:] == "00":
            return c[:4]
        if c[2:4] == "00":
            raise _bad(c, "county under prefecture block 00")
    return c


def significant_digits(code: str) -> str:
    """``"110105001000"`` → ``"110105001"``, ``"110000"`` → ``"11"``: the prefix that scopes data."""
    return _significant(code)


def canonical_code(code: str) -> str:
    """``"11"`` → ``"110000"``, ``"1101"`` → ``"110100"``, ``"110105001000"`` → ``"110105001"``."""
    return _significant(code).ljust(6, "0")


def division_level(code: str) -> DivisionLevel:
    """Level of a code: ``"110000"`` province, ``"110100"`` prefecture, ``"110105"`` county …"""
    return DivisionLevel(len(_significant(code)))


def parent_code(code: str) -> str | None:
    """Canonical code one level up (``"110105001"`` → ``"110105"``); None for a province.

    A township of a city without counties (东莞 441900) has that city as its parent.
    """
    sig = _significant(code)
    cut = {2: 0, 4: 2, 6: 4, 9: 6, 12: 9}[len(sig)]
    return canonical_code(sig[:cut]) if cut else None


def is_within(code: str, ancestor: str) -> bool:
    """True if ``code`` is ``ancestor`` or lies inside it (a prefix test on significant digits)."""
    return _significant(code).startswith(_significant(ancestor))


_TOWNSHIP_BLOCKS = ((99, TownshipKind.SUBDISTRICT), (199, TownshipKind.TOWN), (399, TownshipKind.TOWNSHIP))
_VILLAGE_BLOCKS = ((199, VillageKind.URBAN), (399, VillageKind.RURAL))


def township_kind(code: str) -> TownshipKind:
    """Kind of a township (9 digits, or a village's 12) from its 3-digit township block."""
    sig = _significant(code)
    if len(sig) < 9:
        raise _bad(sig, "township kind needs a 9- or 12-digit code")
    block = int(sig[6:9])
    default = TownshipKind.TOWNSHIP_LIKE if block <= 599 else TownshipKind.UNKNOWN
    return next((kind for limit, kind in _TOWNSHIP_BLOCKS if block <= limit), default)


def village_kind(code: str) -> VillageKind:
    """Urban (居委会/社区, 001-199) or rural (村委会, 200-399) from a 12-digit village code."""
    sig = _significant(code)
    if len(sig) != 12:
        raise _bad(sig, "village kind needs a 12-digit village code")
    block = int(sig[9:])
    return next((kind for limit, kind in _VILLAGE_BLOCKS if block <= limit), VillageKind.UNKNOWN)


@dataclass(frozen=True, slots=True)
class Division:
    code: str  # canonical
    name: str
    level: DivisionLevel
    parent: str | None  # canonical parent code


def _data_root() -> Traversable:
    return resources.files("shared").joinpath("data").joinpath("divisions")


def available_versions(root: Traversable | None = None) -> list[str]:
    """Versions under ``root`` (default: the package data ``shared/data/divisions/``)."""
    base = root if root is not None else _data_root()
    return sorted(p.name for p in base.iterdir() if p.is_dir() and not p.name.startswith("."))


def _rows(directory: Traversable, name: str) -> Iterator[dict[str, str]]:
    # No field spans lines in these files, so splitlines() is safe (Traversable.open has no newline=).
    yield from csv.DictReader(directory.joinpath(name).read_text(encoding="utf-8").splitlines())


class DivisionTable:
    """One version of the code table, down to townships (the 2022 data has no villages).

    Build with ``DivisionTable.load("2022")`` (cached: every caller shares one instance).
    """

    def __init__(self, version: str, entries: dict[str, tuple[str, str | None]]) -> None:
        self.version = version
        self._entries = entries  # canonical code → (name, canonical parent)
        self._children: dict[str, list[str]] = {}
        for code, (_, parent) in entries.items():
            if parent is not None:
                self._children.setdefault(parent, []).append(code)
        longest = max(entries, key=len, default="")  # 6-digit codes: the level needs a look at each
        deep = [longest] if len(longest) > 6 else entries
        self.deepest_level = max(map(division_level, deep), default=DivisionLevel.PROVINCE)

    @classmethod
    def load(cls, version: str = "2022", data_dir: Path | str | None = None) -> DivisionTable:
        """The table of ``version`` from the package data (or from ``data_dir``/<version>)."""
        return _load(version, str(data_dir) if data_dir is not None else None)

    @classmethod
    def from_directory(cls, directory: Traversable, version: str) -> DivisionTable:
        """Read provinces/cities/areas/streets.csv (columns as in the data README)."""
        entries: dict[str, tuple[str, str | None]] = {}
        for r in _rows(directory, "provinces.csv"):
            entries[r["code"] + "0000"] = (r["name"], None)
        for r in _rows(directory, "cities.csv"):
            entries[r["code"] + "00"] = (r["name"], r["provinceCode"] + "0000")
        for r in _rows(directory, "areas.csv"):
            # 东莞 441900 is listed both as a city (4419) and as its own county: keep the city.
            entries.setdefault(r["code"], (r["name"], r["cityCode"] + "00"))
        for r in _rows(directory, "streets.csv"):
            entries[r["code"]] = (r["name"], r["areaCode"])
        return cls(version, entries)

    def __contains__(self, code: object) -> bool:
        try:
            return isinstance(code, str) and canonical_code(code) in self._entries
        except InvalidDivisionCode:
            return False

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)  # canonical codes

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"DivisionTable(version={self.version!r}, entries={len(self)})"

    def lookup(self, code: str) -> Division | None:
        """The division of a code, or None if unknown. Malformed → ``InvalidDivisionCode``."""
        c = canonical_code(code)
        entry = self._entries.get(c)
        return Division(c, entry[0], division_level(c), entry[1]) if entry else None

    def name(self, code: str) -> str | None:
        """``name("110105") == "朝阳区"``; None if unknown."""
        entry = self._entries.get(canonical_code(code))
        return entry[0] if entry else None

    def full_name(self, code: str, *, sep: str = " ", skip_placeholders: bool = True) -> str | None:
        """Names from the province down: ``"北京市 朝阳区"`` for 110105; None if unknown.

        Placeholder levels (市辖区, 县, 省直辖县级行政区划 …) are left out unless
        ``skip_placeholders=False`` (then ``"北京市 市辖区 朝阳区"``).
        """
        c: str | None = canonical_code(code)
        if c not in self._entries:
            return None
        names: list[str] = []
        while c is not None and c in self._entries:
            name, c = self._entries[c]
            if not (skip_placeholders and name in _PLACEHOLDERS):
                names.append(name)
        return sep.join(reversed(names))

    def children(self, code: str) -> list[Division]:
        """Divisions one level below ``code`` in this table, sorted by code."""
        kids = self._children.get(canonical_code(code), [])
        return [d for k in sorted(kids) if (d := self.lookup(k)) is not None]

    def check(self, code: str) -> list[str]:
        """Warnings about a well-formed code (empty if fine). Malformed → ``InvalidDivisionCode``."""
        c = canonical_code(code)
        level = division_level(c)
        warnings: list[str] = []
        if level >= DivisionLevel.TOWNSHIP and township_kind(c) is TownshipKind.UNKNOWN:
            warnings.append(f"{c}: township block {c[6:9]} is outside the assigned ranges 001-599")
        if level == DivisionLevel.VILLAGE and village_kind(c) is VillageKind.UNKNOWN:
            warnings.append(f"{c}: village block {c[9:]} is outside the assigned ranges 001-399")
        known: str | None = c
        while known is not None and division_level(known) > self.deepest_level:
            known = parent_code(known)  # table has no data this deep: check the covered ancestor
        if known is not None and known not in self._entries:
            warnings.append(f"{known}: not in division table {self.version} (abolished, new or mistyped?)")
        return warnings


_VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]*")


@lru_cache(maxsize=8)
def _load(version: str, data_dir: str | None) -> DivisionTable:
    if _VERSION.fullmatch(version) is None or ".." in version:
        raise ValueError(f"bad division table version {version!r}")
    root: Traversable = Path(data_dir) if data_dir is not None else _data_root()
    directory = root.joinpath(version)
    if not directory.is_dir():
        raise LookupError(f"no division table {version!r}; available: {available_versions(root)}")
    return DivisionTable.from_directory(directory, version)
