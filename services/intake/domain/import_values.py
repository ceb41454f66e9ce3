"""The values a township types into the import template: names for codes, dates, amounts, yes/no.

Each parser raises ``BadValue`` with a code and a bilingual message; the row reader turns that into
a row error naming the column.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from shared.i18n import Text


class Column(NamedTuple):
    field: str
    zh: str
    en: str
    required: bool
    description: str


COLUMNS: tuple[Column, ...] = (
    Column(
        "source_ref", "申请编号", "application_ref", True, "Your reference; rows of one application share it"
    ),
    Column(
        "programme",
        "救助项目",
        "programme",
        True,
        "城市低保 农村低保 特困 临时救助（急难型/支出型） 低保边缘",
    ),
    Column("channel", "申请渠道", "channel", False, "窗口 网上 代办 主动发现 (default 窗口)"),
    Column(
        "division_code", "户籍地区划代码", "division_code", True, "9-digit township or 12-digit village code"
    ),
    Column("residence_division_code", "居住地区划代码", "residence_division_code", False, "When different"),
    Column("area_type", "城乡类别", "area_type", True, "城镇 or 农村"),
    Column("address", "家庭住址", "address", False, ""),
    Column(
        "authorisation_signed_on",
        "核对授权日期",
        "authorisation_signed_on",
        False,
        "Date the 核对授权书 was signed",
    ),
    Column("close_relative_filed", "近亲属备案", "close_relative_filed", False, "是 / 否"),
    Column("reason", "申请事由", "reason", False, ""),
    Column("name", "姓名", "name", True, ""),
    Column("id_number", "身份证号码", "id_number", True, "18 characters (old 15-digit accepted)"),
    Column("sex", "性别", "sex", False, "男 / 女; default from the ID"),
    Column("birth_date", "出生日期", "birth_date", False, "1990-03-07, 19900307, 1990/3/7, 1990年3月7日"),
    Column("relationship", "与户主关系", "relationship", True, "GB/T 4761 code or name: 户主 配偶 子 女 …"),
    Column(
        "is_applicant", "是否申请人", "is_applicant", False, "是 for the member who applies (default 户主)"
    ),
    Column(
        "disability_category",
        "残疾类别",
        "disability_category",
        False,
        "1-7 or 视力 听力 言语 肢体 智力 精神 多重",
    ),
    Column("disability_grade", "残疾等级", "disability_grade", False, "1-4 or 一级 … 四级"),
    Column(
        "work_capacity", "劳动能力", "work_capacity", False, "有劳动能力 部分丧失劳动能力 完全丧失劳动能力"
    ),
    Column("monthly_income", "月收入", "monthly_income", False, "This member's monthly income, yuan"),
    Column("income_kind", "收入类型", "income_kind", False, "工资 经营 财产 转移 其他 (default 工资)"),
    Column("income_irregular", "收入不稳定", "income_irregular", False, "是 / 否"),
    Column("property_kind", "财产类型", "property_kind", False, "存款 有价证券 房产 机动车 工商登记 其他"),
    Column("property_value", "财产价值", "property_value", False, "Yuan"),
)


def key(value: str) -> str:
    """How a typed value is compared: NFKC (full-width → half-width), trimmed, case-folded, no spaces."""
    return unicodedata.normalize("NFKC", value).strip().casefold().replace(" ", "")


def table(entries: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {key(alias): code for code, aliases in entries.items() for alias in (code, *aliases)}


PROGRAMMES = table(
    {
        "dibao_urban": ("城市低保", "城镇低保", "城市最低生活保障"),
        "dibao_rural": ("农村低保", "农村最低生活保障"),
        "tekun": ("特困", "特困供养", "特困人员救助供养"),
        "linshi_urgent": ("临时救助(急难型)", "急难型临时救助", "临时救助急难型"),
        "linshi_expense": ("临时救助(支出型)", "支出型临时救助", "临时救助支出型"),
        "dibao_edge": ("低保边缘", "低保边缘家庭"),
    }
)
CHANNELS = table(
    {
        "in_person": ("窗口", "当面", "窗口受理"),
        "online": ("网上", "网上申请"),
        "agent": ("代办", "委托代办"),
        "outreach": ("主动发现",),
    }
)
AREAS = table({"urban": ("城镇", "城市", "城"), "rural": ("农村", "乡村", "乡")})
CAPACITY = table(
    {
        "full": ("有劳动能力", "有"),
        "partial": ("部分丧失劳动能力", "部分丧失"),
        "none": ("完全丧失劳动能力", "无劳动能力", "丧失劳动能力", "无"),
    }
)
INCOME = table(
    {
        "wage": ("工资", "工资性收入"),
        "business": ("经营", "经营净收入"),
        "property": ("财产", "财产净收入"),
        "transfer": ("转移", "转移净收入"),
        "other": ("其他",),
    }
)
PROPERTY = table(
    {
        "deposit": ("存款",),
        "securities": ("有价证券", "理财"),
        "house": ("房产", "住房"),
        "vehicle": ("机动车", "车辆"),
        "business": ("工商登记", "经营实体"),
        "other": ("其他",),
    }
)
DISABILITY = table(
    {
        "1": ("视力",),
        "2": ("听力",),
        "3": ("言语",),
        "4": ("肢体",),
        "5": ("智力",),
        "6": ("精神",),
        "7": ("多重",),
    }
)
GRADES = table({"1": ("一级",), "2": ("二级",), "3": ("三级",), "4": ("四级",)})
YES = {key(v) for v in ("是", "y", "yes", "true", "1", "有")}
NO = {key(v) for v in ("否", "n", "no", "false", "0", "无", "")}
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


class BadValue(ValueError):
    def __init__(self, code: str, en: str, zh: str) -> None:
        super().__init__(en)
        self.code, self.text = code, Text(en, zh)


def choice(value: str, table: dict[str, str], what: Text) -> str:
    code = table.get(key(value))
    if code is None:
        raise BadValue("value_unknown", f"Not a known {what.en}", f"不是有效的{what.zh}")
    return code


def parse_date(value: str) -> date:
    text = unicodedata.normalize("NFKC", value).strip()
    m = _DATE.fullmatch(text)
    if m is None and len(text) == 8 and text.isdigit():
        m = _DATE.fullmatch(f"{text[:4]}-{text[4:6]}-{text[6:]}")
    try:
        if m is None:
            raise ValueError(text)
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise BadValue(
            "date_invalid", "Not a date (e.g. 1990-03-07)", "不是有效日期（如 1990-03-07）"
        ) from None


def parse_money(value: str) -> Decimal:
    text = unicodedata.normalize("NFKC", value).strip().replace(",", "").removesuffix("元")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise BadValue(
            "money_invalid", "Not an amount (e.g. 1200.50)", "不是有效金额（如 1200.50）"
        ) from None
    if not amount.is_finite():
        raise BadValue("money_invalid", "Not an amount (e.g. 1200.50)", "不是有效金额（如 1200.50）")
    return amount


def flag(value: str) -> bool:
    k = key(value)
    if k in YES:
        return True
    if k in NO:
        return False
    raise BadValue("flag_invalid", "Must be 是 or 否", "应填“是”或“否”")
