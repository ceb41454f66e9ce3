"""Sex (GB/T 2261.1) and family relationship (GB/T 4761-2008) code tables."""

from __future__ import annotations

import pytest

from shared.codes.tables import (
    RELATIONSHIP_CODES,
    SEX_CODES,
    RelationshipGroup,
    is_valid_relationship,
    normalize_relationship,
    normalize_sex,
    relationship_group,
    relationship_name,
    sex_name,
)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("1", "1"), ("2", "2"), ("0", "0"), ("9", "9"), (1, "1"), (2, "2"),
        ("男", "1"), ("女", "2"), (" 男 ", "1"), ("男性", "1"), ("女性", "2"),
        ("M", "1"), ("m", "1"), ("F", "2"), ("f", "2"), ("Ｍ", "1"),
        ("male", "1"), ("Male", "1"), ("FEMALE", "2"), ("未说明的性别", "9"), ("未知的性别", "0"),
    ],
)  # fmt: skip
def test_normalize_sex(raw: str | int, code: str) -> None:
    assert normalize_sex(raw) == code


@pytest.mark.parametrize("raw", [None, "", " ", "3", "x", "unknownish", "男女", "12"])
def test_normalize_sex_unknown_is_none(raw: str | None) -> None:
    assert normalize_sex(raw) is None


def test_sex_names() -> None:
    assert set(SEX_CODES) == {"0", "1", "2", "9"}
    assert sex_name("1") == "男"
    assert sex_name("2", "en") == "female"
    assert sex_name("9") == "未说明的性别"
    assert sex_name("3") is None
    assert sex_name(None) is None


def test_relationship_table_is_complete() -> None:
    expected = {"01", "02", "10", "11", "12", "97", "99"}
    expected |= {f"{n}" for n in range(20, 97)}
    assert set(RELATIONSHIP_CODES) == expected
    assert len(RELATIONSHIP_CODES) == 84
    assert all(name.zh and name.en for name in RELATIONSHIP_CODES.values())


@pytest.mark.parametrize(
    ("code", "zh", "en"),
    [
        ("01", "本人", "self"), ("02", "户主", "head of household"), ("10", "配偶", "spouse"),
        ("12", "妻", "wife"), ("21", "独生子", "only son"), ("38", "儿媳", "daughter-in-law"),
        ("40", "孙子、孙女或外孙子、外孙女", "grandchild"), ("52", "母亲", "mother"),
        ("55", "岳父", "wife's father"), ("64", "外祖母", "maternal grandmother"),
        ("76", "姐夫", "elder sister's husband"), ("92", "表兄弟、表姐妹", None),
        ("97", "其他亲属", "other relative"), ("99", "非亲属", "non-relative"),
    ],
)  # fmt: skip
def test_relationship_names(code: str, zh: str, en: str | None) -> None:
    assert relationship_name(code) == zh
    assert relationship_name(code, "zh") == zh
    if en is not None:
        assert relationship_name(code, "en") == en


@pytest.mark.parametrize("code", ["1", 1, " 01 ", "０１"])
def test_relationship_code_forms(code: str | int) -> None:
    assert is_valid_relationship(code)
    assert relationship_name(code) == "本人"


@pytest.mark.parametrize("bad", [None, "", "00", "03", "13", "19", "98", "100", "ab", 0])
def test_invalid_relationship_codes(bad: str | int | None) -> None:
    assert not is_valid_relationship(bad)
    assert relationship_name(bad) is None
    assert relationship_group(bad) is None


@pytest.mark.parametrize(
    ("code", "group"),
    [
        ("01", RelationshipGroup.SELF), ("02", RelationshipGroup.SELF),
        ("11", RelationshipGroup.SPOUSE), ("20", RelationshipGroup.CHILD), ("28", RelationshipGroup.CHILD),
        ("39", RelationshipGroup.CHILD), ("43", RelationshipGroup.GRANDCHILD),
        ("51", RelationshipGroup.PARENT), ("66", RelationshipGroup.GRANDPARENT),
        ("77", RelationshipGroup.SIBLING), ("80", RelationshipGroup.OTHER_RELATIVE),
        ("96", RelationshipGroup.OTHER_RELATIVE), ("97", RelationshipGroup.OTHER_RELATIVE),
        ("99", RelationshipGroup.NON_RELATIVE),
    ],
)  # fmt: skip
def test_relationship_group(code: str, group: RelationshipGroup) -> None:
    assert relationship_group(code) is group


def test_group_values_are_plain_strings() -> None:
    assert relationship_group("10") == "spouse"
    assert relationship_group("31") == "child"
    assert relationship_group("50") == "parent"


@pytest.mark.parametrize(
    ("raw", "code"),
    [("妻", "12"), ("妻子", "12"), ("儿子", "20"), ("母亲", "52"), ("非亲属", "99"), ("1", "01"), (12, "12")],
)
def test_normalize_relationship(raw: str | int, code: str) -> None:
    assert normalize_relationship(raw) == code


@pytest.mark.parametrize("raw", [None, "", "朋友", "98"])
def test_normalize_relationship_unknown(raw: str | None) -> None:
    assert normalize_relationship(raw) is None
