"""Unified social credit codes (统一社会信用代码, GB 32100-2015): the 18-character code of every
registered organisation, government departments included.

1 registration authority + 1 organisation type + 6-digit division code + 9-character organisation
code + 1 check character, over the 31-character alphabet without I, O, S, V, Z.
"""

from __future__ import annotations

import re

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_SHAPE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}")


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(code: str) -> bool:
    """True for an 18-character code of the right shape whose check character agrees."""
    return bool(_SHAPE.fullmatch(code)) and check_character(code[:17]) == code[17]


def division_of(code: str) -> str:
    """The 6-digit division code of the registering authority."""
    return code[2:8]
