"""Stable person ids across re-runs: a new clustering keeps the ids of the old one where it can.

Each new cluster takes the old person id that most of its records had, each old id going to one
cluster only, largest overlaps first (ties: the older id, then the smaller cluster number, so the
answer never depends on row order). A cluster with no old id left gets a new one. What changed is
reported: clusters that joined records of several old persons (merges) and old persons whose
records went to several clusters (splits).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import polars as pl


def new_person_id() -> str:
    return "P" + uuid.uuid4().hex[:20].upper()


@dataclass
class Assignment:
    ids: dict[int, str]  # cluster → person id
    new: list[str] = field(default_factory=list)  # person ids created
    merges: dict[str, list[str]] = field(default_factory=dict)  # kept id → old ids merged into it
    splits: dict[str, list[str]] = field(default_factory=dict)  # old id → the ids its records went to


def assign(
    clusters: Sequence[int], old_ids: Sequence[str | None], make_id: Callable[[], str] = new_person_id
) -> Assignment:
    """``clusters[i]`` is record i's new cluster, ``old_ids[i]`` the person it had (None: none)."""
    frame = pl.DataFrame({"c": clusters, "o": old_ids}, schema={"c": pl.Int64, "o": pl.String})
    overlap = (
        frame.drop_nulls("o")
        .group_by("c", "o")
        .len()
        .sort(["len", "o", "c"], descending=[True, False, False])
    )
    ids: dict[int, str] = {}
    taken: set[str] = set()
    for c, o, _ in overlap.iter_rows():
        if c not in ids and o not in taken:
            ids[c] = o
            taken.add(o)
    result = Assignment(ids)
    for c in frame.get_column("c").unique().sort().to_list():
        if c not in ids:
            ids[c] = make_id()
            result.new.append(ids[c])
    olds_of: dict[str, set[str]] = defaultdict(set)  # kept id → old ids among its records
    went_to: dict[str, set[str]] = defaultdict(set)  # old id → ids its records now have
    for c, o, _ in overlap.iter_rows():
        olds_of[ids[c]].add(o)
        went_to[o].add(ids[c])
    result.merges = {k: sorted(v - {k}) for k, v in olds_of.items() if v - {k}}
    result.splits = {o: sorted(v) for o, v in went_to.items() if len(v) > 1}
    return result
