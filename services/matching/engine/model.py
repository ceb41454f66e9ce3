"""Fellegi–Sunter scoring, with weights estimated from data, never set by hand.

For each field and comparison level, m = P(level | same person) and u = P(level | different
people); a pair's match weight is the sum of log2(m/u) over its fields (level 0, "missing", adds
nothing) and its match probability follows from the share of matches among candidate pairs.

- u is counted on random pairs of the data (almost all of them are different people).
- m and the share of matches are estimated by expectation–maximisation on the candidate pairs
  (blocked pairs without a hard conflict), started from a neutral guess.

The result is saved as a versioned JSON file (``model.json`` beside this module is the shipped
one, trained by ``snx match train`` on a generated population unrelated to the benchmark's).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from services.matching.engine.compare import FIELDS

SHIPPED = Path(__file__).with_name("model.json")
FORMAT = "snx-fellegi-sunter/1"


@dataclass
class FellegiSunter:
    m: dict[str, list[float]]  # per field: probabilities of levels 1..L among matches
    u: dict[str, list[float]]  # the same among non-matches
    prior: float  # share of matches among candidate pairs
    version: str = "untrained"
    link_probability: float = 0.99  # link at or above this posterior
    review_probability: float = 0.2  # between the two: the grey zone, for people to decide
    trained_on: dict[str, object] = field(default_factory=dict)

    @property
    def weight_table(self) -> NDArray[np.float64]:
        """(fields, 1 + max levels): log2(m/u), column 0 (missing) all zeros."""
        width = 1 + max(len(v) for v in FIELDS.values())
        table = np.zeros((len(FIELDS), width))
        for f, name in enumerate(FIELDS):
            m, u = np.asarray(self.m[name]), np.asarray(self.u[name])
            table[f, 1 : 1 + len(m)] = np.log2(m / u)
        return table

    def weights(self, levels: NDArray[np.int8]) -> NDArray[np.float64]:
        """Per pair and field, the weight of its level: shape (pairs, fields)."""
        table = self.weight_table
        return table[np.arange(len(FIELDS))[None, :], levels.astype(np.intp)]

    def probability(self, total_weight: NDArray[np.float64]) -> NDArray[np.float64]:
        prior_odds = self.prior / (1 - self.prior)
        return 1.0 / (1.0 + 1.0 / (prior_odds * np.exp2(total_weight)))

    def save(self, path: Path) -> None:
        path.write_text(
            json.dumps({"format": FORMAT, "fields": FIELDS, **asdict(self)}, indent=1, ensure_ascii=False)
        )

    @classmethod
    def load(cls, path: Path = SHIPPED) -> FellegiSunter:
        data = json.loads(Path(path).read_text())
        if (
            data.pop("format", None) != FORMAT
            or {k: tuple(v) for k, v in data.pop("fields").items()} != FIELDS
        ):
            raise ValueError(f"{path}: not a model for this engine's fields (format {FORMAT})")
        return cls(**data)


def _frequencies(
    levels: NDArray[np.int8], weights: NDArray[np.float64] | None = None
) -> dict[str, list[float]]:
    out = {}
    for f, (name, codes) in enumerate(FIELDS.items()):
        counts = np.bincount(levels[:, f], weights=weights, minlength=len(codes) + 1)[1:] + 0.5  # smoothed
        out[name] = (counts / counts.sum()).tolist()
    return out


def estimate_u(levels_of_random_pairs: NDArray[np.int8]) -> dict[str, list[float]]:
    return _frequencies(levels_of_random_pairs)


def expectation_maximisation(
    levels: NDArray[np.int8],
    u: dict[str, list[float]],
    *,
    blocked_on: tuple[str, ...],
    iterations: int = 40,
) -> dict[str, list[float]]:
    """m of the fields not in ``blocked_on``, from pairs blocked on those fields, u held fixed.

    As in Splink's training sessions: the fields the pairs were chosen by agree by construction,
    so they carry no information here and are left out of the likelihood; their m comes from
    another session.
    """
    patterns, counts = np.unique(levels, axis=0, return_counts=True)
    for name in blocked_on:
        patterns[:, list(FIELDS).index(name)] = 0
    m = {
        name: (
            np.linspace(len(codes), 1, len(codes)) ** 2 / (np.linspace(len(codes), 1, len(codes)) ** 2).sum()
        ).tolist()
        for name, codes in FIELDS.items()
    }
    share = 0.5
    for _ in range(iterations):
        model = FellegiSunter(m=m, u=u, prior=share)
        p = model.probability(model.weights(patterns).sum(axis=1))
        m = _frequencies(patterns, counts * p)
        share = min(max(float((counts * p).sum() / counts.sum()), 1e-6), 1 - 1e-6)
    return {name: m[name] for name in FIELDS if name not in blocked_on}


def has_identity_evidence(levels: NDArray[np.int8]) -> NDArray[np.bool_]:
    """A link needs the ID to agree (exactly, after a repair, or the same typo), or else both the
    name (at least similar) and the birth date (at least a typo away) to agree: twins and
    household members share everything else, and weights alone cannot tell them apart.
    """
    id_level, name_level, birth_level = levels[:, 0], levels[:, 1], levels[:, 2]
    return ((id_level >= 1) & (id_level <= 3)) | (
        (name_level >= 1) & (name_level <= 4) & (birth_level >= 1) & (birth_level <= 3)
    )
