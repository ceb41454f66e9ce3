"""Per-character facts for names, computed ahead: simplified form and toneless readings.

For every character of the CJK blocks (``BLOCKS``), its OpenCC t2s form on its own and its
pypinyin readings (toneless, ü as v, the common one first) are shipped in ``chars.tsv.gz``, so a
run asks neither library about them (importing pypinyin alone took 0.19 s of a batch run).
Characters outside the blocks are asked of the libraries themselves. The file is regenerated
with ``python -m services.matching.engine.chars``; a test checks it says what the pinned
libraries say.
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from pathlib import Path
from typing import Any

import opencc

BLOCKS = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00))
FILE = Path(__file__).with_name("chars.tsv.gz")
_T2S = opencc.OpenCC("t2s")


def _keep_lower(s: str) -> Any:
    """pypinyin's errors callback: a non-Han character stands for itself (its stubs say str)."""
    return [s.lower()]


def ask_readings(ch: str) -> tuple[str, ...]:
    """pypinyin's toneless readings of one character, the common one first; else itself."""
    from pypinyin import Style, pinyin  # imported only for a character outside the table

    got = pinyin(ch, heteronym=True, style=Style.NORMAL, errors=_keep_lower)
    return tuple(dict.fromkeys(r.replace("ü", "v") for r in got[0])) if got else (ch,)


def ask_simplified(chars: list[str]) -> list[str]:
    """OpenCC t2s of each character on its own, in one call (a line each: no phrase spans two)."""
    if not chars:
        return []
    out = _T2S.convert("\n".join(c if c != "\n" else " " for c in chars)).split("\n")
    return [c if c == "\n" else s for c, s in zip(chars, out, strict=True)]


def table_lines() -> list[str]:
    """The table as the libraries say it: character, its simplified form if another, readings."""
    chars = [chr(c) for lo, hi in BLOCKS for c in range(lo, hi)]
    simple = ask_simplified(chars)
    return [
        f"{c}\t{s if s != c else ''}\t{','.join(ask_readings(c))}" for c, s in zip(chars, simple, strict=True)
    ]


@lru_cache(maxsize=1)
def shipped() -> dict[str, tuple[str, tuple[str, ...]]]:
    """character → (simplified form, readings), from ``FILE``."""
    out = {}
    for line in gzip.decompress(FILE.read_bytes()).decode().split("\n"):
        ch, simple, readings = line.split("\t")
        out[ch] = (simple or ch, tuple(readings.split(",")))
    return out


def main() -> None:
    FILE.write_bytes(gzip.compress("\n".join(table_lines()).encode(), 9, mtime=0))
    print(f"{FILE}: {len(shipped.__wrapped__())} characters")


if __name__ == "__main__":
    main()
