"""Who lives in a synthetic household: roles, sexes and birth dates (part of ``bench/population.py``)."""

from __future__ import annotations

from datetime import date

from bench import population_names as nm

REF_ORD = date(2024, 12, 31).toordinal()  # ages are counted to this day; births run to 2024
MIN_ORD = date(1930, 1, 1).toordinal()
HEAD, SPOUSE, KID, GRANDPA, OTHER = range(5)  # HEAD, KID and GRANDPA carry the family surname


def _birth(rng: nm.Rng, age: int) -> int:
    """A birth date (yyyymmdd) for someone ``age`` years old (at most 94: born 1930 or later)."""
    d = date.fromordinal(max(MIN_ORD, REF_ORD - int(min(age, 94) * 365.2425) - rng.randrange(365)))
    return d.year * 10000 + d.month * 100 + d.day


def members(rng: nm.Rng) -> tuple[int, list[list[int]]]:
    """(household type, [[role, sex, birth yyyymmdd(, 1 for a twin)], ...])."""
    t, r = rng.random(), rng.randint
    old = min(94, 60 + int(rng.expovariate(1 / 11)))
    if t < 0.15:  # 0: one old person
        return 0, [[HEAD, 1 if rng.random() < 0.42 else 2, _birth(rng, old)]]
    if t < 0.28:  # 1: old couple
        return 1, [[HEAD, 1, _birth(rng, old)], [SPOUSE, 2, _birth(rng, max(55, old - r(-2, 6)))]]
    if t < 0.38:  # 2: one adult of working age (often disabled)
        return 2, [[HEAD, rng.choice((1, 1, 2)), _birth(rng, r(18, 59))]]
    a = r(40, 59)
    if t < 0.45:  # 3: middle-aged couple, children gone
        return 3, [[HEAD, 1, _birth(rng, a)], [SPOUSE, 2, _birth(rng, max(38, a - r(-2, 5)))]]
    if t < 0.52:  # 4: single parent
        kind, mother = 4, r(24, 50)
        mem = [[HEAD, 2 if rng.random() < 0.75 else 1, _birth(rng, mother)]]
    elif t < 0.56:  # 5: grandparents raising grandchildren, the parents work away
        kind, a = 5, r(55, 80)
        mem, mother = [[HEAD, 1, _birth(rng, a)], [SPOUSE, 2, _birth(rng, a - r(0, 4))]], a - 30
    else:  # 6: couple with children, 7: and the husband's parents
        kind, a = 6, r(24, 56)
        mother = max(21, a - r(-1, 5))
        mem = [[HEAD, 1, _birth(rng, a)], [SPOUSE, 2, _birth(rng, mother)]]
        if t >= 0.80:
            kind, g = 7, min(94, a + r(22, 34))
            mem.append([GRANDPA, 1, _birth(rng, g)])
            if rng.random() < 0.6:
                mem.append([OTHER, 2, _birth(rng, min(94, g - r(0, 5)))])
    for _ in range(rng.choice((1, 1, 2, 2, 2, 3))):
        if len(mem) >= 6 or mother < 20:
            break
        kid = [KID, rng.choice((1, 2)), _birth(rng, r(0, min(24, mother - 20)))]
        mem.append(kid)
        if len(mem) < 6 and rng.random() < 0.01:  # twins: same birth date
            mem.append([KID, kid[1] if rng.random() < 0.65 else 3 - kid[1], kid[2], 1])
    return kind, mem
