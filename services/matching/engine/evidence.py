"""Evidence: what each comparison level means, as machine codes with Chinese and English text."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from services.matching.engine.compare import FIELDS

TEXT: dict[str, tuple[str, str]] = {
    "id_missing": ("身份证号缺失，无法比较", "ID number missing on one side"),
    "id_exact": ("身份证号一致（均通过校验）", "same valid ID number"),
    "id_repaired": (
        "身份证号一位录入错误（错位、多位、少位），修正后一致",
        "ID number matches after one typo is repaired",
    ),
    "id_same_invalid": ("证件号相同，但不是有效身份证号", "same number on both sides, not a valid ID number"),
    "id_differs": (
        "身份证号不同（至少一方未通过校验）",
        "different ID numbers, at least one failing its check",
    ),
    "id_conflict": ("两个不同的有效身份证号：不是同一人", "two different valid ID numbers: two people"),
    "name_missing": ("姓名缺失", "name missing on one side"),
    "name_exact": (
        "姓名一致（已做繁简、空格、间隔号处理）",
        "same name (after traditional→simplified, spaces, dots)",
    ),
    "name_homophone": ("姓名同音", "names sound the same (homophone)"),
    "name_near_homophone": ("姓名近音（如 z/zh、n/l）", "names sound nearly the same (z/zh, n/l …)"),
    "name_similar": ("姓名拼音相近", "names' pinyin is similar"),
    "name_differs": ("姓名不同", "different names"),
    "birth_missing": ("出生日期缺失", "birth date missing on one side"),
    "birth_exact": ("出生日期一致", "same birth date"),
    "birth_swapped": ("出生日期月、日颠倒", "birth date with day and month swapped"),
    "birth_typo": ("出生日期一位录入差异", "birth dates differ by one typed digit"),
    "birth_differs": ("出生日期不同", "different birth dates"),
    "sex_missing": ("性别缺失", "sex missing on one side"),
    "sex_agrees": ("性别一致", "same sex"),
    "sex_differs": ("性别不同", "different sex"),
    "division_missing": ("行政区划缺失", "division missing on one side"),
    "same_village": ("同一村（社区）", "same village or community"),
    "same_township": ("同一乡镇（街道）", "same township"),
    "same_county": ("同一县（区）", "same county"),
    "same_prefecture": ("同一地市", "same prefecture"),
    "division_differs": ("不同地市", "different prefectures"),
}
MISSING = {field: f"{field}_missing" for field in FIELDS}


def code(field: str, level: int) -> str:
    return MISSING[field] if level == 0 else FIELDS[field][level - 1]


def explain(levels: NDArray[np.int8], weights: NDArray[np.float64]) -> list[dict[str, Any]]:
    """One pair's evidence: per field, its code, the texts and the weight it added (bits)."""
    out = []
    for f, field in enumerate(FIELDS):
        c = code(field, int(levels[f]))
        zh, en = TEXT[c]
        out.append({"field": field, "code": c, "zh": zh, "en": en, "weight": round(float(weights[f]), 2)})
    return out
