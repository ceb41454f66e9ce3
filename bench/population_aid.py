"""The aid a synthetic roster record stands for: programme, status, dates and amount.

Part of ``bench/population.py``; the rosters are numbered as there (``ROSTER_INDEX``).
"""

from __future__ import annotations

from bench import population_names as nm

DIBAO, TEKUN, TEMP, CDPF, PENSION, MEDICAL, STUDENT, HOUSING = range(8)


def aid_fields(
    rng: nm.Rng, s: int, birth: int, disability: int, urban: bool, ended_share: float
) -> dict[str, str | None]:
    """Programme, status, dates and amount of roster ``s``'s aid to a person born ``birth``."""
    r, ri = rng.random, rng.randint
    month, one_off, amount = ri(0, 155), s in (TEMP, MEDICAL) or (s == HOUSING and not urban), 0.0
    start = f"{2012 + month // 12}-{month % 12 + 1:02d}-01"  # 2012-01 .. 2024-12
    if s == DIBAO:
        prog, amount = ("dibao_urban", ri(40, 75) * 10) if urban else ("dibao_rural", ri(25, 52) * 10)
    elif s == TEKUN:
        prog, amount = ("tekun_dispersed" if r() < 0.85 else "tekun_centralised"), ri(90, 140) * 10
    elif s == TEMP:
        prog, amount = ("linshi_urgent" if r() < 0.4 else "linshi_expense"), ri(3, 80) * 100
    elif s == CDPF:  # grade 1-2: care subsidy, else living subsidy
        care = disability % 10 <= 2
        prog, amount = ("disability_care_subsidy", 100) if care else ("disability_living_subsidy", 80)
    elif s == PENSION:  # from the month after the 60th birthday, or the 2011 start
        y, m = birth // 10000 + 60, birth // 100 % 100
        start = "2011-07-01" if y * 100 + m < 201107 else f"{y + (m == 12)}-{m % 12 + 1:02d}-01"
        prog, amount = "pension_basic", ri(1450, 3200) / 10
    elif s == MEDICAL:
        prog, amount = rng.choice(("medical_aid_inpatient", "medical_aid_outpatient")), ri(2, 2000) * 10
    elif s == STUDENT:
        age, start = 2024 - birth // 10000, f"{max(ri(2019, 2024), birth // 10000 + 6)}-09-01"
        stage = "compulsory" if age < 16 else "high_school" if age < 19 else "university"
        prog, amount = f"student_aid_{stage}", {"compulsory": 625, "high_school": 2000}.get(stage, 3300)
    else:
        prog = "housing_rental_subsidy" if urban else "housing_rural_renovation"
        amount = ri(20, 60) * 10 if urban else ri(15, 35) * 1000
    start = max(start, f"{birth // 10000}-{birth // 100 % 100:02d}-01")  # not before birth
    if one_off:
        start = f"{start[:8]}{ri(1, 28):02d}"
    ended = one_off or r() < ended_share
    end = start if one_off else None
    if ended and not one_off:
        end = max(start, f"{min(2024, int(start[:4]) + ri(1, 4))}-{ri(1, 12):02d}-01")
    return {
        "programme": prog,
        "status": "ended" if ended else "active",
        "start_date": start,
        "end_date": end,
        "amount": None if r() < 0.05 else f"{amount:.2f}",
    }
