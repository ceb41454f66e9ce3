"""The real-time index: persons in memory, queried by one standard record in about a millisecond.

Records are stored as columns (``compare.Columns``) with the person each belongs to. Blocking
keys (the batch's rules) map to record slots: a bulk load puts them in sorted arrays (16 bytes
per key, binary search), later adds go to small dictionaries; removing a record marks its slot.
A query normalises the record in plain Python, gathers the slots that share a key with it, and
scores them with the batch's own comparison and model, so both paths give the same answers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from services.matching.engine import blocking
from services.matching.engine.arrays import sort_order
from services.matching.engine.compare import Columns, compare, hard_conflict, repair_hash
from services.matching.engine.evidence import explain
from services.matching.engine.model import FellegiSunter, has_identity_evidence
from services.matching.engine.record import normalize_record
from shared.codes.idnumber import repair_candidates

MAX_CANDIDATES = 400
I64 = NDArray[np.int64]


@dataclass
class Candidate:
    person_key: str
    probability: float
    match_weight: float
    linked: bool  # at or above the model's link probability, with identity evidence
    record: tuple[str, str]  # (source, record_id) of the person's best-matching record
    evidence: list[dict[str, Any]]


def _id_value(text: str) -> int:
    return int(text[:17]) * 11 + (10 if text[17] == "X" else int(text[17]))


class _Store:
    """Columns with spare capacity, so adding a record costs O(1) amortised."""

    def __init__(self) -> None:
        self.cols = Columns.from_rows([])
        self.size = 0

    def extend(self, cols: Columns) -> I64:
        need = self.size + len(cols)
        if need > len(self.cols):
            capacity = max(need, 2 * len(self.cols), 1024)
            grown = {}
            for f in fields(Columns):
                if f.name != "repairs":
                    old = getattr(self.cols, f.name)
                    new = np.empty(capacity, old.dtype)
                    new[: self.size] = old[: self.size]
                    grown[f.name] = new
            self.cols = replace(self.cols, **grown)
        for f in fields(Columns):
            if f.name != "repairs":
                getattr(self.cols, f.name)[self.size : need] = getattr(cols, f.name)
        slots = np.arange(self.size, need)
        self.size = need
        return slots

    def take(self, rows: I64) -> Columns:
        return self.cols.take(rows)


class PersonIndex:
    def __init__(self, model: FellegiSunter) -> None:
        self.model = model
        self._store = _Store()
        self._person: list[str] = []
        self._ref: list[tuple[str, str]] = []
        self._alive = np.zeros(0, bool)
        self._slot: dict[tuple[str, str], int] = {}
        self._base: dict[str, tuple[NDArray[np.uint64], I64]] = {}
        self._delta: dict[str, dict[int, list[int]]] = {rule: defaultdict(list) for rule in blocking.RULES}
        self._repairs: dict[int, list[int]] = defaultdict(list)  # valid id18 → slots whose typo it repairs

    # -- loading ----------------------------------------------------------------------------
    def _append(
        self, cols: Columns, persons: list[str], refs: list[tuple[str, str]], typos: list[str | None]
    ) -> I64:
        for ref in refs:
            if ref in self._slot:
                self.remove(*ref)
        slots = self._store.extend(cols)
        self._person += persons
        self._ref += refs
        if len(self._alive) < len(self._store.cols):
            self._alive = np.r_[self._alive, np.zeros(len(self._store.cols) - len(self._alive), bool)]
        self._alive[slots] = True
        self._slot.update(zip(refs, slots.tolist(), strict=True))
        for slot, text in zip(slots.tolist(), typos, strict=True):
            if text:
                for cand in repair_candidates(text):
                    self._repairs[_id_value(cand)].append(slot)
        return slots

    def load(self, frame: pl.DataFrame, person_keys: list[str]) -> None:
        """Bulk load normalised records (``normalize.normalize``) into an empty index."""
        if self._store.size:
            raise ValueError("load() fills an empty index; use add() afterwards")
        cols = Columns.from_frame(frame)
        refs = list(
            zip(frame.get_column("source").to_list(), frame.get_column("record_id").to_list(), strict=True)
        )
        typos = frame.select(pl.when(~pl.col("id_valid")).then(pl.col("_id18"))).to_series().to_list()
        slots = self._append(cols, person_keys, refs, typos)
        for rule, keys in blocking.key_hashes(cols).items():
            keep = keys != 0
            order = sort_order(keys[keep])
            self._base[rule] = (keys[keep][order], slots[keep][order])

    def add(self, record: Mapping[str, Any], person_key: str) -> None:
        """Add (or replace) one standard record as belonging to ``person_key``."""
        row = normalize_record(record)
        cols = Columns.from_rows([row])
        ref = (str(record["source"]), str(record["record_id"]))
        typo = None if row["id_valid"] else row["_id18"]
        (slot,) = self._append(cols, [person_key], [ref], [typo]).tolist()
        for rule, key in blocking.record_keys(cols).items():
            if key:
                self._delta[rule][key].append(slot)

    def remove(self, source: str, record_id: str) -> bool:
        slot = self._slot.pop((source, record_id), None)
        if slot is None:
            return False
        self._alive[slot] = False
        return True

    def __len__(self) -> int:
        return len(self._slot)

    def persons(self) -> int:
        return len({self._person[s] for s in self._slot.values()})

    # -- querying ---------------------------------------------------------------------------
    def _lookup(self, rule: str, key: int) -> list[int]:
        found = list(self._delta[rule].get(key, ()))
        base = self._base.get(rule)
        if base is not None:
            keys, slots = base
            lo, hi = (
                np.searchsorted(keys, np.uint64(key), "left"),
                np.searchsorted(keys, np.uint64(key), "right"),
            )
            found += slots[lo:hi].tolist()
        return found

    def query(self, record: Mapping[str, Any], *, limit: int = 10) -> list[Candidate]:
        """Persons this record may be, best first, with the evidence for each."""
        row = normalize_record(record)
        typo_cands = (
            []
            if row["id_valid"] or not row["_id18"]
            else [_id_value(c) for c in repair_candidates(row["_id18"])]
        )
        q = Columns.from_rows([row])
        slots: set[int] = set()
        for rule, key in blocking.record_keys(q).items():
            if key:
                slots.update(self._lookup(rule, key))
        for cand in typo_cands:
            slots.update(self._lookup("id", blocking.id_key(cand)))
        repaired_by_me = self._repairs.get(row["id18"], []) if row["id_valid"] else []
        slots.update(repaired_by_me)
        found = np.fromiter(slots, np.int64, len(slots))
        found = found[self._alive[found]]
        if row["id_valid"]:  # another valid ID is another person (hard_conflict): not worth comparing
            stored = self._store.cols
            found = found[~stored.id_valid[found] | (stored.id18[found] == row["id18"])]
        live = np.sort(found)[:MAX_CANDIDATES].tolist()
        if not live:
            return []
        qid = np.asarray([row["id18"]], np.int64)
        repairs = np.r_[
            repair_hash(np.repeat(qid, len(typo_cands)), np.asarray(typo_cands, np.int64)),
            repair_hash(self._store.cols.id18[repaired_by_me], np.repeat(qid, len(repaired_by_me))),
        ]
        both = Columns.concat([q, self._store.take(np.asarray(live))], repairs.astype(np.uint64))
        i, j = np.zeros(len(live), np.int64), np.arange(1, len(live) + 1)
        ok = ~hard_conflict(both, i, j)
        i, j = i[ok], j[ok]
        levels = compare(both, i, j)
        weights = self.model.weights(levels)
        total = weights.sum(axis=1)
        probability = self.model.probability(total)
        eligible = has_identity_evidence(levels)
        best: dict[str, Candidate] = {}
        for k in np.argsort(-total, kind="stable").tolist():
            slot = live[int(j[k]) - 1]
            person = self._person[slot]
            if person in best:
                continue
            p = float(probability[k])
            best[person] = Candidate(person, round(p, 6), round(float(total[k]), 2),
                                     bool(eligible[k] and p >= self.model.link_probability), self._ref[slot],
                                     explain(levels[k], weights[k]))  # fmt: skip
        return list(best.values())[:limit]

    def memory_bytes(self) -> int:
        """What the arrays hold (the Python lists and dictionaries come on top; see docs)."""
        arrays = sum(getattr(self._store.cols, f.name).nbytes for f in fields(Columns))
        return int(arrays + sum(k.nbytes + s.nbytes for k, s in self._base.values()))


def _typo_repair(typo: Mapping[str, Any], valid: Mapping[str, Any]) -> list[int]:
    """The repair hash of ``typo``'s ID when one edit turns it into ``valid``'s valid ID."""
    if typo["id_valid"] or not typo["_id18"] or not valid["id_valid"]:
        return []
    if valid["id18"] not in {_id_value(c) for c in repair_candidates(typo["_id18"])}:
        return []
    hashed = repair_hash(np.asarray([typo["id18"]], np.int64), np.asarray([valid["id18"]], np.int64))
    return [int(hashed[0])]


def compare_records(model: FellegiSunter, a: Mapping[str, Any], b: Mapping[str, Any]) -> Candidate:
    """Two standard records compared as the index compares them: ``b``'s reference and the
    probability, link and evidence of the pair (for review screens and decisions)."""
    ra, rb = normalize_record(a), normalize_record(b)
    repairs = np.asarray(_typo_repair(ra, rb) + _typo_repair(rb, ra), np.uint64)
    both = Columns.from_rows([ra, rb], repairs)
    i, j = np.zeros(1, np.int64), np.ones(1, np.int64)
    levels = compare(both, i, j)
    weights = model.weights(levels)
    total = weights.sum(axis=1)
    p = 0.0 if hard_conflict(both, i, j)[0] else float(model.probability(total)[0])
    linked = bool(has_identity_evidence(levels)[0] and p >= model.link_probability)
    ref = (str(b.get("source")), str(b.get("record_id")))
    return Candidate("", round(p, 6), round(float(total[0]), 2), linked, ref, explain(levels[0], weights[0]))
