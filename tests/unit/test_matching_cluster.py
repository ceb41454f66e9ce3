"""Clustering: the component shortcut gives exactly what the greedy joining gives, constraints hold."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from services.matching.engine.cluster import _greedy, cluster, components


def _same_partition(x: np.ndarray, y: np.ndarray) -> bool:
    pairs = set(zip(x.tolist(), y.tolist(), strict=True))
    return len(pairs) == len(set(x.tolist())) == len(set(y.tolist()))


@st.composite
def graphs(draw: st.DrawFn) -> tuple[int, np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray], list, list]:
    n = draw(st.integers(2, 40))
    anchor = np.array(
        draw(st.lists(st.sampled_from([0, 0, 0, 11, 22, 33]), min_size=n, max_size=n)), np.int64
    )
    pair = st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda p: p[0] != p[1])
    edges = draw(st.lists(pair, max_size=3 * n))
    weights = draw(st.lists(st.floats(1, 30), min_size=len(edges), max_size=len(edges)))
    i = np.array([e[0] for e in edges], np.int64)
    j = np.array([e[1] for e in edges], np.int64)
    must = draw(st.lists(pair, max_size=2))
    decided = {frozenset(p) for p in must}  # a pair is decided one way only
    cannot = draw(st.lists(pair.filter(lambda p: frozenset(p) not in decided), max_size=2))
    return n, anchor, (i, j, np.array(weights)), must, cannot


@settings(max_examples=300, deadline=None)
@given(graphs())
def test_the_shortcut_equals_greedy_joining_of_every_link(
    graph: tuple[int, np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray], list, list],
) -> None:
    n, anchor, (i, j, w), must, cannot = graph
    fast = cluster(n, anchor, (i, j, w), must_link=must, cannot_link=cannot)
    _, first, inverse = np.unique(anchor, return_index=True, return_inverse=True)
    start = np.where(anchor != 0, first[inverse], np.arange(n))
    keep = start[i] != start[j]
    slow = _greedy(n, anchor, start, (start[i][keep], start[j][keep], w[keep]), must, cannot)
    assert _same_partition(fast.labels, slow.labels)
    assert sorted(fast.refused) == sorted(slow.refused) and fast.ambiguous == slow.ambiguous
    must_a = np.array([x for x, _ in must], np.int64)
    must_b = np.array([y for _, y in must], np.int64)
    forced = components(n, np.r_[must_a, start], np.r_[must_b, np.arange(n)])
    for x, y in cannot:  # "different people" holds, unless must-links and shared IDs force them together
        assert fast.labels[x] != fast.labels[y] or forced[x] == forced[y]


def test_components_of_chains_and_stars() -> None:
    a = np.array([0, 1, 2, 5, 6, 6], np.int64)
    b = np.array([1, 2, 3, 4, 7, 8], np.int64)
    label = components(10, a, b)
    assert label.tolist() == [0, 0, 0, 0, 4, 4, 6, 6, 6, 9]


def test_the_compiled_anchor_start_is_the_reference() -> None:
    from services.matching.engine import blocking as module

    assert module.first_rows is not None, "the compiled part (setup.py) was not built"
    rng = np.random.default_rng(4)
    for n, distinct in ((0, 1), (1, 2), (5000, 300), (20000, 20000)):
        anchor = np.where(rng.random(n) < 0.2, 0, rng.integers(1, distinct + 1, n) * 10**12).astype(np.int64)
        _, first, inverse = np.unique(anchor, return_index=True, return_inverse=True)
        want = np.where(anchor != 0, first[inverse], np.arange(n))
        assert np.array_equal(module.same_anchor_start(anchor), want)


def test_the_compiled_best_edges_are_the_reference() -> None:
    from services.matching.engine import batch, blocking

    assert blocking.best_edges is not None
    rng = np.random.default_rng(6)
    n, m = 3000, 9000
    i = rng.integers(0, n - 1, m)
    j = i + rng.integers(1, 50, m).clip(max=n - 1 - i)
    p = rng.choice([0.1, 0.5, 0.9, 0.99], m)  # many ties
    mask = rng.random(m) < 0.7
    assert np.array_equal(batch._best_edge(n, i, j, p, mask), batch._best_edge_numpy(n, i, j, p, mask))
