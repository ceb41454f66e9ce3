"""Normalisation: the frame path (polars, batch) and the one-record path (Python, real time) agree."""

from __future__ import annotations

from datetime import date

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from services.matching.engine.normalize import RAW_SCHEMA, IdForm, normalize
from services.matching.engine.record import normalize_record
from shared.codes.idnumber import check_character

COLUMNS = (
    *("id_text", "_id18", "_id_form", "id18", "id_valid", "id_birth", "id_sex", "birth", "sex"),
    *("county", "township", "village", "name_simple", "name_phonetic", "name_fuzzy", "name_latin"),
)
ZERO_IS_NULL = {"id18", "id_birth", "id_sex", "birth", "sex", "county", "township", "village"}
TODAY = date(2026, 11, 24)


def _id(born: date, seq: int) -> str:
    first17 = f"110105{born:%Y%m%d}{seq:03d}"
    return first17 + check_character(first17)


@st.composite
def dirty_ids(draw: st.DrawFn) -> str | None:
    good = _id(draw(st.dates(date(1900, 1, 1), date(2024, 12, 31))), draw(st.integers(0, 999)))
    form = draw(st.sampled_from(["clean", "lower", "full", "spaced", "typo", "swap", "old15", "cert", "blank",
                                 "placeholder", "garbage", "none"]))  # fmt: skip
    if form == "lower":
        return good.lower()
    if form == "full":
        return "".join(chr(0xFF10 + int(c)) if c.isdigit() else "Ｘ" for c in good)
    if form == "spaced":
        return f"{good[:6]} {good[6:14]}-{good[14:]}"
    if form == "typo":
        k = draw(st.integers(0, 17))
        return good[:k] + str((int(good[k]) + 1) % 10 if good[k] != "X" else 3) + good[k + 1 :]
    if form == "swap":
        k = draw(st.integers(0, 16))
        return good[:k] + good[k + 1] + good[k] + good[k + 2 :]
    if form == "old15":
        return good[:6] + good[8:17]
    if form == "cert":
        return good + draw(st.sampled_from(["11", "42", "73B1", "24B9"]))
    if form == "blank":
        return draw(st.sampled_from(["", " ", "\u3000"]))
    if form == "placeholder":
        return draw(st.sampled_from(["无", "NULL", "/", "0"]))
    if form == "garbage":
        return draw(st.text(max_size=22))
    return None if form == "none" else good


births = st.one_of(
    st.none(),
    st.dates(date(1850, 1, 1), date(2030, 1, 1)).flatmap(
        lambda d: st.sampled_from(
            [
                f"{d:%Y-%m-%d}",
                f"{d:%Y%m%d}",
                f"{d.year}/{d.month}/{d.day}",
                f"{d.year}年{d.month}月{d.day}日",
                f"{d:%Y.%m.%d}",
                f"{d.year}-{d.day}-{d.month}",
            ]
        )
    ),
    st.text(max_size=12),
)
names = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "张伟",
            "張偉",
            "张 伟",
            "曾丽",
            "阿依古丽·买买提",
            "阿依古丽 • 买买提",
            "SMITH, John",
            "Nguyen Thi Lan",
            "欧阳娜娜",
            "Ａｌｉ",
            "·",
            "",
        ]
    ),
    st.text(max_size=8),
)
records = st.fixed_dictionaries(
    {
        "id_number": dirty_ids(),
        "name": names,
        "birth_date": births,
        "sex": st.one_of(st.none(), st.sampled_from(["1", "2", "男", "女", " M ", "female", "9", "x"])),
        "division_code": st.one_of(
            st.none(),
            st.sampled_from(
                ["110105", "110105001", "110105001201", "110105000000", "11", "1101 05 001", "abc"]
            ),
            st.text(max_size=13),
        ),
    }
)


@settings(max_examples=300, deadline=None)
@given(st.lists(records, min_size=1, max_size=20))
def test_the_frame_and_the_one_record_paths_agree(rows: list[dict[str, str | None]]) -> None:
    frame = normalize(pl.DataFrame(rows, schema={k: RAW_SCHEMA[k] for k in rows[0]}), today=TODAY)
    for row, got in zip(rows, frame.select(COLUMNS).iter_rows(named=True), strict=True):
        one = normalize_record(row, today=TODAY)
        for column in COLUMNS:
            expected = got[column]
            if column in ZERO_IS_NULL and expected is None:
                expected = 0
            if column == "name_latin" and expected is None:
                expected = False
            assert one[column] == expected, (column, row)


def test_every_dirty_id_form_is_read() -> None:
    good = _id(date(1962, 9, 27), 690)
    cases = {
        good.lower(): IdForm.RESIDENT,
        "".join(chr(0xFF10 + int(c)) if c.isdigit() else "Ｘ" for c in good): IdForm.RESIDENT,
        f" {good[:6]} {good[6:14]}-{good[14:]} ": IdForm.RESIDENT,
        good[:6] + good[8:17]: IdForm.CONVERTED_15,
        good + "42B1": IdForm.DISABILITY_CERT,
        "810000" + good[6:17] + check_character("810000" + good[6:17]): IdForm.PERMIT,
    }
    for raw, form in cases.items():
        got = normalize_record({"id_number": raw}, today=TODAY)
        assert got["_id_form"] == form, raw
        assert got["id_valid"], raw
        if form != IdForm.PERMIT:
            assert got["_id18"] == good and got["id_birth"] == 19620927
    for blank in (None, "", "无", "  "):
        assert normalize_record({"id_number": blank}, today=TODAY)["_id_form"] == IdForm.EMPTY
    typo = normalize_record({"id_number": good[:3] + "9" + good[4:]}, today=TODAY)
    assert typo["_id_form"] == IdForm.RESIDENT and not typo["id_valid"] and typo["id_birth"] == 0


def test_birth_dates_in_every_raw_form() -> None:
    for raw in (
        "1990-03-07",
        "19900307",
        "1990/3/7",
        "1990年3月7日",
        "1990.03.07",
        "１９９０-０３-０７",
        " 1990-3-7 ",
    ):
        assert normalize_record({"birth_date": raw}, today=TODAY)["birth"] == 19900307, raw
    for raw in ("1990-13-45", "2030-01-01", "1849-12-31", "March 1990", ""):
        assert normalize_record({"birth_date": raw}, today=TODAY)["birth"] == 0, raw
