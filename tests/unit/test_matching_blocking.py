"""Blocking: the vectorised ID repair equals the one-by-one rule, and blocks give the right pairs."""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.matching.engine.arrays import sort_order
from services.matching.engine.blocking import pairs_in_blocks, repair_candidate_ids
from shared.codes.idnumber import check_character, is_valid_id18, repair_candidates


def _id18(rng: random.Random) -> str:
    first17 = f"{rng.choice(['110105', '431228', '652101'])}{rng.randint(1930, 2015)}"
    first17 += f"{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    return first17 + check_character(first17)


def _typo(rng: random.Random, s: str) -> str:
    i = rng.randrange(18)
    if rng.random() < 0.3 and i < 17:
        return s[:i] + s[i + 1] + s[i] + s[i + 2 :]
    return s[:i] + rng.choice("0123456789X" if i in (16, 17) else "0123456789") + s[i + 1 :]


def _as_text(value: int) -> str:
    first17, check = divmod(int(value), 11)
    return f"{first17:017d}" + ("X" if check == 10 else str(check))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_vectorised_repairs_are_exactly_the_valid_one_typo_repairs(seed: int) -> None:
    rng = random.Random(seed)
    typos = [t for t in (_typo(rng, _id18(rng)) for _ in range(3000)) if not is_valid_id18(t)]
    typos += ["11010519491231X021", "1101051949123100X1"]  # an X among the first 17 characters
    rows, ids = repair_candidate_ids(typos)
    got: dict[int, set[str]] = {}
    for r, v in zip(rows.tolist(), ids.tolist(), strict=True):
        text = _as_text(v)
        if is_valid_id18(text):  # the batch keeps only candidates that are someone's valid ID
            got.setdefault(r, set()).add(text)
    for r, typo in enumerate(typos):
        assert got.get(r, set()) == set(repair_candidates(typo)), typo


def test_pairs_in_blocks_lists_every_pair_once_and_skips_big_blocks() -> None:
    keys = np.array([5, 7, 5, 0, 5, 7, 9, 9, 9], np.uint64)
    i, j, skipped = pairs_in_blocks(keys, max_block=2)
    assert sorted(zip(i.tolist(), j.tolist(), strict=True)) == [(1, 5)] and skipped == 2
    i, j, skipped = pairs_in_blocks(keys)
    assert sorted(zip(i.tolist(), j.tolist(), strict=True)) == [
        (0, 2), (0, 4), (1, 5), (2, 4), (6, 7), (6, 8), (7, 8),
    ]  # fmt: skip


def test_open_records_pair_with_everyone_closed_records_only_with_open_ones() -> None:
    keys = np.array([5, 5, 5, 5, 7, 7], np.uint64)
    open_ = np.array([False, True, False, True, False, False])
    i, j, _ = pairs_in_blocks(keys, open_=open_)
    assert sorted(zip(i.tolist(), j.tolist(), strict=True)) == [(0, 1), (0, 3), (1, 2), (1, 3), (2, 3)]


def test_the_one_record_keys_equal_the_column_keys() -> None:
    import polars as pl

    from services.matching.engine.blocking import key_hashes, record_keys
    from services.matching.engine.compare import Columns
    from services.matching.engine.normalize import normalize

    rng = random.Random(5)
    rows = []
    for k in range(300):
        good = _id18(rng)
        rows.append(
            {
                "record_id": str(k),
                "source": "mca.dibao",
                "id_number": rng.choice([good, _typo(rng, good), None, good[:6] + good[8:17]]),
                "name": rng.choice(["张伟", "李娜", "欧阳娜娜", "SMITH John", None]),
                "birth_date": rng.choice(
                    [f"19{rng.randint(10, 99)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}", None]
                ),
                "division_code": rng.choice(["440305001", "440305", "440305001201", None]),
            }
        )
    cols = Columns.from_frame(normalize(pl.DataFrame(rows, schema=dict.fromkeys(rows[0], pl.String))))
    together = key_hashes(cols)
    for r in range(len(rows)):
        assert record_keys(cols, r) == {rule: int(keys[r]) for rule, keys in together.items()}


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.booleans(), st.floats(0, 1)), max_size=60))
def test_sort_order_is_numpys_stable_lexsort(rows: list[tuple[int, bool, float]]) -> None:
    a = np.array([r[0] for r in rows], np.uint64)
    b = np.array([r[1] for r in rows], bool)
    c = np.array([r[2] for r in rows], np.float64)
    assert sort_order(a, b, c).tolist() == np.lexsort((c, b, a)).tolist()
    assert sort_order(a).tolist() == np.argsort(a, kind="stable").tolist()


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.one_of(st.none(), st.sampled_from(["", "zhang wei", "张伟", "Ａ", "a", "b"]), st.text(max_size=5))
    )
)
def test_text_columns_hold_the_values(values: list[str | None]) -> None:
    import polars as pl

    from services.matching.engine.compare import _texts

    got = _texts(pl.Series(values, dtype=pl.String))
    assert got.dtype == object and got.tolist() == [v or "" for v in values]


def test_the_compiled_blocking_is_built_and_gives_the_reference_pairs() -> None:
    from services.matching.engine import blocking

    assert blocking.block_pairs is not None, "the compiled part (setup.py) was not built"
    rng = np.random.default_rng(11)
    for n, distinct, max_block in ((0, 1, 400), (1, 1, 400), (500, 40, 400), (3000, 60, 30), (2000, 3, 2)):
        keys = rng.integers(0, distinct, n).astype(np.uint64)  # 0: no key
        open_ = rng.random(n) < 0.3
        for flags in (None, open_):
            got = blocking.pairs_in_blocks(keys, max_block, flags)
            want = blocking.pairs_in_blocks_numpy(keys, max_block, flags)
            assert got[2] == want[2]
            pairs = sorted(zip(got[0].tolist(), got[1].tolist(), strict=True))
            assert pairs == sorted(zip(want[0].tolist(), want[1].tolist(), strict=True))
            assert all(a < b for a, b in pairs) and len(set(pairs)) == len(pairs)


def test_the_compiled_keys_are_the_reference_keys() -> None:
    from services.matching.engine import blocking
    from services.matching.engine.compare import Columns

    assert blocking.rule_keys is not None
    rng = np.random.default_rng(3)
    n = 5000

    def some(values: np.ndarray) -> np.ndarray:  # a fifth missing (0)
        return np.where(rng.random(n) < 0.2, 0, values)

    births = rng.integers(19300101, 20201231, n)
    cols = Columns.from_rows([])  # then replace every array the keys read
    cols = replace(
        cols,
        id18=some(rng.integers(1, 1 << 62, n)),
        birth=some(births),
        id_birth=some(births + rng.integers(0, 2, n)),
        phonetic=some(rng.integers(1, 1 << 63, n, dtype=np.uint64)).astype(np.uint64),
        fuzzy=some(rng.integers(1, 1 << 63, n, dtype=np.uint64)).astype(np.uint64),
        county=some(rng.integers(110000, 659999, n)),
        township=some(rng.integers(110000000, 659999999, n)),
    )
    got, want = blocking.key_hashes(cols), blocking.key_hashes_numpy(cols)
    assert list(got) == list(want) == list(blocking.RULES)
    for rule in blocking.RULES:
        assert np.array_equal(got[rule], want[rule]), rule
        assert (got[rule] == 0).any() and (got[rule] != 0).any()


def test_the_compiled_birth_levels_are_the_reference_levels() -> None:
    from services.matching.engine import compare

    assert compare._compiled is not None, "the compiled part (setup.py) was not built"
    rng = np.random.default_rng(8)
    n = 20000
    base = rng.integers(19300101, 20201231, n)
    day_month = base // 10000 * 10000 + base % 100 * 100 + base // 100 % 100  # swapped
    digit = base + 10 ** rng.integers(0, 8, n)  # one digit changed (mostly)
    transposed = np.array([int(str(b)[:k] + str(b)[k + 1] + str(b)[k] + str(b)[k + 2 :]) for b, k in
                           zip(base.tolist(), rng.integers(0, 7, n).tolist(), strict=True)])  # fmt: skip
    kinds = np.stack(
        [base, day_month, digit, transposed, rng.integers(19300101, 20201231, n), np.zeros(n, int)]
    )
    birth = np.r_[base, kinds[rng.integers(0, 6, n), np.arange(n)]]
    id_birth = np.r_[np.where(rng.random(n) < 0.5, 0, base), kinds[rng.integers(0, 6, n), np.arange(n)]]
    cols = replace(
        compare.Columns.from_rows([]), birth=birth.astype(np.int64), id_birth=id_birth.astype(np.int64)
    )
    i, j = np.arange(n), np.arange(n, 2 * n)
    got = compare.compare_birth(cols, i, j)
    want = compare.compare_birth_numpy(cols, i, j)
    assert np.array_equal(got, want)
    assert set(np.unique(want).tolist()) == {0, 1, 2, 3, 4}  # every level was met


def test_the_compiled_repair_lookup_finds_the_reference_pairs() -> None:
    import polars as pl

    from services.matching.engine import blocking
    from services.matching.engine.normalize import normalize

    rng = random.Random(9)
    good = [
        f"1101051949{m:02d}{d:02d}{s:03d}" for m in range(1, 13) for d in (1, 15) for s in range(0, 900, 37)
    ]
    good = [g + check_character(g) for g in good]
    ids = good + rng.sample(good, 200)  # some IDs held by two records or more
    for g in rng.sample(good, 300):  # and typed wrong: a digit changed, two swapped
        k = rng.randrange(17)
        ids.append(g[:k] + str((int(g[k]) + rng.randrange(1, 10)) % 10) + g[k + 1 :])
        ids.append(g[:k] + g[k + 1] + g[k] + g[k + 2 :])
    frame = normalize(pl.DataFrame({"id_number": ids, "record_id": [str(k) for k in range(len(ids))]}))
    got = blocking.repair_links(frame)
    valid = frame.get_column("id_valid").to_numpy()
    typo_rows = np.flatnonzero(~valid & frame.get_column("_id18").is_not_null().to_numpy())
    found, repaired = repair_candidate_ids(frame.get_column("_id18").gather(typo_rows).to_list())
    want = blocking._repair_links_sorted(
        typo_rows[found], repaired, frame.get_column("id18").to_numpy(), valid
    )
    assert sorted(zip(got[0].tolist(), got[1].tolist(), strict=True)) == sorted(
        zip(want[0].tolist(), want[1].tolist(), strict=True)
    )
    assert sorted(zip(got[2].tolist(), got[3].tolist(), strict=True)) == sorted(
        zip(want[2].tolist(), want[3].tolist(), strict=True)
    )
    assert len(got[0]) > 300  # most typos found their ID, duplicates included
