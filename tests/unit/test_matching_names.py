"""Names: traditional characters, spacing, dots, homophones, heteronyms, Latin script."""

from __future__ import annotations

import gzip

import pytest

from services.matching.engine.names import (
    char_readings,
    could_read_alike,
    fuzzy_syllable,
    name_keys,
    name_table,
)


def keys(raw: str):  # type: ignore[no-untyped-def]
    got = name_keys(raw)
    assert got is not None
    return got


@pytest.mark.parametrize(
    ("a", "b"),
    [("張偉華", "张伟华"), ("张 伟华", "张伟华"), ("陳麗", "陈丽"), ("阿依古丽·买买提", "阿依古丽 • 买买提"),
     ("阿依古丽．买买提", "阿依古丽买买提"), ("ＺＨＡＮＧ Wei", "zhang wei")],
)  # fmt: skip
def test_spellings_of_one_name_are_the_same_name(a: str, b: str) -> None:
    assert keys(a).simple == keys(b).simple


@pytest.mark.parametrize(("a", "b"), [("张伟", "张玮"), ("李丽", "李莉"), ("曾明", "增明"), ("单雄", "善雄")])
def test_homophones_share_their_pinyin_but_not_their_characters(a: str, b: str) -> None:
    assert keys(a).simple != keys(b).simple
    assert keys(a).phonetic == keys(b).phonetic


def test_a_surname_is_read_as_a_surname() -> None:
    assert keys("曾丽").phonetic == "li zeng"  # 曾 is ceng in 曾经, zeng as a surname
    assert keys("单雄").phonetic == "shan xiong"
    assert keys("欧阳娜娜").phonetic == "nana ouyang"  # a compound surname is one word


@pytest.mark.parametrize(("a", "b"), [("陈明", "岑明"), ("刘强", "牛强"), ("张芳", "臧芳"), ("王成", "王晨")])
def test_near_homophones_agree_only_in_the_fuzzy_key(a: str, b: str) -> None:
    assert keys(a).phonetic != keys(b).phonetic
    assert keys(a).fuzzy == keys(b).fuzzy


def test_fuzzy_syllables_merge_the_usual_confusions() -> None:
    assert [fuzzy_syllable(s) for s in ("zhang", "chen", "shi", "lan", "ning", "rong")] == [
        "zan", "cen", "si", "nan", "nin", "nong",
    ]  # fmt: skip


def test_heteronyms_can_be_read_alike() -> None:
    assert could_read_alike("张乐", "张悦")  # 乐 le / yue
    assert not could_read_alike("张乐", "张伟")
    assert not could_read_alike("张乐", "张乐乐")


def test_latin_names_ignore_case_order_and_punctuation() -> None:
    forms = ["John Smith", "SMITH, John", "smith john", "Smith  John."]
    assert len({keys(f).simple for f in forms}) == 1
    assert all(keys(f).latin for f in forms)


def test_a_romanised_name_meets_its_chinese_form_in_pinyin() -> None:
    assert keys("Ayiguli Maimaiti").phonetic == keys("阿依古丽·买买提").phonetic
    assert keys("Zhang Weihua").phonetic == keys("张伟华").phonetic
    assert keys("WEIHUA ZHANG").phonetic == keys("张伟华").phonetic


def test_nothing_left_is_no_name() -> None:
    assert name_keys(None) is None
    assert name_keys("  ") is None
    assert name_keys("·") is None


def test_characters_are_simplified_one_by_one_not_as_phrases() -> None:
    """OpenCC's phrase table reads 沈香 as 沉香 (agarwood); in a name, 沈 is the surname Shen."""
    assert name_keys("沈香菊").simple == "沈香菊"  # type: ignore[union-attr]
    assert name_keys("沈香菊").phonetic == "shen xiangju"  # type: ignore[union-attr]
    assert name_keys("瀋香菊").simple == "沈香菊"  # type: ignore[union-attr]
    table = name_table(["沈香菊", "張偉", "瀋香菊"]).sort("name")
    assert table.get_column("name_simple").to_list() == ["张伟", "沈香菊", "沈香菊"]


def test_the_shipped_character_table_is_what_the_libraries_say() -> None:
    """``chars.tsv.gz`` is pypinyin's and OpenCC's answers, computed ahead: still theirs."""
    from services.matching.engine import chars

    assert gzip.decompress(chars.FILE.read_bytes()).decode().split("\n") == chars.table_lines()
    assert chars.shipped()["乐"][1][:2] == ("le", "yue") and chars.shipped()["張"][0] == "张"
    assert char_readings("𠀀") == chars.ask_readings("𠀀")  # outside the table: asked
