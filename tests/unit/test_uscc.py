"""Unified social credit codes (GB 32100-2015): published codes pass, any one-character change fails."""

from __future__ import annotations

import pytest

from shared.codes.uscc import ALPHABET, division_of, is_valid_uscc

PUBLISHED = ["914403001922038216", "91440300708461136T", "91350100M000100Y43"]


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_are_valid_and_every_single_change_is_caught(code: str) -> None:
    assert is_valid_uscc(code)
    for pos in range(18):
        for c in ALPHABET:
            if c != code[pos]:
                changed = code[:pos] + c + code[pos + 1 :]
                assert not is_valid_uscc(changed), changed


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "91440300708461136",
        "91440300708461136TT",
        "9144030070846113 T",
        "91440300708461136t",
        "9I440300708461136T",
    ],
)
def test_wrong_shapes_are_refused(bad: str) -> None:
    assert not is_valid_uscc(bad)


def test_the_division_is_the_registering_authoritys() -> None:
    assert division_of("91440300708461136T") == "440300"
