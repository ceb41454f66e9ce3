"""Estimating the model from data, the way Splink does, with no labels.

- u: level frequencies on a million random pairs (nearly all different people).
- m: expectation–maximisation in sessions, each on pairs blocked by one rule, leaving out the
  fields that rule blocked on (they agree by construction): pairs sharing an ID teach name, sex
  and division (not the birth date: it is read from the shared ID); pairs sharing pinyin name and
  birth date teach ID, sex and division; pairs sharing pinyin name and township teach the birth
  date, ID and sex. Each field's m is the mean over the sessions that taught it.
- prior (the chance that two random records are one person): pairs sharing a valid ID, scaled
  up for records without one, over all pairs.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from services.matching.engine import blocking
from services.matching.engine.compare import FIELDS, Columns, compare, hard_conflict
from services.matching.engine.model import FellegiSunter, estimate_u, expectation_maximisation

RANDOM_PAIRS = 1_000_000
SESSIONS = {
    "id": ("id", "birth"),
    "name_birth": ("name", "birth"),
    "name_township": ("name", "division"),
}  # blocking rule → fields it blocked on


def estimate_prior(cols: Columns) -> float:
    n = len(cols)
    valid_ids = cols.id18[cols.id_valid]
    _, sizes = np.unique(valid_ids, return_counts=True)
    sharing = float((sizes * (sizes - 1) // 2).sum())
    coverage = len(valid_ids) / max(n, 1)
    total = n * (n - 1) / 2
    return min(max(sharing / max(coverage**2, 1e-6) / max(total, 1), 1e-12), 0.5)


def train(cols: Columns, *, base: FellegiSunter | None = None, seed: int = 0) -> FellegiSunter:
    """A model for data like ``cols``; thresholds from ``base`` when given."""
    n = len(cols)
    rng = np.random.default_rng(seed)
    a, b = rng.integers(0, n, RANDOM_PAIRS), rng.integers(0, n, RANDOM_PAIRS)
    a, b = a[a != b], b[a != b]
    random_levels = compare(cols, a, b)
    random_levels[hard_conflict(cols, a, b), 0] = 0  # the ID's u among pairs that can be compared at all
    u = estimate_u(random_levels)
    keys = blocking.key_hashes(cols)
    m: dict[str, list[list[float]]] = {name: [] for name in FIELDS}
    pairs = {}
    for rule, blocked_on in SESSIONS.items():
        i, j, _ = blocking.pairs_in_blocks(keys[rule])
        ok = ~hard_conflict(cols, i, j)
        pairs[rule] = int(ok.sum())
        for name, values in expectation_maximisation(
            compare(cols, i[ok], j[ok]), u, blocked_on=blocked_on
        ).items():
            m[name].append(values)
    thresholds = (
        {"link_probability": base.link_probability, "review_probability": base.review_probability}
        if base
        else {}
    )
    return FellegiSunter(
        m={name: np.mean(v, axis=0).tolist() for name, v in m.items()},
        u=u,
        prior=estimate_prior(cols),
        version=f"em-{date.today().isoformat()}",
        trained_on={"records": n, "random_pairs": len(a), "session_pairs": pairs},
        **thresholds,
    )
