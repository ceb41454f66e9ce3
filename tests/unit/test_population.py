"""bench/population.py: realistic dirty rosters, complete ground truth, the same bytes every time."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from bench import population_names as nm
from bench.population import LATIN, SOURCES, Population, write
from shared.codes.idnumber import IdKind, is_valid_id18, parse_id_number

PERSONS, SEED = 6000, 11
FIELDS = ("record_id", "source", "id_number", "name", "sex", "birth_date", "division_code", "address",
          "household_ref", "programme", "status", "start_date", "end_date", "amount")  # fmt: skip
DIRT = {
    "id": "clean lower_x fullwidth spaced blank mistyped swapped old_15 disability_cert garbage",
    "name": "traditional homophone near_homophone spaced dot_variant latin_variant",
    "birth_date": "iso compact slash chinese dotted dash_unpadded day_month_swapped mistyped missing",
    "sex": "code chinese missing wrong",
    "division": "village township county missing",
    "address": "present missing",
}
DATE_FORMS = {
    "iso": r"\d{4}-\d\d-\d\d", "compact": r"\d{8}", "slash": r"\d{4}/\d{1,2}/\d{1,2}",
    "chinese": r"\d{4}年\d{1,2}月\d{1,2}日", "dotted": r"\d{4}\.\d\d\.\d\d",
    "unpadded": r"\d{4}-\d{1,2}-\d{1,2}",
}  # fmt: skip


@pytest.fixture(scope="module")
def built() -> tuple[Population, list[tuple[dict, str]]]:
    pop = Population(PERSONS, SEED)
    return pop, list(pop.records())


def person(pid: str) -> int:
    return int(pid[1:])


def test_records_are_standard_person_records(built: tuple[Population, list]) -> None:
    _, records = built
    for rec, _ in records:
        assert set(FIELDS) <= set(rec) <= {*FIELDS, "id_type"}
        assert all(v is None or isinstance(v, str) for v in rec.values())
        assert rec["source"] in SOURCES and rec["name"]
        assert rec["division_code"] is None or len(rec["division_code"]) in (6, 9, 12)
    ids = [rec["record_id"] for rec, _ in records]
    assert len(ids) == len(set(ids))


def test_records_per_person_and_rosters_per_person(built: tuple[Population, list]) -> None:
    _, records = built
    rosters: defaultdict[str, set[str]] = defaultdict(set)
    for rec, pid in records:
        rosters[pid].add(rec["source"])
    assert len(rosters) == PERSONS
    assert 1.2 <= len(records) / PERSONS <= 1.7
    spread = Counter(len(s) for s in rosters.values())
    assert set(spread) <= {1, 2, 3, 4} and spread[1] > PERSONS / 2  # most people are on one roster
    per_source = Counter(rec["source"] for rec, _ in records)
    assert set(per_source) == set(SOURCES)
    assert 0.04 < per_source["cdpf.disability"] / PERSONS < 0.08
    twice = Counter((rec["source"], pid) for rec, pid in records)
    assert 0 < sum(n == 2 for n in twice.values()) < PERSONS * 0.005  # once more in the same roster


def test_every_form_of_dirt_occurs(built: tuple[Population, list]) -> None:
    pop, _ = built
    for group, forms in DIRT.items():
        for form in forms.split():
            assert pop.stats[f"{group}.{form}"] > 0, f"{group}.{form}"
    summary = pop.summary()
    for key in ("twin_pairs", "namesakes", "moved_households", "duplicated_in_one_roster", "dotted_names",
                "latin_names", "hk_mo_tw_permits", "id_abolished_county"):  # fmt: skip
        assert summary[key] > 0, key


def test_id_numbers_as_typed(built: tuple[Population, list]) -> None:
    pop, records = built
    seen: Counter[str] = Counter()
    for rec, pid in records:
        p, raw = person(pid), rec["id_number"]
        if pop.p_kind[p] == LATIN:
            continue
        true = pop.id18(p)
        info = parse_id_number(raw)
        assert not info.valid or info.normalized == true  # no typo ever lands on another valid ID
        if raw in ("", None, "无"):
            seen["blank"] += 1
        elif re.fullmatch(r"\d{17}x", raw):
            seen["lower_x"] += raw.upper() == true
        elif re.search("[０-９]", raw):
            seen["fullwidth"] += info.normalized == true
        elif re.search("[ -]", raw):
            seen["spaced"] += info.normalized == true
        elif info.kind is IdKind.RESIDENT_15:
            seen["old_15"] += info.normalized == true and true[6:8] == "19"
        elif info.kind is IdKind.DISABILITY_CERT:
            seen["disability_cert"] += rec["source"] == "cdpf.disability"
        elif info.kind is IdKind.RESIDENT_18 and not info.valid:
            diff = [i for i in range(18) if raw[i] != true[i]]
            swapped = len(diff) == 2 and diff[1] == diff[0] + 1 and raw[diff[0]] == true[diff[1]]
            seen["swapped" if swapped else "mistyped"] += len(diff) == 1 or swapped
        elif len(raw) == 17 or re.search("[A-WYZa-wyz]", raw):
            seen["garbage"] += 1
    assert all(seen[form] > 0 for form in DIRT["id"].split() if form != "clean"), seen


def test_names_and_dates_as_typed(built: tuple[Population, list]) -> None:
    pop, records = built
    trad, seen = set(nm.TRAD.values()), Counter()
    for rec, pid in records:
        p, name = person(pid), rec["name"]
        true = pop.names[pop.p_name[p]]
        seen["traditional"] += any(c in trad for c in name)
        seen["spaced"] += " " in name and "·" not in true and "|" not in true
        seen["dot_variant"] += "·" in true and "·" not in name
        seen["latin_variant"] += "|" in true and (name.isupper() or "," in name or name.split()[0].isupper())
        text, born = rec["birth_date"], str(pop.p_birth[p])
        if text:
            form = next((f for f, rx in DATE_FORMS.items() if re.fullmatch(rx, text)), None)
            assert form is not None, text
            digits = re.findall(r"\d+", text) if form != "compact" else [text[:4], text[4:6], text[6:]]
            y, m, d = (int(x) for x in digits)
            seen["same_date" if (y, m, d) == (int(born[:4]), int(born[4:6]), int(born[6:])) else "other"] += 1
            seen["day_month_swapped"] += (
                (y, d, m) == (int(born[:4]), int(born[4:6]), int(born[6:])) != (y, m, d)
            )
    assert all(seen[k] > 0 for k in ("traditional", "spaced", "dot_variant", "latin_variant")), seen
    assert seen["day_month_swapped"] > 0 and seen["same_date"] > 0.98 * (seen["same_date"] + seen["other"])


def test_twins_share_household_and_birth_date_but_not_id(built: tuple[Population, list]) -> None:
    pop, records = built
    refs: defaultdict[tuple[int, str], set[str | None]] = defaultdict(set)
    for rec, pid in records:
        refs[person(pid), rec["source"]].add(rec["household_ref"])
    shared = 0
    assert pop.twins
    for a, b in pop.twins:
        ia, ib = pop.id18(a), pop.id18(b)
        assert pop.p_birth[a] == pop.p_birth[b] and pop.p_hh[a] == pop.p_hh[b]
        assert ia != ib and is_valid_id18(ia) and is_valid_id18(ib)
        assert ia[:14] == ib[:14] and abs(int(ia[14:17]) - int(ib[14:17])) <= 2  # adjacent numbers
        assert pop.names[pop.p_name[a]] != pop.names[pop.p_name[b]]
        for source in SOURCES:
            if refs[a, source] and refs[b, source] and None not in refs[a, source]:
                assert refs[a, source] & refs[b, source]
                shared += 1
    assert shared > 0


def test_namesakes_share_name_birth_date_and_county_but_not_id(built: tuple[Population, list]) -> None:
    pop, _ = built
    assert pop.namesakes
    for a, b in pop.namesakes:
        ia, ib = pop.id18(a), pop.id18(b)
        assert pop.names[pop.p_name[a]] == pop.names[pop.p_name[b]] and pop.p_birth[a] == pop.p_birth[b]
        assert ia[:6] == ib[:6] and ia != ib and is_valid_id18(ia) and is_valid_id18(ib)
        assert pop.p_hh[a] != pop.p_hh[b]
        assert pop.places.county[pop.h_twp[pop.p_hh[a]]] == pop.places.county[pop.h_twp[pop.p_hh[b]]]


def test_true_ids_are_valid_and_distinct(built: tuple[Population, list]) -> None:
    pop, _ = built
    ids = [pop.id18(p) for p in range(PERSONS) if pop.p_kind[p] != LATIN]
    assert len(ids) == len(set(ids)) and all(is_valid_id18(i) for i in ids)
    assert any(i[:6] in ("810000", "820000", "830000") for i in ids)


def test_truth_covers_every_record_once_and_output_is_deterministic(tmp_path: Path) -> None:
    summary = write(2000, 5, tmp_path / "a")
    write(2000, 5, tmp_path / "b")
    write(2000, 6, tmp_path / "c")
    for name in ("records.ndjson", "truth.csv", "pairs.csv", "summary.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert (tmp_path / "a" / "records.ndjson").read_bytes() != (
        tmp_path / "c" / "records.ndjson"
    ).read_bytes()
    lines = (tmp_path / "a" / "records.ndjson").read_text(encoding="utf-8").splitlines()
    keys = [(r["source"], r["record_id"]) for r in map(json.loads, lines)]
    with open(tmp_path / "a" / "truth.csv", encoding="utf-8", newline="") as f:
        truth = [(row["source"], row["record_id"]) for row in csv.DictReader(f)]
    assert sorted(truth) == sorted(keys) and len(set(truth)) == len(truth) == summary["records"]
    on_disk = json.loads((tmp_path / "a" / "summary.json").read_text(encoding="utf-8"))
    assert on_disk["persons"] == 2000 and on_disk["records_per_source"] == summary["records_per_source"]
