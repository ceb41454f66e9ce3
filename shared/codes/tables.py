"""Small national code tables: sex (GB/T 2261.1) and family relationship (GB/T 4761-2008).

Every entry has a Chinese and an English name (``CodeName``). Lookups take the code as text
(``"01"``) or as a number (``1``: spreadsheets drop the leading zero) and return ``None`` for an
unknown code rather than raising: these tables sit on the import path of dirty data.
"""

from __future__ import annotations

import unicodedata
from enum import StrEnum
from typing import NamedTuple

from shared.i18n import Lang


class CodeName(NamedTuple):
    """The Chinese and English name of one code."""

    zh: str
    en: str

    def get(self, lang: Lang = "zh") -> str:
        return self.zh if lang == "zh" else self.en


# --- Sex: GB/T 2261.1-2003 人的性别代码 -------------------------------------------------------

SEX_CODES: dict[str, CodeName] = {
    "0": CodeName("未知的性别", "unknown"),
    "1": CodeName("男", "male"),
    "2": CodeName("女", "female"),
    "9": CodeName("未说明的性别", "unstated"),
}

# Free-text spellings clerks and source systems use, after NFKC + casefold + strip.
_SEX_ALIASES: dict[str, str] = {
    "0": "0", "未知": "0", "未知的性别": "0", "unknown": "0",
    "1": "1", "男": "1", "男性": "1", "m": "1", "male": "1", "man": "1",
    "2": "2", "女": "2", "女性": "2", "f": "2", "female": "2", "woman": "2",
    "9": "9", "未说明": "9", "未说明的性别": "9",
}  # fmt: skip


def normalize_sex(raw: str | int | None) -> str | None:
    """Map a sex value (``"1"``, ``"男"``, ``"M"``, ``"female"``, ``2`` …) to its GB/T 2261.1 code.

    Returns ``None`` for empty or unrecognised input (never guesses).
    """
    if raw is None:
        return None
    text = unicodedata.normalize("NFKC", str(raw)).strip().casefold()
    return _SEX_ALIASES.get(text)


def sex_name(code: str | int | None, lang: Lang = "zh") -> str | None:
    """Name of a sex code, e.g. ``sex_name("2") == "女"``; ``None`` if unknown."""
    entry = SEX_CODES.get(str(code)) if code is not None else None
    return entry.get(lang) if entry else None


# --- Family relationship: GB/T 4761-2008 家庭关系代码 ------------------------------------------

RELATIONSHIP_CODES: dict[str, CodeName] = {
    "01": CodeName("本人", "self"),
    "02": CodeName("户主", "head of household"),
    "10": CodeName("配偶", "spouse"),
    "11": CodeName("夫", "husband"),
    "12": CodeName("妻", "wife"),
    "20": CodeName("子", "son"),
    "21": CodeName("独生子", "only son"),
    "22": CodeName("长子", "eldest son"),
    "23": CodeName("次子", "second son"),
    "24": CodeName("三子", "third son"),
    "25": CodeName("四子", "fourth son"),
    "26": CodeName("五子", "fifth son"),
    "27": CodeName("养子或继子", "adopted son or stepson"),
    "28": CodeName("女婿", "son-in-law"),
    "29": CodeName("其他儿子", "other son"),
    "30": CodeName("女", "daughter"),
    "31": CodeName("独生女", "only daughter"),
    "32": CodeName("长女", "eldest daughter"),
    "33": CodeName("次女", "second daughter"),
    "34": CodeName("三女", "third daughter"),
    "35": CodeName("四女", "fourth daughter"),
    "36": CodeName("五女", "fifth daughter"),
    "37": CodeName("养女或继女", "adopted daughter or stepdaughter"),
    "38": CodeName("儿媳", "daughter-in-law"),
    "39": CodeName("其他女儿", "other daughter"),
    "40": CodeName("孙子、孙女或外孙子、外孙女", "grandchild"),
    "41": CodeName("孙子", "grandson (son's son)"),
    "42": CodeName("孙女", "granddaughter (son's daughter)"),
    "43": CodeName("外孙子", "grandson (daughter's son)"),
    "44": CodeName("外孙女", "granddaughter (daughter's daughter)"),
    "45": CodeName("孙媳妇或外孙媳妇", "grandson's wife"),
    "46": CodeName("孙女婿或外孙女婿", "granddaughter's husband"),
    "47": CodeName("曾孙子或外曾孙子", "great-grandson"),
    "48": CodeName("曾孙女或外曾孙女", "great-granddaughter"),
    "49": CodeName("其他孙子、孙女或外孙子、外孙女", "other grandchild"),
    "50": CodeName("父母", "parent"),
    "51": CodeName("父亲", "father"),
    "52": CodeName("母亲", "mother"),
    "53": CodeName("公公", "husband's father"),
    "54": CodeName("婆婆", "husband's mother"),
    "55": CodeName("岳父", "wife's father"),
    "56": CodeName("岳母", "wife's mother"),
    "57": CodeName("继父或养父", "stepfather or adoptive father"),
    "58": CodeName("继母或养母", "stepmother or adoptive mother"),
    "59": CodeName("其他父母关系", "other parent relationship"),
    "60": CodeName("祖父母或外祖父母", "grandparent"),
    "61": CodeName("祖父", "paternal grandfather"),
    "62": CodeName("祖母", "paternal grandmother"),
    "63": CodeName("外祖父", "maternal grandfather"),
    "64": CodeName("外祖母", "maternal grandmother"),
    "65": CodeName("配偶的祖父母或外祖父母", "spouse's grandparent"),
    "66": CodeName("曾祖父", "great-grandfather"),
    "67": CodeName("曾祖母", "great-grandmother"),
    "68": CodeName("配偶的曾祖父母或外曾祖父母", "spouse's great-grandparent"),
    "69": CodeName("其他祖父母或外祖父母关系", "other grandparent relationship"),
    "70": CodeName("兄弟姐妹", "sibling"),
    "71": CodeName("兄", "elder brother"),
    "72": CodeName("嫂", "elder brother's wife"),
    "73": CodeName("弟", "younger brother"),
    "74": CodeName("弟媳", "younger brother's wife"),
    "75": CodeName("姐姐", "elder sister"),
    "76": CodeName("姐夫", "elder sister's husband"),
    "77": CodeName("妹妹", "younger sister"),
    "78": CodeName("妹夫", "younger sister's husband"),
    "79": CodeName("其他兄弟姐妹", "other sibling"),
    "80": CodeName("其他", "other"),
    "81": CodeName("伯父", "father's elder brother"),
    "82": CodeName("伯母", "wife of father's elder brother"),
    "83": CodeName("叔父", "father's younger brother"),
    "84": CodeName("婶母", "wife of father's younger brother"),
    "85": CodeName("舅父", "mother's brother"),
    "86": CodeName("舅母", "wife of mother's brother"),
    "87": CodeName("姨父", "husband of mother's sister"),
    "88": CodeName("姨母", "mother's sister"),
    "89": CodeName("姑父", "husband of father's sister"),
    "90": CodeName("姑母", "father's sister"),
    "91": CodeName("堂兄弟、堂姐妹", "paternal cousin (father's brother's child)"),
    "92": CodeName("表兄弟、表姐妹", "cousin (child of father's sister or of mother's sibling)"),
    "93": CodeName("侄子", "nephew (brother's son)"),
    "94": CodeName("侄女", "niece (brother's daughter)"),
    "95": CodeName("外甥", "nephew (sister's son)"),
    "96": CodeName("外甥女", "niece (sister's daughter)"),
    "97": CodeName("其他亲属", "other relative"),
    "99": CodeName("非亲属", "non-relative"),
}


class RelationshipGroup(StrEnum):
    """Coarse group of a relationship code, by its leading digit (80-97 other, 99 non-relative)."""

    SELF = "self"
    SPOUSE = "spouse"
    CHILD = "child"  # 2x sons (incl. 28 son-in-law) and 3x daughters (incl. 38 daughter-in-law)
    GRANDCHILD = "grandchild"
    PARENT = "parent"
    GRANDPARENT = "grandparent"
    SIBLING = "sibling"
    OTHER_RELATIVE = "other_relative"
    NON_RELATIVE = "non_relative"


_GROUP_BY_LEADING_DIGIT: dict[str, RelationshipGroup] = {
    "0": RelationshipGroup.SELF,
    "1": RelationshipGroup.SPOUSE,
    "2": RelationshipGroup.CHILD,
    "3": RelationshipGroup.CHILD,
    "4": RelationshipGroup.GRANDCHILD,
    "5": RelationshipGroup.PARENT,
    "6": RelationshipGroup.GRANDPARENT,
    "7": RelationshipGroup.SIBLING,
    "8": RelationshipGroup.OTHER_RELATIVE,
    "9": RelationshipGroup.OTHER_RELATIVE,
}

# Names people write instead of the code (besides the table's own names).
_RELATIONSHIP_ALIASES: dict[str, str] = {
    "儿子": "20", "女儿": "30", "丈夫": "11", "妻子": "12", "父": "51", "母": "52",
    "哥哥": "71", "弟弟": "73", "嫂子": "72", "孙女婿": "46", "孙媳": "45",
}  # fmt: skip
_RELATIONSHIP_BY_NAME: dict[str, str] = {
    **{name.zh: code for code, name in RELATIONSHIP_CODES.items()},
    **_RELATIONSHIP_ALIASES,
}


def _relationship_key(code: str | int | None) -> str | None:
    if code is None:
        return None
    text = unicodedata.normalize("NFKC", str(code)).strip()
    if len(text) == 1 and text.isdigit():
        text = "0" + text  # "1" from a spreadsheet that dropped the leading zero
    return text if text in RELATIONSHIP_CODES else None


def is_valid_relationship(code: str | int | None) -> bool:
    """True if ``code`` is a GB/T 4761-2008 code (``"1"``/``1`` count as ``"01"``)."""
    return _relationship_key(code) is not None


def relationship_name(code: str | int | None, lang: Lang = "zh") -> str | None:
    """``relationship_name("12") == "妻"``, ``relationship_name("12", "en") == "wife"``; None if unknown."""
    key = _relationship_key(code)
    return RELATIONSHIP_CODES[key].get(lang) if key else None


def relationship_group(code: str | int | None) -> RelationshipGroup | None:
    """Group of a relationship code (``"22"`` → ``CHILD``, ``"99"`` → ``NON_RELATIVE``); None if unknown."""
    key = _relationship_key(code)
    if key is None:
        return None
    if key == "99":
        return RelationshipGroup.NON_RELATIVE
    return _GROUP_BY_LEADING_DIGIT[key[0]]


def normalize_relationship(raw: str | int | None) -> str | None:
    """Map a code (``"1"``, ``"01"``, ``12``) or a Chinese name (``"妻"``, ``"妻子"``) to the code."""
    key = _relationship_key(raw)
    if key is not None or raw is None:
        return key
    return _RELATIONSHIP_BY_NAME.get(unicodedata.normalize("NFKC", str(raw)).strip())
