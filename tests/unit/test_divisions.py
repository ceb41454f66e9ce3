"""Administrative division codes: format rules, hierarchy, and the versioned 2022 table."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.codes.divisions import (
    DivisionLevel,
    DivisionTable,
    InvalidDivisionCode,
    TownshipKind,
    VillageKind,
    available_versions,
    canonical_code,
    division_level,
    is_within,
    parent_code,
    township_kind,
    village_kind,
)

TABLE = DivisionTable.load("2022")
TOWNSHIPS = sorted(c for c in TABLE if len(c) == 9)


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("11", DivisionLevel.PROVINCE),
        ("110000", DivisionLevel.PROVINCE),
        ("1101", DivisionLevel.PREFECTURE),
        ("110100", DivisionLevel.PREFECTURE),
        ("110105", DivisionLevel.COUNTY),
        ("110105001", DivisionLevel.TOWNSHIP),
        ("110105001001", DivisionLevel.VILLAGE),
        ("110105001000", DivisionLevel.TOWNSHIP),  # NBS zero padding
        ("110105000000", DivisionLevel.COUNTY),
        ("110000000000", DivisionLevel.PROVINCE),
        (" 110105 ", DivisionLevel.COUNTY),
    ],
)
def test_division_level(code: str, level: DivisionLevel) -> None:
    assert division_level(code) is level


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "1",
        "110",
        "11010",
        "1101050",
        "11010500100",
        "11O105",
        "１１０１０５",
        "00",
        "000000",
        "1100",
        "110005",
    ],
)
def test_malformed_codes_raise(bad: str) -> None:
    with pytest.raises(InvalidDivisionCode, match="12 \\(village\\) digits") as exc:
        division_level(bad)
    assert isinstance(exc.value, ValueError)


def test_error_never_echoes_a_long_value() -> None:
    with pytest.raises(InvalidDivisionCode) as exc:
        division_level("11010519491231002X")
    assert "11010519491231002X" not in str(exc.value)


@pytest.mark.parametrize(
    ("code", "canonical"),
    [
        ("11", "110000"),
        ("1101", "110100"),
        ("110105", "110105"),
        ("110105001000", "110105001"),
        ("4419", "441900"),
    ],
)
def test_canonical_code(code: str, canonical: str) -> None:
    assert canonical_code(code) == canonical


def test_parent_chain() -> None:
    assert parent_code("110105001001") == "110105001"
    assert parent_code("110105001") == "110105"
    assert parent_code("110105") == "110100"
    assert parent_code("110100") == parent_code("1101") == "110000"
    assert parent_code("110000") is None
    assert parent_code("11") is None
    assert parent_code("441900003") == "441900"  # 东莞: township directly under the city


def test_is_within() -> None:
    assert is_within("110105001", "110105")
    assert is_within("110105001", "110000")
    assert is_within("110105001", "11")
    assert is_within("110105001001", "110105001")
    assert is_within("110105001001", "110105001000")
    assert is_within("110105", "110105")
    assert not is_within("110105001", "110106")
    assert not is_within("110105", "110105001")
    assert not is_within("110105001001", "110105002")
    assert not is_within("120105", "110000")


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("110105001", TownshipKind.SUBDISTRICT),
        ("110105099", TownshipKind.SUBDISTRICT),
        ("110106100", TownshipKind.TOWN),
        ("110106199", TownshipKind.TOWN),
        ("110111200", TownshipKind.TOWNSHIP),
        ("110111399", TownshipKind.TOWNSHIP),
        ("110115400", TownshipKind.TOWNSHIP_LIKE),
        ("110115599", TownshipKind.TOWNSHIP_LIKE),
        ("110115600", TownshipKind.UNKNOWN),
        ("110105001001", TownshipKind.SUBDISTRICT),
    ],
)
def test_township_kind(code: str, kind: TownshipKind) -> None:
    assert township_kind(code) is kind


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("110105001001", VillageKind.URBAN),
        ("110105001199", VillageKind.URBAN),
        ("110106100200", VillageKind.RURAL),
        ("110106100399", VillageKind.RURAL),
        ("110106100400", VillageKind.UNKNOWN),
    ],
)
def test_village_kind(code: str, kind: VillageKind) -> None:
    assert village_kind(code) is kind


def test_kinds_need_deep_enough_codes() -> None:
    with pytest.raises(InvalidDivisionCode):
        township_kind("110105")
    with pytest.raises(InvalidDivisionCode):
        village_kind("110105001")


# --- the 2022 table ------------------------------------------------------------------------


def test_table_is_cached_and_versioned() -> None:
    assert DivisionTable.load() is TABLE
    assert TABLE.version == "2022"
    assert "2022" in available_versions()
    assert TABLE.deepest_level is DivisionLevel.TOWNSHIP
    # 31 provinces + 342 prefectures + 2,978 counties (3 are also prefectures) + 41,352 townships
    assert len(TABLE) == 31 + 342 + 2978 - 3 + 41352


def test_unknown_version() -> None:
    with pytest.raises(LookupError, match="2022"):
        DivisionTable.load("1999")
    with pytest.raises(ValueError):
        DivisionTable.load("../2022")


def test_names_and_lookup() -> None:
    assert TABLE.name("110105") == "朝阳区"
    assert TABLE.name("11") == "北京市"
    assert TABLE.name("110105001") == "建外街道"
    division = TABLE.lookup("110105001")
    assert division is not None
    assert (division.code, division.level, division.parent) == ("110105001", DivisionLevel.TOWNSHIP, "110105")
    assert TABLE.lookup("110199") is None
    assert TABLE.name("110199") is None


def test_full_name() -> None:
    assert TABLE.full_name("110105") == "北京市 朝阳区"
    assert TABLE.full_name("110105", skip_placeholders=False) == "北京市 市辖区 朝阳区"
    assert TABLE.full_name("110105001", sep="") == "北京市朝阳区建外街道"
    assert TABLE.full_name("441900003") == "广东省 东莞市 东城街道"
    assert TABLE.full_name("419001") == "河南省 济源市"
    assert TABLE.full_name("110199") is None


def test_children() -> None:
    counties = TABLE.children("110100")
    assert "110105" in [d.code for d in counties]
    assert all(d.level is DivisionLevel.COUNTY and d.parent == "110100" for d in counties)
    townships = TABLE.children("110105")
    assert len(townships) == 43
    assert [d.code for d in townships] == sorted(d.code for d in townships)
    assert all(is_within(d.code, "110105") for d in townships)
    assert [d.name for d in TABLE.children("441900")][:2] == ["东城街道", "南城街道"]
    assert TABLE.children("110199") == []


def test_check_warns_for_unknown_and_raises_for_malformed() -> None:
    assert TABLE.check("110105") == []
    assert TABLE.check("110105001") == []
    assert TABLE.check("110105001001") == []  # no villages in 2022: the township is checked
    unknown = TABLE.check("110199")
    assert len(unknown) == 1 and "110199" in unknown[0] and "2022" in unknown[0]
    assert any("110105888" in w for w in TABLE.check("110105888001"))
    assert any("block 999" in w for w in TABLE.check("110105001999"))
    with pytest.raises(InvalidDivisionCode):
        TABLE.check("1101X5")


def test_contains() -> None:
    assert "110105" in TABLE
    assert "11" in TABLE
    assert "110199" not in TABLE
    assert "not a code" not in TABLE
    assert 110105 not in TABLE


def test_load_from_another_directory(tmp_path: Path) -> None:
    d = tmp_path / "2099"
    d.mkdir()
    (d / "provinces.csv").write_text('code,name\n11,"北京市"\n', encoding="utf-8")
    (d / "cities.csv").write_text('code,name,provinceCode\n1101,"市辖区",11\n', encoding="utf-8")
    (d / "areas.csv").write_text('code,name,cityCode,provinceCode\n110199,"新区",1101,11\n', encoding="utf-8")
    (d / "streets.csv").write_text("code,name,areaCode,provinceCode,cityCode\n", encoding="utf-8")
    table = DivisionTable.load("2099", data_dir=tmp_path)
    assert table.full_name("110199") == "北京市 新区"
    assert table.deepest_level is DivisionLevel.COUNTY
    assert table.check("110199") == []
    assert table.check("110199001") == []  # deeper than the table: the covered county is checked
    assert "110105" not in table


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(TOWNSHIPS))
def test_every_township_hangs_under_known_ancestors(code: str) -> None:
    parent = parent_code(code)
    assert parent is not None and parent in TABLE and is_within(code, parent)
    assert TABLE.check(code) == []
    full = TABLE.full_name(code)
    assert full is not None and full.endswith(TABLE.name(code) or "?")
    assert code in [d.code for d in TABLE.children(parent)]
