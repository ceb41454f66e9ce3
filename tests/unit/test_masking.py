"""Display masks and the log-scrubbing primitive (domain.md §6)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.codes.idnumber import check_character
from shared.codes.masking import (
    ID_NUMBER_PATTERN,
    mask_address,
    mask_bank_account,
    mask_id_number,
    mask_id_numbers_in_text,
    mask_name,
    mask_phone,
)

LONG_DIGIT_RUN = re.compile(r"[0-9０-９]{15}")
FW = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("11010519491231002X", "110105********002X"),
        ("360426199101010071", "360426********0071"),
        ("610104620927690", "610104*****7690"),
        ("11010519491231002X41", "110105********002X**"),
        ("11010519491231002X41B1", "110105********002X****"),
        ("123456789", "*****6789"),
        ("1234567", "****"),
        ("", "****"),
        (None, None),
    ],
)
def test_mask_id_number(value: str | None, masked: str | None) -> None:
    assert mask_id_number(value) == masked


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三明", "张*明"),
        ("张三", "张*"),
        ("张", "*"),
        ("欧阳娜娜", "欧**娜"),
        ("阿卜杜拉·买买提", "阿***·**提"),
        (" 张 三 ", "张*"),
        ("John Smith", "J*** S****"),
        ("Madonna", "M******"),
        ("Mary-Jane O'Neil", "M***-J*** O'N***"),
        ("", ""),
        (None, None),
    ],
)
def test_mask_name(name: str | None, masked: str | None) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812341234", "138****1234"),
        ("138 1234 1234", "138****1234"),
        ("+86 138-1234-1234", "138****1234"),
        ("010-62345678", "010****5678"),
        ("6234567", "***4567"),
        ("12345", "****"),
        (None, None),
    ],
)
def test_mask_phone(phone: str | None, masked: str | None) -> None:
    assert mask_phone(phone) == masked


def test_mask_bank_account() -> None:
    assert mask_bank_account("6222021234567890123") == "***************0123"
    assert mask_bank_account("6222 0212 3456 7890 123") == "***************0123"
    assert mask_bank_account("123") == "****"
    assert mask_bank_account(None) is None


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("河南省信阳市息县城关镇东关村3组15号", "河南省信阳市息县城关镇东关村…"),
        ("北京市朝阳区建外街道永安里社区1号楼2单元301", "北京市朝阳区建外街道永安里社区…"),
        ("某镇某某村委会3组", "某镇某某村委会…"),
        ("北京市朝阳区望京西园3号楼", "北京市朝阳区…"),
        ("东关村", "东关村"),
        ("朝阳区", "朝阳区"),
        (None, None),
    ],
)
def test_mask_address(address: str | None, masked: str | None) -> None:
    assert mask_address(address) == masked


# --- log scrubbing ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("applicant 11010519491231002X submitted", "applicant 110105********002X submitted"),
        ("lower x: 11010519491231002x.", "lower x: 110105********002x."),
        ("身份证号：360426199101010071，已受理", "身份证号：360426********0071，已受理"),
        ("old id 610104620927690 converted", "old id 610104*****7690 converted"),
        ('{"id_number": "11010519491231002X", "n": 3}', '{"id_number": "110105********002X", "n": 3}'),
        ("cert=11010519491231002X41B1;", "cert=110105********002X****;"),
        ("cert 36042619910101007164 ok", "cert 360426********0071** ok"),
        ("全角１１０１０５１９４９１２３１００２Ｘ号", "全角１１０１０５********００２Ｘ号"),
        ("run 12345678901234567890123 end", "run 123456*************0123 end"),
        ("a=110105194912310021,b=360426199101010071", "a=110105********0021,b=360426********0071"),
    ],
)
def test_mask_id_numbers_in_text(text: str, masked: str) -> None:
    assert mask_id_numbers_in_text(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "date 20240101 amount 1234567.89 port 8080",
        "village 110105001001 township 110105001 county 110105",
        "timestamp 20240101123045 (14 digits)",
        "two dates 20240101 20241231 and 20250101-20251231",
        "short",
        "全角日期２０２４０１０１，金额１２３４５",
    ],
)
def test_shorter_numbers_are_left_alone(text: str) -> None:
    assert mask_id_numbers_in_text(text) == text


def test_pattern_is_exported_and_finds_every_form() -> None:
    text = "11010519491231002X 610104620927690 11010519491231002X41B1 ".translate(FW) + "11010519491231002x"
    assert len(ID_NUMBER_PATTERN.findall(text)) == 4


TEXT_ALPHABET = st.sampled_from(list("0123456789０１Xx B-,:{}\"'张村é\n"))


@st.composite
def ids(draw: st.DrawFn) -> str:
    first17 = "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=17, max_size=17)))
    return first17 + check_character(first17)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(TEXT_ALPHABET, max_size=30), ids()), max_size=6))
def test_no_id_like_run_survives(parts: list[str]) -> None:
    text = "".join(parts)
    out = mask_id_numbers_in_text(text)
    assert len(out) == len(text)
    assert LONG_DIGIT_RUN.search(out) is None
    assert not any(p in out for p in parts if len(p) == 18 and p[:17].isdigit())
    assert mask_id_numbers_in_text(out) == out  # idempotent


@settings(max_examples=300, deadline=None)
@given(st.text(TEXT_ALPHABET, max_size=80))
def test_text_without_long_runs_is_unchanged(text: str) -> None:
    if LONG_DIGIT_RUN.search(text) is None:
        assert mask_id_numbers_in_text(text) == text
    else:
        assert mask_id_numbers_in_text(text) != text
