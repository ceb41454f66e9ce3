"""Resident ID numbers: check character, 15→18, parsing, repair (examples + hypothesis properties)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.codes.idnumber import (
    DISABILITY_CATEGORIES,
    DISABILITY_GRADES,
    IdKind,
    InvalidIdNumber,
    check_character,
    convert_15_to_18,
    is_valid_id18,
    normalize_id_number,
    parse_id_number,
    repair_candidates,
)

FULL_WIDTH = {str(i): chr(0xFF10 + i) for i in range(10)} | {"X": "Ｘ"}


def make_id(address: int, born: date, sequence: int) -> str:
    first17 = f"{address:06d}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)


@st.composite
def valid_ids(draw: st.DrawFn) -> str:
    return make_id(
        draw(st.integers(0, 999_999)),
        draw(st.dates(date(1900, 1, 1), min(date(2025, 12, 31), date.today()))),
        draw(st.integers(0, 999)),
    )


@st.composite
def one_typo(draw: st.DrawFn) -> tuple[str, str]:
    """(original valid ID, the ID with one substitution or one adjacent swap)."""
    original = draw(valid_ids())
    if draw(st.booleans()):
        i = draw(st.integers(0, 17))
        c = draw(st.sampled_from([c for c in "0123456789X" if c != original[i]]))
        return original, original[:i] + c + original[i + 1 :]
    swappable = [i for i in range(17) if original[i] != original[i + 1]]
    i = draw(st.sampled_from(swappable))
    return original, original[:i] + original[i + 1] + original[i] + original[i + 2 :]


# --- test vectors of domain.md --------------------------------------------------------------


@pytest.mark.parametrize("valid", ["11010519491231002X", "360426199101010071", "610104196209276908"])
def test_domain_vectors_valid(valid: str) -> None:
    assert is_valid_id18(valid)
    assert check_character(valid[:17]) == valid[17]


def test_domain_vector_invalid() -> None:
    assert not is_valid_id18("110105194912310021")


def test_convert_15_to_18_vector() -> None:
    assert convert_15_to_18("610104620927690") == "610104196209276908"


@pytest.mark.parametrize(
    "bad", ["61010462092769", "6101046209276901", "61010462O927690", "", "610104621327690"]
)
def test_convert_15_to_18_rejects_bad_input_without_echoing_it(bad: str) -> None:
    with pytest.raises(InvalidIdNumber) as exc:
        convert_15_to_18(bad)
    assert isinstance(exc.value, ValueError)
    assert "15" in str(exc.value)
    assert not bad or bad not in str(exc.value)


def test_check_character_needs_17_digits() -> None:
    with pytest.raises(InvalidIdNumber):
        check_character("1101051949123100")
    with pytest.raises(InvalidIdNumber):
        check_character("11010519491231００")


# --- validity: shape, check character, birth date ------------------------------------------


def test_birth_date_must_be_a_real_plausible_date() -> None:
    feb30 = "11010519490230002"
    assert not is_valid_id18(feb30 + check_character(feb30))
    old = "11010518491231002"
    assert not is_valid_id18(old + check_character(old))
    ok = "11010518500101002"
    assert is_valid_id18(ok + check_character(ok))
    future = make_id(110105, date(2024, 6, 1), 2)
    assert is_valid_id18(future, today=date(2024, 6, 1))
    assert not is_valid_id18(future, today=date(2024, 5, 31))


def test_lower_case_x_needs_normalising() -> None:
    assert not is_valid_id18("11010519491231002x")
    assert is_valid_id18(normalize_id_number("11010519491231002x") or "")


# --- normalisation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (" 11010519491231002x ", "11010519491231002X"),
        ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X"),
        ("110105 1949 1231 002ｘ", "11010519491231002X"),
        ("110105-19491231-002X", "11010519491231002X"),
        ("\u3000610104620927690\u3000", "610104620927690"),
        ("12 3", "123"),
    ],
)
def test_normalize_id_number(raw: str, clean: str) -> None:
    assert normalize_id_number(raw) == clean


@pytest.mark.parametrize("empty", [None, "", "   ", "\u3000", " - "])
def test_normalize_empty_is_none(empty: str | None) -> None:
    assert normalize_id_number(empty) is None
    assert parse_id_number(empty).kind is IdKind.EMPTY


# --- parsing -------------------------------------------------------------------------------


def test_parse_resident_18() -> None:
    info = parse_id_number("11010519491231002x")
    assert (info.kind, info.valid, info.normalized) == (IdKind.RESIDENT_18, True, "11010519491231002X")
    assert (info.birth_date, info.sex, info.address_code) == (date(1949, 12, 31), "2", "110105")
    assert parse_id_number("360426199101010071").sex == "1"
    assert info.disability_category is None


def test_parse_invalid_check_keeps_shape_but_not_valid() -> None:
    info = parse_id_number("110105194912310021")
    assert info.kind is IdKind.RESIDENT_18
    assert not info.valid


def test_parse_15_digit() -> None:
    info = parse_id_number("610104620927690")
    assert (info.kind, info.valid, info.normalized) == (IdKind.RESIDENT_15, True, "610104196209276908")
    assert (info.birth_date, info.sex) == (date(1962, 9, 27), "2")
    bad_date = parse_id_number("610104621327690")
    assert (bad_date.kind, bad_date.valid, bad_date.normalized) == (
        IdKind.RESIDENT_15,
        False,
        "610104621327690",
    )


@pytest.mark.parametrize("prefix", ["810000", "820000", "830000"])
def test_parse_hk_mo_tw_permit(prefix: str) -> None:
    permit = make_id(int(prefix), date(1990, 5, 17), 123)
    info = parse_id_number(permit)
    assert (info.kind, info.valid, info.address_code, info.sex) == (IdKind.HK_MO_TW_PERMIT, True, prefix, "1")


@pytest.mark.parametrize(
    ("raw", "category", "grade", "suffix"),
    [
        ("11010519491231002X41", 4, 1, None),
        ("11010519491231002x72b3", 7, 2, "B3"),
        ("360426199101010071 6 4", 6, 4, None),
    ],
)
def test_parse_disability_certificate(raw: str, category: int, grade: int, suffix: str | None) -> None:
    info = parse_id_number(raw)
    assert info.kind is IdKind.DISABILITY_CERT
    assert info.valid
    assert info.normalized == (normalize_id_number(raw) or "")[:18]
    assert (info.disability_category, info.disability_grade, info.disability_suffix) == (
        category,
        grade,
        suffix,
    )
    assert info.birth_date is not None


@pytest.mark.parametrize(
    "raw",
    ["11010519491231002X81", "11010519491231002X15", "11010519491231002X41B0", "abc", "1101051949123100"],
)
def test_parse_invalid_shapes(raw: str) -> None:
    info = parse_id_number(raw)
    assert (info.kind, info.valid, info.birth_date) == (IdKind.INVALID, False, None)


def test_repr_does_not_leak_the_number() -> None:
    assert "11010519491231002X" not in repr(parse_id_number("11010519491231002X"))


def test_disability_tables() -> None:
    assert sorted(DISABILITY_CATEGORIES) == list(range(1, 8))
    assert sorted(DISABILITY_GRADES) == [1, 2, 3, 4]
    assert DISABILITY_CATEGORIES[4].zh == "肢体残疾"
    assert DISABILITY_CATEGORIES[1].get("en") == "visual"
    assert DISABILITY_CATEGORIES[7].get("zh") == "多重残疾"


# --- repair --------------------------------------------------------------------------------


def test_repair_vector() -> None:
    candidates = repair_candidates("110105194912310021")
    assert "11010519491231002X" in candidates
    assert candidates == sorted(set(candidates))
    assert all(is_valid_id18(c) for c in candidates)


def test_repair_of_valid_or_unusable_input_is_empty() -> None:
    assert repair_candidates("11010519491231002X") == []
    assert repair_candidates("1101051949123100") == []
    assert repair_candidates("1101051949123I0021") == []


def test_repair_accepts_dirty_input() -> None:
    assert "11010519491231002X" in repair_candidates("１１０１０５ 1949 1231 0021")


# --- properties ----------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(valid_ids())
def test_every_substitution_fails_the_check(valid: str) -> None:
    assert is_valid_id18(valid)
    for i in range(18):
        for c in "0123456789X":
            if c != valid[i]:
                typo = valid[:i] + c + valid[i + 1 :]
                assert not is_valid_id18(typo), (i, c)
                # …and it is the check character itself that catches it, not the date test.
                assert "X" in typo[:17] or check_character(typo[:17]) != typo[17], (i, c)


@settings(max_examples=150, deadline=None)
@given(valid_ids())
def test_every_adjacent_swap_fails_the_check(valid: str) -> None:
    for i in range(17):
        if valid[i] != valid[i + 1]:
            swapped = valid[:i] + valid[i + 1] + valid[i] + valid[i + 2 :]
            assert not is_valid_id18(swapped), i
            assert "X" in swapped[:17] or check_character(swapped[:17]) != swapped[17], i


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 999_999), st.dates(date(1900, 1, 1), date(1999, 12, 31)), st.integers(0, 999))
def test_15_to_18_consistent_with_extraction(address: int, born: date, sequence: int) -> None:
    id15 = f"{address:06d}{born:%y%m%d}{sequence:03d}"
    id18 = convert_15_to_18(id15)
    old, new = parse_id_number(id15), parse_id_number(id18)
    assert is_valid_id18(id18)
    assert old.birth_date == new.birth_date == born
    assert old.sex == new.sex == ("1" if sequence % 2 else "2")
    assert id18[8:14] == id15[6:12] and id18[14:17] == id15[12:15]
    assert old.normalized == id18


@settings(max_examples=100, deadline=None)
@given(one_typo())
def test_repair_list_contains_the_original(pair: tuple[str, str]) -> None:
    original, typo = pair
    assert not is_valid_id18(typo)
    candidates = repair_candidates(typo)
    assert original in candidates
    assert all(is_valid_id18(c) for c in candidates)


@settings(max_examples=150, deadline=None)
@given(valid_ids(), st.data())
def test_dirty_forms_round_trip(clean: str, data: st.DataObject) -> None:
    dirty = ""
    for c in clean:
        if data.draw(st.booleans()):
            c = FULL_WIDTH[c]
        elif c == "X" and data.draw(st.booleans()):
            c = data.draw(st.sampled_from(["x", "ｘ"]))
        dirty += c + data.draw(st.sampled_from(["", "", "", " ", "\u3000", "-"]))
    assert normalize_id_number(dirty) == clean
    assert parse_id_number(dirty).normalized == clean


def test_a_check_character_x_swapped_with_the_digit_before_it_is_repaired() -> None:
    """Found by hypothesis: ``…699X`` typed ``…69X9``."""
    assert "00016219460106699X" in repair_candidates("0001621946010669X9")
