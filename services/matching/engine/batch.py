"""Batch deduplication: records → persons, with confidence, evidence and a grey zone.

read (``ndjson``) → normalise (``normalize``) → block (``blocking``) → compare (``compare``) →
score (``model``) → cluster (``cluster``). Every step works on whole columns; Python loops
run only over the few records that need them (mistyped IDs, uncertain links).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from services.matching.engine import blocking
from services.matching.engine.arrays import sort_order
from services.matching.engine.cluster import cluster
from services.matching.engine.compare import Columns, compare, hard_conflict, repair_hash
from services.matching.engine.evidence import explain
from services.matching.engine.model import FellegiSunter, has_identity_evidence
from services.matching.engine.normalize import add_name_keys, normalize
from services.matching.engine.pseudonym import as_text, reference_key, siphash24

I64 = NDArray[np.int64]
RecordRef = tuple[str, str]  # (source, record_id)
SCORE_CHUNK = 1 << 20


@dataclass
class Decisions:
    """Reviewers' decisions, by (source, record_id): always honoured."""

    must_link: list[tuple[RecordRef, RecordRef]] = field(default_factory=list)
    cannot_link: list[tuple[RecordRef, RecordRef]] = field(default_factory=list)


@dataclass
class Pairs:
    i: I64
    j: I64
    levels: NDArray[np.int8]
    weights: NDArray[np.float64]  # per field
    total: NDArray[np.float64]
    probability: NDArray[np.float64]
    eligible: NDArray[np.bool_]


@dataclass
class DedupResult:
    records: pl.DataFrame  # line, source, record_id, error, person_key, confidence
    pairs: Pairs
    grey: pl.DataFrame  # uncertain pairs for people to decide
    stats: dict[str, Any]
    model: FellegiSunter
    evidence: list[dict[str, Any] | None] | None = None


class Stopwatch:
    def __init__(self, progress: Callable[[str], None] | None) -> None:
        self.progress, self.started = progress, time.perf_counter()
        self.times: dict[str, float] = {}

    def lap(self, step: str, detail: str = "") -> None:
        now = time.perf_counter() - self.started
        self.times[step] = round(now, 2)
        if self.progress:
            self.progress(f"[{now:6.1f} s] {step} {detail}".rstrip())


def rule_pairs(cols: Columns) -> tuple[list[I64], list[I64], dict[str, Any]]:
    """The pairs of every blocking rule (``blocking.RULES``), two rules at a time.

    Two records with valid IDs pair only through the ``id`` rule (equal IDs); with different
    valid IDs they are two people (``hard_conflict``), so the other rules skip such pairs.
    """
    found_i, found_j, stats = [], [], {}
    open_ = ~cols.id_valid
    rules = blocking.key_hashes(cols)
    with ThreadPoolExecutor(2) as pool:  # the compiled block pairing lets go of the GIL
        blocks = pool.map(
            lambda rule: blocking.pairs_in_blocks(rules[rule], open_=None if rule == "id" else open_), rules
        )
        for rule, (i, j, skipped) in zip(rules, blocks, strict=True):
            found_i.append(i)
            found_j.append(j)
            stats[rule] = {"pairs": len(i), "blocks_skipped": skipped}
    return found_i, found_j, stats


def candidate_pairs(
    cols: Columns, rules: tuple[list[I64], list[I64], dict[str, Any]], typo: I64, cand: I64
) -> tuple[I64, I64, dict[str, Any]]:
    """Unique candidate pairs (i < j): the rules' (``rule_pairs``) and the ID repairs'
    (``blocking.repair_links``), hard conflicts removed."""
    n = len(cols)
    found_i, found_j, stats = (
        [*rules[0], np.minimum(typo, cand)],
        [*rules[1], np.maximum(typo, cand)],
        rules[2],
    )
    stats["repair"] = {"pairs": len(typo), "blocks_skipped": 0}
    code = np.sort(np.concatenate(found_i) * n + np.concatenate(found_j))
    code = code[np.r_[True, code[1:] != code[:-1]]] if len(code) else code  # np.unique, without its hashing
    i, j = code // n, code % n
    ok = (i != j) & ~hard_conflict(cols, i, j)
    return i[ok], j[ok], stats


def score(cols: Columns, i: I64, j: I64, model: FellegiSunter) -> Pairs:
    levels = np.concatenate(
        [compare(cols, i[s : s + SCORE_CHUNK], j[s : s + SCORE_CHUNK]) for s in range(0, len(i), SCORE_CHUNK)]
        or [np.zeros((0, 5), np.int8)]
    )
    weights = model.weights(levels)
    total = weights.sum(axis=1)
    return Pairs(i, j, levels, weights, total, model.probability(total), has_identity_evidence(levels))


def prepare(frames: Iterable[pl.DataFrame], clock: Stopwatch) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(all records with line/error, the usable ones normalised).

    A frame that comes normalised already (``ingest.read_normalised``: it has ``id18``) is taken
    as it is."""
    parts, norms = [], []
    for frame in frames:
        parts.append(frame.select("line", "source", "record_id", "error"))
        usable = (
            frame
            if frame.get_column("error").null_count() == frame.height
            else frame.filter(pl.col("error").is_null())
        )
        norms.append(usable if "id18" in frame.columns else normalize(usable, names=False))
        clock.lap("read", f"{sum(p.height for p in parts):,} records")
    records = (
        pl.concat(parts)
        if parts
        else pl.DataFrame(
            schema={"line": pl.Int64, "source": pl.String, "record_id": pl.String, "error": pl.String}
        )
    )
    norm = (
        pl.concat(norms) if norms else normalize(pl.DataFrame(schema={"record_id": pl.String}), names=False)
    )
    return records, norm if "name_simple" in norm.columns else add_name_keys(norm)


def _positions(norm: pl.DataFrame, refs: list[RecordRef]) -> dict[RecordRef, int]:
    wanted = set(refs)
    if not wanted:
        return {}
    keys = norm.select("source", "record_id").with_row_index("row")
    table = pl.DataFrame({"source": [s for s, _ in wanted], "record_id": [r for _, r in wanted]})
    hits = keys.join(table, on=["source", "record_id"])
    return {(s, r): int(k) for k, s, r in hits.iter_rows()}


def _decision_pairs(
    pairs: list[tuple[RecordRef, RecordRef]], where: dict[RecordRef, int]
) -> list[tuple[int, int]]:
    return [(where[a], where[b]) for a, b in pairs if a in where and b in where]


def person_keys(norm: pl.DataFrame, labels: I64) -> pl.Series:
    """A stable pseudonymous key per person (``pseudonym``): from its valid ID, else its first record."""
    if norm.height == 0:
        return pl.Series("person_key", [], pl.String)
    valid = norm.get_column("id_valid").to_numpy()
    n, rows = len(labels), np.arange(len(labels))
    first_any, first_valid = np.full(n, n), np.full(n, n)
    np.minimum.at(first_any, labels, rows)
    np.minimum.at(first_valid, labels[valid], rows[valid])
    present = np.flatnonzero(first_any < n)  # the labels in use, ascending
    first = np.where(first_valid[present] < n, first_valid[present], first_any[present])  # a valid ID first
    by_id = valid[first]
    value = np.zeros(len(first), np.uint64)
    ids = norm.get_column("id18").fill_null(0).to_numpy()  # Int64: nulls would make it float
    value[by_id] = siphash24(ids[first[by_id]].astype(np.uint64))
    unkeyed = first[~by_id]  # only these need their reference
    refs = norm.select(
        pl.col("source").gather(unkeyed) + "\x1f" + pl.col("record_id").gather(unkeyed)
    ).to_series()
    value[~by_id] = [reference_key(r) for r in refs.to_list()]
    slot = np.zeros(n, np.int64)
    slot[present] = np.arange(len(first))
    return as_text(value).gather(slot[labels])  # one key text per person, then one per record


def _best_edge(n: int, i: I64, j: I64, p: NDArray[np.float64], mask: NDArray[np.bool_]) -> I64:
    """Per record, the index of its highest-probability pair among ``mask`` (-1 if none);
    compiled (``_blocks.best_edges``) when built."""
    if blocking.best_edges is None:
        return _best_edge_numpy(n, i, j, p, mask)
    contiguous = [np.ascontiguousarray(x) for x in (i, j, p)]
    best: I64 = blocking.best_edges(n, *contiguous, np.ascontiguousarray(mask).view(np.uint8))
    return best


def _best_edge_numpy(n: int, i: I64, j: I64, p: NDArray[np.float64], mask: NDArray[np.bool_]) -> I64:
    """``_best_edge`` in numpy: the reference."""
    k = np.flatnonzero(mask)
    best = np.full(n, -1, np.int64)
    if len(k) == 0:
        return best
    ends = np.r_[i[k], j[k]]
    ks = np.r_[k, k]
    order = sort_order(ends, p[ks])
    last = np.r_[ends[order][1:] != ends[order][:-1], True]
    best[ends[order][last]] = ks[order][last]
    return best


def dedup(
    frames: Iterable[pl.DataFrame],
    model: FellegiSunter | None,
    *,
    decisions: Decisions | None = None,
    explain_records: bool = False,
    train: bool = False,
    progress: Callable[[str], None] | None = None,
) -> DedupResult:
    clock = Stopwatch(progress)
    records, norm = prepare(frames, clock)
    n = norm.height
    with ThreadPoolExecutor(1) as side:  # ID repairs beside the blocking rules: both cores work
        repairs = side.submit(blocking.repair_links, norm)
        cols = Columns.from_frame(norm, lazy_texts=True)
        rules = rule_pairs(cols)
        typo, cand, typo_ids, cand_ids, start = repairs.result()  # start: each valid ID's first record
    cols.repairs = np.sort(repair_hash(typo_ids, cand_ids))
    clock.lap("normalise", f"{n:,} usable records, {len(typo):,} ID repairs found")
    i, j, stats = candidate_pairs(cols, rules, typo, cand)
    clock.lap("block", f"{len(i):,} candidate pairs")
    if train or model is None:
        from services.matching.engine.train import train as estimate

        model = estimate(cols, base=model)
        clock.lap("train", f"prior {model.prior:.2e}")
    pairs = score(cols, i, j, model)
    clock.lap("score")
    decisions = decisions or Decisions()
    where = _positions(norm, [r for pair in decisions.must_link + decisions.cannot_link for r in pair])
    link = pairs.eligible & (pairs.probability >= model.link_probability)
    anchor = np.where(cols.id_valid, cols.id18, 0)
    clusters = cluster(
        n,
        anchor,
        (i[link], j[link], pairs.total[link]),
        must_link=_decision_pairs(decisions.must_link, where),
        cannot_link=_decision_pairs(decisions.cannot_link, where),
        start=start,
    )
    labels = clusters.labels
    with ThreadPoolExecutor(1) as side:  # the person keys beside the confidences and the grey zone
        keyed = side.submit(person_keys, norm, labels)
        same = labels[i] == labels[j]
        linked_best = _best_edge(n, i, j, pairs.probability, same)
        other_best = _best_edge(n, i, j, pairs.probability, ~same)
        p_or_0 = np.r_[pairs.probability, 0.0]  # index -1 (no pair) reads 0
        confidence = np.where(linked_best >= 0, p_or_0[linked_best], 1.0 - p_or_0[other_best])
        grey_mask = pairs.eligible & ~same & (pairs.probability >= model.review_probability) & ~link
        grey = _grey(norm, pairs, grey_mask, clusters.refused, clusters.ambiguous)
        persons = int(np.count_nonzero(np.bincount(labels, minlength=1)))
        keys = keyed.result()
    clock.lap("cluster", f"{persons:,} persons")
    out = norm.select("source", "record_id").with_columns(
        keys, pl.Series("confidence", np.round(confidence, 4))
    )
    records = _attach(records, out)
    stats = {
        "records": records.height,
        "usable": n,
        "persons": persons,
        "candidate_pairs": len(i),
        "linked_pairs": int(link.sum()),
        "grey_pairs": grey.height,
        "refused": len(clusters.refused),
        "ambiguous_records": len(clusters.ambiguous),
        "blocking": stats,
        "seconds": clock.times,
    }
    evidence = _evidence(norm, pairs, linked_best, other_best) if explain_records else None
    clock.lap("grey zone", f"{grey.height:,} pairs for people to decide")
    return DedupResult(records=records, pairs=pairs, grey=grey, stats=stats, model=model, evidence=evidence)


def _attach(records: pl.DataFrame, out: pl.DataFrame) -> pl.DataFrame:
    ok = records.filter(pl.col("error").is_null())
    ok = ok.with_columns(out.get_column("person_key"), out.get_column("confidence"))
    if ok.height == records.height:
        return ok
    bad = records.filter(pl.col("error").is_not_null()).with_columns(
        pl.lit(None, pl.String).alias("person_key"), pl.lit(None, pl.Float64).alias("confidence")
    )
    return pl.concat([ok, bad]).sort("line")


def _grey(
    norm: pl.DataFrame,
    pairs: Pairs,
    mask: NDArray[np.bool_],
    refused: list[tuple[int, int, str]],
    ambiguous: set[int],
) -> pl.DataFrame:
    """Uncertain pairs, links refused by a constraint, and records between two persons."""
    n = norm.height
    reason = np.full(len(mask), None, dtype=object)
    reason[mask] = "uncertain"
    likely = pairs.eligible & ~mask & (pairs.probability >= 0.5)
    code = pairs.i * n + pairs.j
    for why in ("different_valid_ids", "reviewer_cannot_link"):
        codes = [min(a, b) * n + max(a, b) for a, b, w in refused if w == why]
        reason[likely & (reason == None) & np.isin(code, codes)] = why  # noqa: E711 - elementwise
    between = np.fromiter(ambiguous, np.int64, len(ambiguous))
    near = np.isin(pairs.i, between) | np.isin(pairs.j, between)
    reason[likely & (reason == None) & near] = "ambiguous"  # noqa: E711 - elementwise
    keep = np.flatnonzero(reason != None)  # noqa: E711 - elementwise on an object array
    refs = norm.select("source", "record_id")
    a, b = refs[pairs.i[keep]], refs[pairs.j[keep]]
    return pl.DataFrame(
        {
            "source_a": a.get_column("source"),
            "record_id_a": a.get_column("record_id"),
            "source_b": b.get_column("source"),
            "record_id_b": b.get_column("record_id"),
            "probability": np.round(pairs.probability[keep], 4),
            "reason": pl.Series(reason[keep].tolist(), dtype=pl.String),
        }
    )


def _evidence(norm: pl.DataFrame, pairs: Pairs, linked: I64, other: I64) -> list[dict[str, Any] | None]:
    rid, src = norm.get_column("record_id").to_list(), norm.get_column("source").to_list()
    out: list[dict[str, Any] | None] = []
    for r in range(norm.height):
        k = int(linked[r]) if linked[r] >= 0 else int(other[r])
        if k < 0:
            out.append(None)
            continue
        partner = int(pairs.j[k]) if pairs.i[k] == r else int(pairs.i[k])
        out.append(
            {
                "linked": bool(linked[r] >= 0),
                "partner": {"source": src[partner], "record_id": rid[partner]},
                "probability": round(float(pairs.probability[k]), 4),
                "match_weight": round(float(pairs.total[k]), 2),
                "fields": explain(pairs.levels[k], pairs.weights[k]),
            }
        )
    return out
