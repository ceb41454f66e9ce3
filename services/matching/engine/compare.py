"""Field-by-field comparison of record pairs, vectorised: one numpy operation per rule.

``Columns`` holds the normalised records as arrays (``Columns.from_frame``); ``compare(cols, i, j)``
gives, for the pairs (i[k], j[k]), one comparison level per field (``FIELDS``). Level 0 always
means "nothing to compare" (a side is missing) and carries no weight; the model
(``model.FellegiSunter``) turns the other levels into evidence for or against.
The same code compares a batch of millions of pairs and one query against its candidates.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray
from rapidfuzz.distance import JaroWinkler, Levenshtein
from rapidfuzz.process import cpdist

from services.matching.engine.names import could_read_alike

try:  # compiled at install (setup.py)
    import services.matching.engine._compare as _compiled
except ImportError:  # pragma: no cover - an install without the compiled part
    _compiled = None

I64 = NDArray[np.int64]
Levels = NDArray[np.int8]

# field → its levels after 0 ("missing"), best first; the codes are the evidence's machine codes.
FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("id_exact", "id_repaired", "id_same_invalid", "id_differs"),
    "name": ("name_exact", "name_homophone", "name_near_homophone", "name_similar", "name_differs"),
    "birth": ("birth_exact", "birth_swapped", "birth_typo", "birth_differs"),
    "sex": ("sex_agrees", "sex_differs"),
    "division": ("same_village", "same_township", "same_county", "same_prefecture", "division_differs"),
}
NAME_SIMILAR = 0.88  # Jaro-Winkler of the pinyin words


def _hash(series: pl.Series) -> NDArray[np.uint64]:
    if len(series) < 64:  # the real-time path: fewer polars calls
        values, few = series.to_list(), series.hash(seed=7).to_list()
        return np.fromiter((h if v is not None else 0 for v, h in zip(values, few, strict=True)), np.uint64)
    hashed = series.hash(seed=7).to_numpy()
    return np.where(series.is_null().to_numpy(), np.uint64(0), hashed)


def _texts(series: pl.Series) -> NDArray[np.object_]:
    """Strings as an object array, "" for null (one Python string per record)."""
    out: NDArray[np.object_] = series.fill_null("").to_numpy().astype(object)
    return out


class Texts:
    """A string column that becomes Python strings only where a comparison asks for them.

    A batch compares the spelled-out name or ID of a small share of its records (the pairs that
    the hashes cannot decide); turning every record's strings into Python objects up front cost
    more than a second at a million records. Indexing with row numbers gives an object array,
    as indexing the real-time path's object arrays does ("" stands for null).
    """

    def __init__(self, series: pl.Series) -> None:
        self.series = series

    def __len__(self) -> int:
        return len(self.series)

    def __getitem__(self, rows: I64) -> NDArray[np.object_]:
        picked = self.series.gather(np.asarray(rows, np.int64)).fill_null("").to_list()
        out = np.empty(len(picked), object)
        out[:] = picked
        return out


Text = NDArray[np.object_] | Texts


def _int(series: pl.Series) -> I64:
    return series.fill_null(0).cast(pl.Int64).to_numpy()


@dataclass
class Columns:
    """Normalised records as arrays; 0 (or an empty string) stands for "not given"."""

    id18: I64
    id_valid: NDArray[np.bool_]
    id_form: NDArray[np.uint8]
    birth: I64
    id_birth: I64
    sex: I64
    county: I64
    township: I64
    village: I64
    simple: NDArray[np.uint64]
    phonetic: NDArray[np.uint64]
    fuzzy: NDArray[np.uint64]
    latin: NDArray[np.bool_]
    phonetic_text: Text
    simple_text: Text
    id_text: Text  # the cleaned ID as typed ("" if none)
    repairs: NDArray[np.uint64]  # sorted pair hashes of (typo id18, valid repair candidate id18)

    @classmethod
    def from_frame(
        cls, frame: pl.DataFrame, repairs: NDArray[np.uint64] | None = None, *, lazy_texts: bool = False
    ) -> Columns:
        """``lazy_texts``: keep the strings in polars (``Texts``), for a batch that only reads a few."""
        text = Texts if lazy_texts else _texts
        sex = frame.get_column("id_sex").fill_null(frame.get_column("sex"))
        return cls(
            id18=_int(frame.get_column("id18")),
            id_valid=frame.get_column("id_valid").fill_null(False).to_numpy(),
            id_form=frame.get_column("_id_form").to_numpy(),
            birth=_int(frame.get_column("birth")),
            id_birth=_int(frame.get_column("id_birth")),
            sex=_int(sex),
            county=_int(frame.get_column("county")),
            township=_int(frame.get_column("township")),
            village=_int(frame.get_column("village")),
            simple=_hash(frame.get_column("name_simple")),
            phonetic=_hash(frame.get_column("name_phonetic")),
            fuzzy=_hash(frame.get_column("name_fuzzy")),
            latin=frame.get_column("name_latin").fill_null(False).to_numpy(),
            phonetic_text=text(frame.get_column("name_phonetic")),
            simple_text=text(frame.get_column("name_simple")),
            id_text=text(frame.get_column("id_text")),
            repairs=np.sort(repairs) if repairs is not None else np.zeros(0, np.uint64),
        )

    @classmethod
    def from_rows(cls, rows: Sequence[dict[str, Any]], repairs: NDArray[np.uint64] | None = None) -> Columns:
        """From ``record.normalize_record`` dicts: the real-time path, without a polars frame."""

        def ints(key: str) -> I64:
            return np.fromiter((r[key] or 0 for r in rows), np.int64, len(rows))

        names = {k: [r[k] for r in rows] for k in ("name_simple", "name_phonetic", "name_fuzzy")}
        hashes = _hash(pl.Series([v for k in names for v in names[k]], dtype=pl.String))
        n = len(rows)
        return cls(
            id18=ints("id18"),
            id_valid=np.fromiter((r["id_valid"] for r in rows), bool, n),
            id_form=np.fromiter((r["_id_form"] for r in rows), np.uint8, n),
            birth=ints("birth"),
            id_birth=ints("id_birth"),
            sex=np.fromiter((r["id_sex"] or r["sex"] or 0 for r in rows), np.int64, n),
            county=ints("county"),
            township=ints("township"),
            village=ints("village"),
            simple=hashes[:n],
            phonetic=hashes[n : 2 * n],
            fuzzy=hashes[2 * n :],
            latin=np.fromiter((bool(r["name_latin"]) for r in rows), bool, n),
            phonetic_text=np.asarray([v or "" for v in names["name_phonetic"]], dtype=object),
            simple_text=np.asarray([v or "" for v in names["name_simple"]], dtype=object),
            id_text=np.asarray([r["id_text"] or "" for r in rows], dtype=object),
            repairs=np.sort(repairs) if repairs is not None else np.zeros(0, np.uint64),
        )

    def take(self, rows: I64) -> Columns:
        """The records at ``rows`` (repairs kept)."""
        taken = {f.name: getattr(self, f.name)[rows] for f in fields(self) if f.name != "repairs"}
        return replace(self, **taken)

    @staticmethod
    def concat(parts: Sequence[Columns], repairs: NDArray[np.uint64]) -> Columns:
        data = {f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(Columns)}
        return Columns(**{**data, "repairs": np.sort(repairs)})

    def __len__(self) -> int:
        return len(self.id18)


def repair_hash(typo: I64, candidate: I64) -> NDArray[np.uint64]:
    with np.errstate(over="ignore"):
        return typo.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15) + candidate.astype(np.uint64)


def _choose(conditions: list[NDArray[np.bool_]], n: int) -> Levels:
    """Level k+1 for the first condition k that holds, 0 where none does."""
    out = np.zeros(n, np.int8)
    for k in range(len(conditions) - 1, -1, -1):
        out[conditions[k]] = k + 1
    return out


def compare_id(c: Columns, i: I64, j: I64) -> Levels:
    """Exact (both valid), repaired (one typo: a changed, swapped, missing or extra character),
    the same number that is no valid ID on both sides, or different."""
    a, b = c.id18[i], c.id18[j]
    va, vb = c.id_valid[i], c.id_valid[j]
    present = (a != 0) & (b != 0)
    one_valid = va ^ vb & present
    typo = np.where(va, b, a)
    good = np.where(va, a, b)
    repaired = np.zeros(len(i), bool)
    asked = np.flatnonzero(one_valid)
    if len(asked) and len(c.repairs):  # c.repairs is sorted
        hashes = repair_hash(typo[asked], good[asked])
        at = np.searchsorted(c.repairs, hashes).clip(max=len(c.repairs) - 1)
        repaired[asked] = c.repairs[at] == hashes
    rest = np.flatnonzero(one_valid & ~repaired)
    if len(rest):
        edits = cpdist(
            c.id_text[i[rest]].tolist(), c.id_text[j[rest]].tolist(), scorer=Levenshtein.distance, workers=-1
        )
        repaired[rest[np.asarray(edits) == 1]] = True
    same_invalid = ~(va & vb) & present & (a == b)
    return _choose([present & va & vb & (a == b), repaired, same_invalid, present], len(i))


def _jaro(c: Columns, i: I64, j: I64) -> NDArray[np.float64]:
    if len(i) == 0:
        return np.zeros(0)
    return np.asarray(
        cpdist(
            c.phonetic_text[i].tolist(),
            c.phonetic_text[j].tolist(),
            scorer=JaroWinkler.normalized_similarity,
            workers=-1,
        ),
        dtype=np.float64,
    )


def compare_name(c: Columns, i: I64, j: I64) -> Levels:
    present = (c.simple[i] != 0) & (c.simple[j] != 0)
    exact = present & (c.simple[i] == c.simple[j])
    homophone = present & (c.phonetic[i] == c.phonetic[j])
    near = present & (c.fuzzy[i] == c.fuzzy[j])
    rest = np.flatnonzero(present & ~near)
    similar = np.zeros(len(i), bool)
    jw = _jaro(c, i[rest], j[rest])
    similar[rest] = jw >= NAME_SIMILAR
    # Heteronyms (乐 le/yue): names whose characters can each be read alike are homophones too.
    close = rest[jw >= 0.7]
    close = close[~c.latin[i[close]] & ~c.latin[j[close]]]
    for k, a, b in zip(close.tolist(), c.simple_text[i[close]], c.simple_text[j[close]], strict=True):
        if could_read_alike(str(a), str(b)):
            homophone[k] = True
    return _choose([exact, homophone, near, similar, present], len(i))


def _birth_level(a: I64, b: I64) -> Levels:
    """1 exact, 2 day and month swapped, 3 one digit changed or two adjacent swapped, 4 other."""
    present = (a != 0) & (b != 0)
    out = np.where(present, np.int8(4), np.int8(0))
    out[present & (a == b)] = 1
    rest = np.flatnonzero(present & (a != b))  # only these need the finer tests
    a, b = a[rest], b[rest]
    swapped = (a // 10000 == b // 10000) & (a // 100 % 100 == b % 100) & (a % 100 == b // 100 % 100)
    out[rest[swapped]] = 2
    rest, a, b = rest[~swapped], a[~swapped], b[~swapped]
    places = 10 ** np.arange(8)
    digits_a, digits_b = a[:, None] // places % 10, b[:, None] // places % 10
    differ = digits_a != digits_b
    count = differ.sum(axis=1)
    adjacent = (count == 2) & (differ[:, 1:] & differ[:, :-1]).any(axis=1)
    transposed = adjacent & (np.sort(digits_a, axis=1) == np.sort(digits_b, axis=1)).all(axis=1)
    out[rest[(count == 1) | transposed]] = 3
    return out


def compare_birth(c: Columns, i: I64, j: I64) -> Levels:
    """The best agreement among the raw birth dates and the dates inside valid IDs (compiled,
    ``_compare.birth_levels``; ``compare_birth_numpy`` when it was not built)."""
    if _compiled is None:
        return compare_birth_numpy(c, i, j)
    contiguous = [np.ascontiguousarray(x, np.int64) for x in (c.birth, c.id_birth, i, j)]
    levels: Levels = _compiled.birth_levels(*contiguous)
    return levels


def compare_birth_numpy(c: Columns, i: I64, j: I64) -> Levels:
    """``compare_birth`` in numpy: the reference."""
    mine, theirs = (c.birth[i], c.id_birth[i]), (c.birth[j], c.id_birth[j])
    a = np.concatenate([x for x in mine for _ in theirs])  # the four combinations in one call
    b = np.concatenate([y for _ in mine for y in theirs])
    level = _birth_level(a, b).reshape(4, len(i))
    best = np.where(level == 0, np.int8(99), level).min(axis=0)
    return np.where(best == 99, np.int8(0), best).astype(np.int8)


def compare_sex(c: Columns, i: I64, j: I64) -> Levels:
    a, b = c.sex[i], c.sex[j]
    present = (a != 0) & (b != 0)
    return _choose([present & (a == b), present], len(i))


def compare_division(c: Columns, i: I64, j: I64) -> Levels:
    """Agreement at the finest level both records give (village, then township, then county)."""
    out = np.zeros(len(i), np.int8)
    decided = np.zeros(len(i), bool)
    for level, col in ((1, c.village), (2, c.township), (3, c.county)):
        a, b = col[i], col[j]
        both = (a != 0) & (b != 0) & ~decided
        out[both & (a == b)] = level
        decided |= both & (a == b)
    county_a, county_b = c.county[i], c.county[j]
    known = (county_a != 0) & (county_b != 0) & ~decided
    out[known & (county_a // 100 == county_b // 100)] = 4
    out[known & (county_a // 100 != county_b // 100)] = 5
    return out


COMPARATORS = {
    "id": compare_id,
    "name": compare_name,
    "birth": compare_birth,
    "sex": compare_sex,
    "division": compare_division,
}


PARALLEL_PAIRS = 100_000  # from this many pairs on, the fields are compared two at a time


def compare(c: Columns, i: I64, j: I64) -> NDArray[np.int8]:
    """Levels of every field for the pairs (i[k], j[k]): shape (pairs, fields). A batch's pairs
    are compared on two cores (numpy, rapidfuzz and the compiled levels let go of the GIL); a
    query's few in this thread."""
    if len(i) < PARALLEL_PAIRS:
        return np.stack([COMPARATORS[f](c, i, j) for f in FIELDS], axis=1)
    with ThreadPoolExecutor(2) as pool:
        return np.stack(list(pool.map(lambda f: COMPARATORS[f](c, i, j), FIELDS)), axis=1)


def hard_conflict(c: Columns, i: I64, j: I64) -> NDArray[np.bool_]:
    """Two different IDs that both pass their check: two people, whatever else agrees."""
    conflict: NDArray[np.bool_] = c.id_valid[i] & c.id_valid[j] & (c.id18[i] != c.id18[j])
    return conflict
