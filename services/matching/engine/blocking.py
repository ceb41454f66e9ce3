"""Blocking: which pairs of records are worth comparing. Built for recall.

Each rule is a key; records sharing a key value form a block and every pair inside a block is a
candidate. A block larger than ``MAX_BLOCK`` is skipped and counted (a key that common carries
no information; another rule catches its true pairs). Rules (``RULES``):

| rule | key | catches |
|---|---|---|
| id | the ID (typed, converted, from a disability certificate), valid or not | clean IDs, equal typos |
| repair | a one-typo repair of a failing ID = another record's valid ID | mistyped, swapped digits |
| name_birth | pinyin words + birth date, day/month sorted | blank IDs, homophones, 繁体, swaps |
| fuzzy_birth | near-homophone pinyin + birth date | z/zh, n/l … confusions |
| birth_township | birth date + township | names changed or garbled beyond pinyin |
| name_township | pinyin words + township | mistyped birth dates |
| name_county_year | pinyin words + county + birth year | the same, where only the county is known |

The birth date in a key is the one inside a valid ID when there is one, else the typed one.
Keys are 64-bit hashes; blocks are found by sorting, so a run can be split across machines by
key hash ranges (``docs/matching-scale-out.md``).
"""

from __future__ import annotations

import numpy as np
import polars as pl
from numpy.typing import NDArray

from services.matching.engine.arrays import sort_order
from services.matching.engine.compare import Columns
from shared.codes.idnumber import WEIGHTS, repair_candidates

try:  # compiled at install (setup.py); without a C compiler the numpy reference does the work
    from services.matching.engine._blocks import best_edges as best_edges  # re-exported: clustering's
    from services.matching.engine._blocks import block_pairs, rule_keys
    from services.matching.engine._blocks import first_rows as first_rows
except ImportError:  # pragma: no cover - an install without the compiled part
    best_edges = block_pairs = first_rows = rule_keys = None

MAX_BLOCK = 400
I64 = NDArray[np.int64]

M64 = (1 << 64) - 1


def mix(x: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """splitmix64's finaliser: a well-spread 64-bit hash of a 64-bit integer (numpy, wraps)."""
    with np.errstate(over="ignore"):
        z = x + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def _sorted_day_month(birth: NDArray[np.int64]) -> NDArray[np.int64]:
    month, day = birth // 100 % 100, birth % 100
    swapped: NDArray[np.int64] = (
        birth // 10000 * 10000 + np.minimum(month, day) * 100 + np.maximum(month, day)
    )
    return swapped


def key_parts(c: Columns) -> dict[str, list[NDArray[np.int64] | NDArray[np.uint64]]]:
    birth = np.where(c.id_birth != 0, c.id_birth, c.birth)
    return {
        "id": [c.id18],
        "name_birth": [c.phonetic, _sorted_day_month(birth)],
        "fuzzy_birth": [c.fuzzy, birth],
        "birth_township": [birth, c.township],
        "name_township": [c.phonetic, c.township],
        "name_county_year": [c.phonetic, c.county, birth // 10000],
    }


RULES = ("id", "name_birth", "fuzzy_birth", "birth_township", "name_township", "name_county_year")


def key_hashes(c: Columns) -> dict[str, NDArray[np.uint64]]:
    """One 64-bit key per record and rule; 0 where the record lacks a part of the key
    (``key_hashes_numpy`` says how; the compiled ``rule_keys`` does it in one pass)."""
    if rule_keys is None:
        return key_hashes_numpy(c)
    table = rule_keys(c.id18, c.birth, c.id_birth, c.phonetic, c.fuzzy, c.county, c.township)
    return dict(zip(RULES, table, strict=True))


def key_hashes_numpy(c: Columns) -> dict[str, NDArray[np.uint64]]:
    """One 64-bit key per record and rule; 0 where the record lacks a part of the key."""
    out = {}
    for salt, (rule, parts) in enumerate(key_parts(c).items(), start=1):
        h = np.full(len(c), salt, np.uint64)
        complete = np.ones(len(c), bool)
        for part in parts:
            h = mix(h ^ part.astype(np.uint64))
            complete &= part != 0
        out[rule] = np.where(complete & (h != 0), h, np.uint64(0))
    return out


def _mix_one(x: int) -> int:
    """``mix`` of one integer in plain Python (the real-time path: no numpy call per step)."""
    z = (x + 0x9E3779B97F4A7C15) & M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def record_keys(c: Columns, row: int = 0) -> dict[str, int]:
    """``key_hashes`` of one record, in plain Python: the same numbers, a hundred times faster."""
    out = {}
    for salt, (rule, parts) in enumerate(key_parts_one(c, row).items(), start=1):
        h = salt
        for part in parts:
            h = _mix_one(h ^ (part & M64))
        out[rule] = h if all(parts) and h else 0
    return out


def id_key(id18: int) -> int:
    """The ``id`` rule's key of an ID value (``record_keys``' first rule)."""
    return _mix_one(1 ^ id18) if id18 else 0


def key_parts_one(c: Columns, row: int) -> dict[str, list[int]]:
    birth = int(c.id_birth[row]) or int(c.birth[row])
    month, day = birth // 100 % 100, birth % 100
    swapped = birth // 10000 * 10000 + min(month, day) * 100 + max(month, day)
    phonetic, fuzzy = int(c.phonetic[row]), int(c.fuzzy[row])
    county, township = int(c.county[row]), int(c.township[row])
    return {
        "id": [int(c.id18[row])],
        "name_birth": [phonetic, swapped],
        "fuzzy_birth": [fuzzy, birth],
        "birth_township": [birth, township],
        "name_township": [phonetic, township],
        "name_county_year": [phonetic, county, birth // 10000],
    }


def pairs_in_blocks(
    keys: NDArray[np.uint64], max_block: int = MAX_BLOCK, open_: NDArray[np.bool_] | None = None
) -> tuple[I64, I64, int]:
    """Every pair (i < j) of records sharing a non-zero key, and how many blocks were too big
    (``pairs_in_blocks_numpy`` says how; the compiled ``_blocks`` does it when it was built).
    The pairs come in no particular order."""
    if block_pairs is None:
        return pairs_in_blocks_numpy(keys, max_block, open_)
    flags = np.ascontiguousarray(open_ if open_ is not None else np.zeros(len(keys), bool)).view(np.uint8)
    a, b, skipped = block_pairs(np.ascontiguousarray(keys, np.uint64), flags, open_ is not None, max_block)
    return a, b, int(skipped)


def pairs_in_blocks_numpy(
    keys: NDArray[np.uint64], max_block: int = MAX_BLOCK, open_: NDArray[np.bool_] | None = None
) -> tuple[I64, I64, int]:
    """Every pair (i < j) of records sharing a non-zero key, and how many blocks were too big.

    With ``open_``, only pairs with at least one open record: a record without a valid ID. Two
    records with valid IDs are either caught by the ``id`` rule or two people (``hard_conflict``),
    so every other rule only needs the pairs an open record is part of — a fraction of the pairs.
    """
    rows = np.flatnonzero(keys != 0)
    if open_ is not None:  # open records first: a stable sort keeps them first inside each block
        rows = np.r_[rows[open_[rows]], rows[~open_[rows]]]
    order = rows[sort_order(keys[rows])]
    k = keys[order]
    if len(k) < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), 0
    starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    sizes = np.diff(np.r_[starts, len(k)])
    too_big = sizes > max_block
    group = np.repeat(np.arange(len(starts)), sizes)
    position = np.arange(len(k)) - starts[group]
    partners = np.where(too_big[group], 0, sizes[group] - position - 1)
    if open_ is not None:
        partners[~open_[order]] = 0
    left = np.repeat(np.arange(len(k)), partners)
    offset = np.arange(len(left)) - np.repeat(np.cumsum(partners) - partners, partners)
    a, b = order[left], order[left + 1 + offset]
    return np.minimum(a, b), np.maximum(a, b), int(too_big.sum())


_POW10 = 10 ** np.arange(16, -1, -1, dtype=np.int64)  # place value of each of the 17 digits
_INVERSE = np.array([pow(int(w), -1, 11) for w in WEIGHTS], np.int64)


def _check_value(total: I64) -> I64:
    """The check value (X = 10) that a 17-digit weighted total asks for."""
    return (12 - total % 11) % 11


def repair_candidate_ids(texts: list[str]) -> tuple[I64, I64]:
    """(row, candidate id18) for 18-character IDs failing their check: every one-typo repair.

    The vectorised form of ``shared.codes.idnumber.repair_candidates`` without its birth-date
    test (a candidate only counts when it equals another record's valid ID, which has passed it):
    one digit changed (solved, not searched: the weight's inverse modulo 11 gives the only digit
    that fits), the check character retyped, two adjacent characters swapped. IDs with an X among
    the first 17 characters go through ``repair_candidates`` one by one (rare).
    """
    plain = [r for r, t in enumerate(texts) if "X" not in t[:17]]
    rows_x = [r for r, t in enumerate(texts) if "X" in t[:17]]
    raw = np.frombuffer("".join(texts[r] for r in plain).encode(), np.uint8).reshape(-1, 18)
    digits = raw[:, :17].astype(np.int64) - 48
    check = np.where(raw[:, 17] == ord("X"), 10, raw[:, 17].astype(np.int64) - 48)
    first17 = digits @ _POW10
    total = digits @ np.asarray(WEIGHTS, np.int64)
    rows = np.asarray(plain, np.int64)
    found_rows, found_ids = [rows], [first17 * 11 + _check_value(total)]  # the check retyped
    need = (12 - check) % 11  # total % 11 that the typed check character asks for
    for i in range(17):
        d = digits[:, i]
        c = (d + (need - total) * _INVERSE[i]) % 11
        ok = (c < 10) & (c != d)
        found_rows.append(rows[ok])
        found_ids.append((first17[ok] + (c[ok] - d[ok]) * _POW10[i]) * 11 + check[ok])
    for i in range(16):
        a, b = digits[:, i], digits[:, i + 1]
        moved = total + (b - a) * (WEIGHTS[i] - WEIGHTS[i + 1])
        ok = (a != b) & (_check_value(moved) == check)
        swapped = first17 + (b - a) * _POW10[i] + (a - b) * _POW10[i + 1]
        found_rows.append(rows[ok])
        found_ids.append(swapped[ok] * 11 + check[ok])
    last = check < 10  # the 17th digit and the check character swapped
    new17 = first17 - digits[:, 16] + check
    ok = (
        last
        & (digits[:, 16] != check)
        & (_check_value(total + (check - digits[:, 16]) * WEIGHTS[16]) == digits[:, 16])
    )
    found_rows.append(rows[ok])
    found_ids.append(new17[ok] * 11 + digits[ok, 16])
    for r in rows_x:
        for cand in repair_candidates(texts[r]):
            found_rows.append(np.array([r], np.int64))
            found_ids.append(np.array([int(cand[:17]) * 11 + (10 if cand[17] == "X" else int(cand[17]))]))
    return np.concatenate(found_rows), np.concatenate(found_ids)


def same_anchor_start(anchor: I64) -> I64:
    """Per record, the first record with its anchor (a valid ID; itself when it has none): the
    records of one valid ID are one person from the start. Compiled (``_blocks.first_rows``)."""
    if first_rows is None:
        _, first, inverse = np.unique(anchor, return_index=True, return_inverse=True)
        start: I64 = np.where(anchor != 0, first[inverse], np.arange(len(anchor)))
        return start
    out: I64 = first_rows(anchor.astype(np.uint64), np.ascontiguousarray(anchor != 0).view(np.uint8), True)
    return out


def repair_links(frame: pl.DataFrame) -> tuple[I64, I64, I64, I64, I64]:
    """Pairs (typo record, record whose valid ID repairs it), (typo id18, repaired id18) per repair
    found, and ``same_anchor_start`` of the valid IDs (found in the same pass, for clustering)."""
    # _id18 holds 18 digits (or X) wherever it is set
    mask = ~frame.get_column("id_valid") & frame.get_column("_id18").is_not_null()
    typo_at = np.flatnonzero(mask.to_numpy())
    texts = frame.get_column("_id18").gather(typo_at).to_list()
    found, repaired = repair_candidate_ids(texts) if texts else (np.zeros(0, np.int64), np.zeros(0, np.int64))
    typo_rows = typo_at[found]
    ids = frame.get_column("id18").fill_null(0).to_numpy()
    valid = frame.get_column("id_valid").to_numpy()
    n = len(ids)
    anchor = np.where(valid, ids, 0)
    if first_rows is None:
        return (*_repair_links_sorted(typo_rows, repaired, ids, valid), same_anchor_start(anchor))
    # the valid IDs first: each finds the first record of its ID, and so does each candidate
    keys = np.r_[anchor, repaired].astype(np.uint64)
    first = first_rows(keys, np.r_[anchor != 0, np.ones(len(repaired), bool)].view(np.uint8), True)
    start, first = first[:n], first[n:]
    hit = first < n
    typo_rows, repaired, first = typo_rows[hit], repaired[hit], first[hit]
    later = np.flatnonzero((start != np.arange(n)) & (anchor != 0))  # the other records of an ID
    later = later[np.argsort(start[later], kind="stable")]
    lo = np.searchsorted(start[later], first, "left")
    count = np.searchsorted(start[later], first, "right") - lo
    offset = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    left = np.r_[typo_rows, np.repeat(typo_rows, count)]
    right = np.r_[first, later[np.repeat(lo, count) + offset]]
    return left, right, ids[typo_rows], repaired, start


def _repair_links_sorted(
    typo_rows: I64, repaired: I64, ids: I64, valid: NDArray[np.bool_]
) -> tuple[I64, I64, I64, I64]:
    """``repair_links``' lookup by sorting the valid IDs (without the compiled part): the reference."""
    valid_rows = np.flatnonzero(valid)
    by_id = valid_rows[sort_order(ids[valid_rows])]
    sorted_ids = ids[by_id]
    asked = np.argsort(repaired, kind="stable")  # sorted queries: each search starts where the last ended
    typo_rows, repaired = typo_rows[asked], repaired[asked]
    lo = np.searchsorted(sorted_ids, repaired, "left")
    hi = np.searchsorted(sorted_ids, repaired, "right")
    exists = hi > lo
    typo_rows, repaired, lo, count = typo_rows[exists], repaired[exists], lo[exists], (hi - lo)[exists]
    left = np.repeat(typo_rows, count)
    offset = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    right = by_id[np.repeat(lo, count) + offset]
    return left, right, ids[typo_rows], repaired
