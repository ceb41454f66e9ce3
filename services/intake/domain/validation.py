"""Field-level checks of an application, in Chinese and English, for the API and the import alike.

``check_application`` never raises on bad data: it returns every field error (reject) and warning
(accept, tell the clerk), and the draft with ID numbers, sexes and birth dates normalised.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from services.intake.domain.application import HEAD_OF_HOUSEHOLD, ApplicationDraft, MemberDraft
from services.intake.domain.household import HouseholdDraft, validate_household
from services.intake.domain.programmes import NEEDS_AUTHORISATION
from shared.codes.divisions import DivisionTable
from shared.codes.idnumber import IdKind, parse_id_number, repair_candidates
from shared.codes.tables import normalize_relationship, normalize_sex
from shared.errors import FieldError
from shared.i18n import Text

Path = tuple[str | int, ...]
MAX_MEMBERS = 30


@dataclass(frozen=True)
class Checked:
    draft: ApplicationDraft
    errors: list[FieldError]
    warnings: list[Text]


def _err(path: Path, code: str, en: str, zh: str, **context: object) -> FieldError:
    return FieldError("body", path, code, Text(en, zh), dict(context))


def _check_member(
    i: int, m: MemberDraft, today: date, errors: list[FieldError], warnings: list[Text]
) -> MemberDraft:
    at: Path = ("members", i)
    info = parse_id_number(m.id_number)
    sex = normalize_sex(m.sex) if m.sex is not None else info.sex
    born = m.birth_date or info.birth_date
    relationship = normalize_relationship(m.relationship)
    if not m.name or not m.name.strip():
        errors.append(_err((*at, "name"), "name_missing", "Name is required", "姓名不能为空"))
    if relationship is None:
        errors.append(
            _err(
                (*at, "relationship"),
                "relationship_code",
                "Not a GB/T 4761 relationship code",
                "不是有效的家庭关系代码（GB/T 4761）",
            )
        )
    if m.sex is not None and sex is None:
        errors.append(
            _err((*at, "sex"), "sex_code", "Sex must be 1 (男) or 2 (女)", "性别应为 1（男）或 2（女）")
        )
    if born is not None and born > today:
        errors.append(
            _err((*at, "birth_date"), "date_in_future", "Date is in the future", "日期不能晚于今天")
        )
    if info.kind in (IdKind.EMPTY, IdKind.INVALID) or info.kind is IdKind.DISABILITY_CERT:
        errors.append(
            _err(
                (*at, "id_number"),
                "id_number_malformed",
                "Must be an 18-character (or old 15-digit) ID number",
                "应为 18 位（或旧 15 位）公民身份号码",
            )
        )
    elif not info.valid:
        errors.append(_id_typo(at, m, sex, born))
    else:
        if m.birth_date is not None and info.birth_date != m.birth_date:
            errors.append(
                _err(
                    (*at, "birth_date"),
                    "birth_date_mismatch",
                    "Birth date differs from the ID number",
                    "出生日期与身份证号码不一致",
                )
            )
        if sex in ("1", "2") and info.sex != sex:
            errors.append(
                _err((*at, "sex"), "sex_mismatch", "Sex differs from the ID number", "性别与身份证号码不一致")
            )
    if m.disability_category is not None and not 1 <= m.disability_category <= 7:
        errors.append(_err((*at, "disability_category"), "disability_category", "Must be 1-7", "应为 1-7"))
    if m.disability_grade is not None and not 1 <= m.disability_grade <= 4:
        errors.append(_err((*at, "disability_grade"), "disability_grade", "Must be 1-4", "应为 1-4"))
    if info.kind is IdKind.RESIDENT_15 and info.valid:
        warnings.append(
            Text(f"members[{i}]: 15-digit ID converted to 18", f"members[{i}]：15 位身份证号已升位")
        )
    return replace(
        m,
        id_number=info.normalized or m.id_number,
        sex=sex,
        birth_date=born,
        relationship=relationship or m.relationship,
        name=m.name.strip() if m.name else m.name,
    )


def _id_typo(at: Path, m: MemberDraft, sex: str | None, born: date | None) -> FieldError:
    """A failing check character: suggest the repair when exactly one agrees with birth date and sex."""
    fits = [
        c
        for c in repair_candidates(m.id_number)
        if (born is None or c[6:14] == born.strftime("%Y%m%d"))
        and (sex not in ("1", "2") or ("1" if int(c[16]) % 2 else "2") == sex)
    ]
    if len(fits) == 1 and born is not None and sex in ("1", "2"):
        return _err(
            (*at, "id_number"),
            "id_number_check",
            "Check character is wrong; did you mean the suggestion?",
            "校验码错误，是否应为建议的号码？",
            suggestion=fits[0],
        )
    return _err(
        (*at, "id_number"),
        "id_number_check",
        "Check character is wrong (a typo?)",
        "身份证号码校验码错误（可能输入有误）",
    )


def _check_money(path: Path, amount: Decimal, errors: list[FieldError]) -> None:
    if not amount.is_finite() or amount < 0:
        errors.append(_err(path, "money_negative", "Must be a non-negative amount", "金额不能为负数"))
    elif amount.as_tuple().exponent < -2:  # type: ignore[operator]
        errors.append(_err(path, "money_precision", "At most 2 decimal places", "金额最多两位小数"))


def check_application(
    draft: ApplicationDraft,
    table: DivisionTable,
    today: date,
    in_scope: Callable[[str], bool],
    *,
    reject_unknown_divisions: bool = True,
) -> Checked:
    errors, warnings = validate_household(
        HouseholdDraft(draft.division_code, draft.residence_division_code, draft.area_type, draft.address),  # type: ignore[arg-type]
        table,
    )
    codes = (
        ("division_code", draft.division_code),
        ("residence_division_code", draft.residence_division_code),
    )
    for name, code in codes:
        if not code or any(e.path == (name,) for e in errors):
            continue
        if reject_unknown_divisions and code[:9] not in table:
            errors.append(
                _err(
                    (name,),
                    "division_unknown",
                    f"Unknown township in division table {table.version}",
                    f"乡镇（街道）代码不在 {table.version} 年区划表中",
                )
            )
        elif name == "division_code" and not in_scope(code):
            errors.append(_err((name,), "division_out_of_scope", "Outside your division", "不在您的辖区内"))
    if not draft.members:
        errors.append(_err(("members",), "members_missing", "At least one member", "至少需要一名家庭成员"))
    elif len(draft.members) > MAX_MEMBERS:
        errors.append(
            _err(
                ("members",),
                "members_too_many",
                f"At most {MAX_MEMBERS} members",
                f"家庭成员不能超过 {MAX_MEMBERS} 人",
            )
        )
    members = [_check_member(i, m, today, errors, warnings) for i, m in enumerate(draft.members)]
    heads = [i for i, m in enumerate(members) if m.relationship == HEAD_OF_HOUSEHOLD]
    if members and len(heads) != 1:
        errors.append(
            _err(
                ("members",),
                "head_of_household",
                f"Exactly one 户主 (relationship 02), found {len(heads)}",
                f"应有且仅有一名户主（关系代码 02），实有 {len(heads)} 名",
            )
        )
    seen: dict[str, int] = {}
    for i, m in enumerate(members):
        first = seen.setdefault(m.id_number, i)
        if first != i:
            errors.append(
                _err(
                    ("members", i, "id_number"),
                    "member_twice",
                    f"Same person as members[{first}]",
                    f"与 members[{first}] 是同一人",
                )
            )
    _check_declaration(draft, today, errors)
    return Checked(replace(draft, members=tuple(members)), errors, warnings)


def _check_declaration(draft: ApplicationDraft, today: date, errors: list[FieldError]) -> None:
    n = len(draft.members)
    if draft.applicant_index is not None and not 0 <= draft.applicant_index < n:
        errors.append(_err(("applicant_index",), "member_index", "No such member", "没有这名家庭成员"))
    amounts = [(("income", i), x.monthly_amount, x.member_index) for i, x in enumerate(draft.income)]
    amounts += [(("property", i), x.value, x.member_index) for i, x in enumerate(draft.property)]
    for at, amount, member in amounts:
        _check_money((*at, "monthly_amount" if at[0] == "income" else "value"), amount, errors)
        if member is not None and not 0 <= member < n:
            errors.append(_err((*at, "member_index"), "member_index", "No such member", "没有这名家庭成员"))
    signed = draft.authorisation_signed_on
    if signed is None and draft.programme in NEEDS_AUTHORISATION:
        errors.append(
            _err(
                ("authorisation_signed_on",),
                "authorisation_missing",
                "The signed economic-check authorisation is required",
                "须签署家庭经济状况核对授权书",
            )
        )
    elif signed is not None and signed > today:
        errors.append(
            _err(("authorisation_signed_on",), "date_in_future", "Date is in the future", "日期不能晚于今天")
        )
    if draft.agent is not None and not draft.agent.name.strip():
        errors.append(_err(("agent", "name"), "name_missing", "Name is required", "姓名不能为空"))
