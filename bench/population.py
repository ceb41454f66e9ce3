"""A synthetic county population and its dirty department rosters, with the ground truth.

    python bench/population.py --persons 100000 --seed 1 --output DIR

writes ``DIR/records.ndjson`` (standard person records, shuffled), ``DIR/truth.csv``
(``source,record_id,person_id``), ``DIR/pairs.csv`` (``kind,person_a,person_b``: twins and
namesakes, distinct people who look alike) and ``DIR/summary.json`` (how often each form of dirt
was applied, the hard cases, records per source). ``persons`` counts the people on at least one
roster. Households are built first into compact per-person arrays (people on no roster are
dropped); then every (person, roster) slot is shuffled and turned into a record on its way to
disk. The same seed gives byte-identical files. Names and typing habits live in
``population_names.py``, places in ``population_places.py``, household members in
``population_households.py``, the aid a record stands for in ``population_aid.py``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from array import array
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import orjson

if __package__ in (None, ""):  # run as a script: make `bench` and `shared` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import population_names as nm
from bench.population_aid import aid_fields
from bench.population_households import GRANDPA, HEAD, KID, OTHER, SPOUSE, members
from bench.population_places import Places
from shared.codes.divisions import DivisionTable
from shared.codes.idnumber import CHECK_CHARS, WEIGHTS


def _line(obj: object) -> bytes:
    return orjson.dumps(obj, option=orjson.OPT_APPEND_NEWLINE)


# Rosters: code, record-id prefix, household-id prefix (None: the roster keeps no household id),
# share of records whose aid has ended.
ROSTERS = (
    ("mca.dibao", "dibao", "DB", 0.12), ("mca.tekun", "tekun", "TK", 0.08),
    ("mca.temporary", "linshi", "LS", 1.0), ("cdpf.disability", "cdpf", None, 0.08),
    ("mohrss.pension", "pension", None, 0.03), ("nhsa.medical_aid", "medaid", "YJ", 1.0),
    ("moe.student_aid", "student", None, 0.25), ("mohurd.housing", "housing", "ZF", 0.2),
)  # fmt: skip
SOURCES = tuple(r[0] for r in ROSTERS)
DIBAO, TEKUN, TEMP, CDPF, PENSION, MEDICAL, STUDENT, HOUSING = range(8)
COUNTIES = ("431122", "431124", "431126", "431222", "431224", "431228")  # 湖南: 永州 3, 怀化 3
ABOLISHED = ("431121", "432922", "432924", "433024", "433027")  # 祁阳县 (431181 since 2021), 地区 era
PERMITS = ("810000", "820000", "830000")
NORMAL, DOTTED, LATIN, PERMIT = range(4)  # kinds of person (as nm.name_field numbers them)
TWIN, NAMESAKE, ELSEWHERE, ABOLISHED_CODE = 1, 2, 4, 8  # person flags


def _push(arrays: tuple[array[int], ...], values: tuple[int, ...]) -> None:
    for column, value in zip(arrays, values, strict=True):
        column.append(value)


class Population:
    """Households and people as compact arrays; their roster records on demand (``records``)."""

    def __init__(self, persons: int, seed: int) -> None:
        self.seed, self.target, self.rng = seed, persons, nm.Rng(seed)
        table = DivisionTable.load("2022")
        self.places = Places(table, COUNTIES)
        counties = [c for c in table if len(c) == 6 and c[4:] != "00" and c[2:4] != "00" and c[4] != "7"]
        self.born_near = [c for c in counties if c[:2] == "43" and c not in COUNTIES]
        self.born_far = [c for c in counties if c[:2] not in ("43", "65")]
        self.born_xinjiang = [c for c in counties if c[:2] == "65"]
        self.p_hh, self.p_name, self.p_birth = array("i"), array("i"), array("i")
        self.p_sex, self.p_kind, self.p_dis, self.p_dup = array("b"), array("b"), array("b"), array("b")
        self.p_mask, self.p_flags, self.p_pref, self.p_seq = array("B"), array("B"), array("h"), array("h")
        self.h_twp, self.h_vil, self.h_grp, self.h_no = array("h"), array("h"), array("h"), array("h")
        self.p_columns = (self.p_hh, self.p_name, self.p_birth, self.p_sex, self.p_kind, self.p_pref,
                          self.p_seq, self.p_dis, self.p_mask, self.p_flags, self.p_dup)  # fmt: skip
        self.h_old = array("i")  # -1, or the old place: township * 1_000_000 + village * 1000 + group
        self.names: list[str] = []
        self.name_ix: dict[str, int] = {}
        self.prefixes: list[str] = [*COUNTIES, *PERMITS]
        self.prefix_ix = {p: i for i, p in enumerate(self.prefixes)}
        self.twins: list[tuple[int, int]] = []
        self.namesakes: list[tuple[int, int]] = []  # (namesake, the person they were modelled on)
        self.passports: dict[int, str] = {}
        self.stats: Counter[str] = Counter()
        while len(self.p_hh) < persons:
            self._household()
        self._unique_ids()

    def id18(self, p: int) -> str:
        """The true ID number of person ``p`` (a passport holder's is unused)."""
        return f"{self.id17[p]:017d}{CHECK_CHARS[self.check[p]]}"

    # --- households ---------------------------------------------------------------------------------
    def _household(self) -> None:
        rng, r = self.rng, self.rng.random
        kind, mem = members(rng)
        ages = [2024 - m[2] // 10000 for m in mem]
        dis = [r() < (0.009 if a < 18 else 0.016 if a < 60 else 0.034) for a in ages]
        poor = r() < (0.11, 0.08, 0.15, 0.05, 0.20, 0.18, 0.05, 0.07)[kind] + 0.2 * any(dis)
        tekun = len(mem) == 1 and not poor and r() < (0.3 if kind == 0 else 0.5 if dis[0] else 0.03)
        temp_all, temp_hh = r() < 0.3, r() < (0.10 if poor else 0.012)
        housing = r() < (0.08 if poor else 0.008)
        masks = []
        for i, a in enumerate(ages):
            m = (1 << DIBAO if poor or (tekun and r() < 0.02) else 0) | (1 << TEKUN if tekun else 0)
            m |= 1 << TEMP if temp_hh and (i == 0 or temp_all) else 0
            m |= (1 << CDPF if dis[i] else 0) | (1 << HOUSING if housing else 0)
            m |= 1 << PENSION if a >= 60 and r() < 0.85 else 0
            m |= 1 << MEDICAL if r() < (0.4 if poor or tekun else 0.15 if dis[i] else 0.006) else 0
            m |= 1 << STUDENT if 6 <= a <= 22 and r() < (0.7 if poor else 0.3 if dis[i] else 0.03) else 0
            while m.bit_count() > 4:
                m &= ~(1 << rng.choice([s for s in range(8) if m >> s & 1]))
            masks.append(m)
        if any(masks):
            self._settle(rng, kind, mem, ages, dis, masks)

    def _settle(
        self, rng: nm.Rng, kind: int, mem: list[list[int]], ages: list[int], dis: list[bool], masks: list[int]
    ) -> None:
        r, hh, county, target = rng.random, len(self.h_twp), None, -1
        if masks[0] and ages[0] >= 18 and len(self.p_hh) > 1000 and r() < 0.014:
            target = self._namesake_target(rng, mem[0][1], ages[0])  # same name, birth date, county
            if target >= 0:
                county, mem[0][2] = self.places.county[self.h_twp[self.p_hh[target]]], self.p_birth[target]
        twp, vil, grp, no = self.places.place(rng, county)
        _push((self.h_twp, self.h_vil, self.h_grp, self.h_no), (twp, vil, grp, no))
        born_county = self.places.county[twp]
        if r() < 0.03 and target < 0:  # moved: some rosters still show the old place
            old = self.places.place(rng, born_county if r() < 0.6 else None)
            while old[0] == twp:  # another township (of this county or another)
                old = self.places.place(rng, born_county)
            self.h_old.append(old[0] * 1_000_000 + old[1] * 1000 + old[2])
            born_county = self.places.county[old[0]]  # the IDs were issued where they lived before
            self.stats["moved_households"] += 1
        else:
            self.h_old.append(-1)

        def pick() -> str:
            return rng.pick(nm.SURNAMES, nm.SURNAME_CUM)[0]

        surname, spouse_surname = pick(), pick()
        if target >= 0:
            t_name = self.names[self.p_name[target]]
            surname = next(s for s, _ in reversed(nm.SURNAMES) if t_name.startswith(s))
        kid_surname = pick() if kind == 4 and mem[0][1] == 2 and r() < 0.6 else surname
        minority, father_given = r() < 0.01, rng.choice(nm.DOTTED_MALE)  # 阿依古丽·买买提: given·father's
        sibling_char, prev, twin_of = None, ("", ""), -1
        for i, (role, sex, birth, *twin) in enumerate(mem):
            pkind = DOTTED if minority else NORMAL
            if minority:
                own = rng.choice(nm.DOTTED_MALE if sex == 1 else nm.DOTTED_FEMALE)
                name = f"{own}·{father_given if role == KID else rng.choice(nm.DOTTED_MALE)}"
                father_given = own if role == HEAD and sex == 1 else father_given
            elif (role == SPOUSE and kind in (1, 3, 6, 7) and r() < 0.02) or (kind == 2 and r() < 0.004):
                pkind, (fam, giv, ff) = LATIN, rng.choice(nm.LATIN_MALE if sex == 1 else nm.LATIN_FEMALE)
                name = f"{fam}|{giv}|{int(ff)}"  # a foreign wife (or husband) in a romanised name
            elif twin:  # often sharing the first given character: 王浩宇 / 王浩然
                era = 2 if birth >= 20000000 else 1
                name = prev[0] + nm.given_name(rng, era, sex, prev[1] if r() < 0.7 else None)
            else:
                s = surname if role in (HEAD, GRANDPA) else kid_surname if role == KID else spouse_surname
                if (role == KID and kind in (6, 7) and r() < 0.08) or role == OTHER:
                    s = spouse_surname if role == KID else pick()
                era = 0 if birth < 19650000 else 1 if birth < 20000000 else 2
                name = s + nm.given_name(rng, era, sex, sibling_char if role == KID else None)
                prev = (s, name[len(s)])
                if role == KID and sibling_char is None and len(name) > len(s) + 1 and r() < 0.25:
                    sibling_char = name[len(s)]  # 字辈: siblings share a generation character
            if role != KID and not minority and ages[i] >= 16 and r() < 0.0035:
                pkind = PERMIT  # 港澳台居民居住证
            if i == 0 and target >= 0:
                name, pkind = self.names[self.p_name[target]], NORMAL
            p = len(self.p_hh)
            if not masks[i] or p >= self.target:
                twin_of = -1
                continue
            self._person(rng, p, hh, name, sex, birth, pkind, born_county, dis[i], masks[i])
            if twin and twin_of >= 0:  # adjacent sequence numbers
                self.twins.append((twin_of, p))
                self.p_flags[twin_of] |= TWIN
                self.p_flags[p], self.p_pref[p] = self.p_flags[twin_of], self.p_pref[twin_of]
                self.p_seq[p] = self.p_seq[twin_of] + (1 if (self.p_seq[twin_of] - sex) % 2 else 2)
            if i == 0 and target >= 0:
                self.namesakes.append((p, target))
                self.p_flags[p] = self.p_flags[target] & (ELSEWHERE | ABOLISHED_CODE) | NAMESAKE
                self.p_pref[p] = self.p_pref[target]
            twin_of = p if role == KID and not twin and pkind == NORMAL else -1

    def _namesake_target(self, rng: nm.Rng, sex: int, age: int) -> int:
        for _ in range(40):
            t = rng.randrange(len(self.p_hh))
            if (self.p_sex[t] == sex and self.p_kind[t] == NORMAL and not self.p_flags[t] & TWIN
                    and abs(2024 - self.p_birth[t] // 10000 - age) <= 8):  # fmt: skip
                return t
        return -1

    def _person(
        self, rng: nm.Rng, p: int, hh: int, name: str, sex: int, birth: int, kind: int, county: int,
        disabled: bool, mask: int,
    ) -> None:  # fmt: skip
        r = rng.random
        ix = self.name_ix.setdefault(name, len(self.names))
        self.names += [name] if ix == len(self.names) else []
        flags, prefix, u = 0, COUNTIES[county], r()
        if kind == PERMIT:
            prefix = rng.pick(PERMITS, (35, 45, 100))  # HK, MO, TW
        elif kind == DOTTED and birth < 20060000 and u < 0.8:  # came from Xinjiang
            prefix, flags = rng.choice(self.born_xinjiang), ELSEWHERE
        elif u < 0.10:  # first ID issued elsewhere: this province, far away, or a county since abolished
            v = u * 10  # uniform in [0, 1)
            flags = ELSEWHERE | (ABOLISHED_CODE if v >= 0.92 else 0)
            prefix = rng.choice(self.born_near if v < 0.55 else self.born_far if v < 0.92 else ABOLISHED)
        pi = self.prefix_ix.setdefault(prefix, len(self.prefixes))
        self.prefixes += [prefix] if pi == len(self.prefixes) else []
        if kind == LATIN:
            self.passports[p] = f"{'CBEG'[p % 4]}{rng.randrange(10**7):07d}"
        seq = rng.randrange(498) * 2 + sex % 2  # odd for men
        cat_grade = rng.randint(1, 7) * 10 + rng.pick((1, 2, 3, 4), (15, 40, 70, 100))  # 残疾类别, 等级
        dup = rng.choice([s for s in range(8) if mask >> s & 1]) if r() < 0.002 else -1
        _push(
            self.p_columns,
            (hh, ix, birth, sex, kind, pi, seq, cat_grade if disabled else 0, mask, flags, dup),
        )

    def _unique_ids(self) -> None:
        """Redraw the sequence number of anyone whose ID collides (twins move as a pair)."""
        rng, partner = nm.Rng(self.seed + 1), dict(self.twins) | {b: a for a, b in self.twins}
        pref = np.array([int(x) for x in self.prefixes], dtype=np.int64)
        for _ in range(100):
            id17 = pref[np.frombuffer(self.p_pref, np.int16)] * 10**11
            id17 += np.frombuffer(self.p_birth, np.int32).astype(np.int64) * 1000
            id17 += np.frombuffer(self.p_seq, np.int16)
            _, first, counts = np.unique(id17, return_index=True, return_counts=True)
            if counts.max(initial=1) == 1:
                break
            kept = first[counts > 1]
            for p in np.setdiff1d(np.nonzero(np.isin(id17, id17[kept]))[0], kept).tolist():
                self.p_seq[p] = seq = rng.randrange(496) * 2 + self.p_sex[p] % 2
                if p in partner:
                    self.p_seq[partner[p]] = seq + (1 if (seq - self.p_sex[partner[p]]) % 2 else 2)
        else:
            raise RuntimeError("ID sequence numbers exhausted for some county and birth date")
        total = np.zeros(len(id17), dtype=np.int64)
        for k, w in enumerate(WEIGHTS):
            total += id17 // 10 ** (16 - k) % 10 * w
        self.id17, self.check = array("q", id17.tobytes()), (total % 11).astype(np.int8).tobytes()

    # --- records ------------------------------------------------------------------------------------
    def slots(self) -> tuple[np.ndarray, np.ndarray]:
        """Every (person, roster) pair in shuffled order; roster + 8 marks a second registration."""
        mask, dup = np.frombuffer(self.p_mask, np.uint8), np.frombuffer(self.p_dup, np.int8)
        people = [np.nonzero(mask & (1 << s))[0] for s in range(8)] + [np.nonzero(dup >= 0)[0]]
        rosters = [np.full(len(idx), s, np.int8) for s, idx in enumerate(people[:8])]
        person, roster = np.concatenate(people), np.concatenate([*rosters, dup[people[8]] + 8])
        order = np.random.default_rng(self.seed).permutation(len(person))
        return person[order], roster[order]

    def records(self) -> Iterator[tuple[dict[str, str | None], str]]:
        """(record, person_id) in file order; counts the dirt applied in ``self.stats``."""
        person, roster = self.slots()
        rng, counters, step = nm.Rng(self.seed * 7919 + 3), [0] * 8, 1 << 16
        for start in range(0, len(person), step):
            chunk = (person[start : start + step].tolist(), roster[start : start + step].tolist())
            for p, s in zip(*chunk, strict=True):
                counters[s & 7] += 1
                rid = f"{ROSTERS[s & 7][1]}-{counters[s & 7]:09d}"  # numbered in file order
                yield self._record(rng, p, s & 7, s >= 8, rid), f"P{p:08d}"

    def _record(self, rng: nm.Rng, p: int, s: int, dup: bool, rid: str) -> dict[str, str | None]:
        r, st, hh, kind, places = rng.random, self.stats, self.p_hh[p], self.p_kind[p], self.places
        twp, vil, grp, no, old = self.h_twp[hh], self.h_vil[hh], self.h_grp[hh], self.h_no[hh], self.h_old[hh]
        if old >= 0 and ((hh * 7 + s * 3) % 5 < 2) != dup:  # this roster still has the old place
            twp, vil, grp = old // 1_000_000, old // 1000 % 1000, old % 1000
        elif dup:  # registered a second time, in another township of the same county
            twp, vil, grp, no = places.place(rng, places.county[twp])
        rec: dict[str, str | None] = {"record_id": rid, "source": SOURCES[s]}
        if kind == LATIN:  # a foreign national: a passport number, or nothing
            blank = r() < 0.3
            st["id.blank" if blank else "id.passport"] += 1
            if not blank and r() < 0.5:
                rec["id_type"] = "passport"
            rec["id_number"] = rng.choice(nm.BLANKS) if blank else self.passports[p]
        else:
            if kind == PERMIT and r() < 0.3:
                rec["id_type"] = "hk_mo_tw_permit"
            cert = str(self.p_dis[p]) if s == CDPF and self.p_dis[p] and r() < 0.6 else None  # 残疾人证号
            old_form = kind != PERMIT and self.p_birth[p] < 20000000
            rec["id_number"] = nm.id_text(rng, self.id18(p), st, old_form=old_form, cert=cert)
        name = self.names[self.p_name[p]]
        rec["name"] = nm.name_field(rng, kind, name, 0.4 if kind == PERMIT else 0.028, st)
        u, male = r(), self.p_sex[p] == 1
        if u < 0.6:
            rec["sex"], form = ("1" if male else "2"), "code"
        elif u < 0.9:
            rec["sex"], form = ("男" if male else "女"), "chinese"
        elif u < 0.99:
            rec["sex"], form = None, "missing"
        else:
            rec["sex"], form = rng.choice("2女" if male else "1男"), "wrong"
        st["sex." + form] += 1
        rec["birth_date"] = nm.date_text(rng, self.p_birth[p], st)
        rec["division_code"], rec["address"] = places.fields(rng, twp, vil, grp, no, st)
        prefix, county = ROSTERS[s][2], COUNTIES[places.county[twp]]
        num = ((hh + 50_000_000 * dup) * (7919 + 104729 * s) + 12345 * s) % 99_999_989  # a roster's own ids
        rec["household_ref"] = None if prefix is None else f"{prefix}{county}{num:08d}"
        urban = places.villages[twp][vil][0] < 200
        rec |= aid_fields(rng, s, self.p_birth[p], self.p_dis[p], urban, ROSTERS[s][3])
        return rec

    def summary(self) -> dict[str, object]:
        """Counts of the population's hard cases and of every form of dirt applied so far."""
        n, dup = len(self.p_hh), np.frombuffer(self.p_dup, np.int8)
        masks = np.frombuffer(self.p_mask, np.uint8)
        kinds, flags = np.frombuffer(self.p_kind, np.int8), np.frombuffer(self.p_flags, np.uint8)
        per_source = [int((masks >> s & 1).sum() + (dup == s).sum()) for s in range(8)]
        dirt: dict[str, dict[str, int]] = {}
        for key in sorted(k for k in self.stats if "." in k):
            group, form = key.split(".", 1)
            dirt.setdefault(group, {})[form] = self.stats[key]
        by_count = Counter(int(m).bit_count() for m in masks.tolist())
        return {
            "persons": n, "households": len(self.h_twp), "records": sum(per_source),
            "records_per_person": round(sum(per_source) / max(n, 1), 4),
            "records_per_source": dict(zip(SOURCES, per_source, strict=True)),
            "persons_by_roster_count": {str(k): by_count[k] for k in sorted(by_count)},
            "twin_pairs": len(self.twins), "namesakes": len(self.namesakes),
            "moved_households": self.stats["moved_households"],
            "duplicated_in_one_roster": int((dup >= 0).sum()),
            "dotted_names": int((kinds == DOTTED).sum()), "latin_names": int((kinds == LATIN).sum()),
            "hk_mo_tw_permits": int((kinds == PERMIT).sum()),
            "id_issued_elsewhere": int((flags & ELSEWHERE > 0).sum()),
            "id_abolished_county": int((flags & ABOLISHED_CODE > 0).sum()),
            "disabled": int((np.frombuffer(self.p_dis, np.int8) > 0).sum()), "dirt": dirt,
        }  # fmt: skip


def generate(persons: int, seed: int) -> Iterator[tuple[dict[str, str | None], str]]:
    """(record, person_id) pairs of a population of ``persons`` people, in file order."""
    return Population(persons, seed).records()


def write(persons: int, seed: int, output_dir: str | Path) -> dict[str, object]:
    """Write records.ndjson, truth.csv, pairs.csv and summary.json into ``output_dir``."""
    out, pop = Path(output_dir), Population(persons, seed)
    out.mkdir(parents=True, exist_ok=True)
    with (
        open(out / "records.ndjson", "wb", buffering=1 << 20) as rf,
        open(out / "truth.csv", "w", encoding="utf-8", buffering=1 << 20) as tf,
    ):  # a line at a time, so that each line's memory is reused for the next
        tf.write("source,record_id,person_id\n")
        for rec, pid in pop.records():
            rf.write(_line(rec))
            tf.write(f"{rec['source']},{rec['record_id']},{pid}\n")
    with open(out / "pairs.csv", "w", encoding="utf-8") as pf:
        pf.write("kind,person_a,person_b\n")
        pf.writelines(f"twin,P{a:08d},P{b:08d}\n" for a, b in pop.twins)
        pf.writelines(f"namesake,P{a:08d},P{b:08d}\n" for a, b in pop.namesakes)
    summary = {"seed": seed, **pop.summary()}
    text = json.dumps(summary, ensure_ascii=False, indent=2)
    (out / "summary.json").write_text(text + "\n", encoding="utf-8")
    return summary


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--persons", type=int, default=100_000, help="people on at least one roster")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--output", required=True, help="directory for records.ndjson, truth.csv, ...")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    summary = write(args.persons, args.seed, args.output)
    took = time.perf_counter() - t0
    print(f"{summary['persons']} persons, {summary['records']} records in {took:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
