"""Clustering with hard constraints: records → persons.

1. Records with the same valid ID are one person from the start (their anchor is that ID).
2. Reviewers' must-link decisions join clusters, whatever the IDs say (a person's ID can change).
3. Links above the threshold join clusters, strongest first, unless the join would put two
   different valid IDs in one person, or two records a reviewer said are different people.
4. A record without a valid ID that links about equally well (within ``AMBIGUOUS_BITS``) to two
   persons with different IDs joins neither: it goes to the grey zone for people to decide
   (a namesake with a blank ID could be either).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from services.matching.engine.blocking import same_anchor_start

AMBIGUOUS_BITS = 4.0
I64 = NDArray[np.int64]


@dataclass
class Clusters:
    labels: I64  # per record: a cluster number; equal numbers = the same person
    refused: list[tuple[int, int, str]] = field(default_factory=list)  # (i, j, why): conflicts not joined
    ambiguous: set[int] = field(default_factory=set)  # records left alone between two persons


class _UnionFind:
    def __init__(self, anchors: list[int]) -> None:
        self.parent = list(range(len(anchors)))
        self.anchors: list[set[int]] = [{a} if a else set() for a in anchors]
        self.cannot: dict[int, set[int]] = defaultdict(set)  # root → records in it with a cannot-link

    def find(self, x: int) -> int:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra
            self.anchors[ra] |= self.anchors[rb]
            if rb in self.cannot:
                self.cannot[ra] |= self.cannot.pop(rb)


def components(n: int, a: I64, b: I64) -> I64:
    """Connected components of the graph with edges (a[k], b[k]): per node, its smallest member.

    Hooking and pointer jumping in numpy (Shiloach–Vishkin style); persons have a handful of
    records, so a few rounds settle it.
    """
    label = np.arange(n, dtype=np.int64)
    while len(a):
        m = np.minimum(label[a], label[b])
        np.minimum.at(label, label[a], m)
        np.minimum.at(label, label[b], m)
        while True:
            jumped = label[label]
            if np.array_equal(jumped, label):
                break
            label = jumped
        if np.array_equal(label[a], label[b]):
            break
    return label


def cluster(
    n: int,
    anchor: I64,
    edges: tuple[I64, I64, NDArray[np.float64]],
    *,
    must_link: Iterable[tuple[int, int]] = (),
    cannot_link: Iterable[tuple[int, int]] = (),
    start: I64 | None = None,
) -> Clusters:
    """``anchor``: valid ID per record (0 = none); ``edges``: (i, j, weight) of pairs to link.

    The links' connected components are the persons, except in the few components that hold two
    different valid IDs or a reviewer's "different people": only those go through the greedy,
    strongest-link-first joining that honours the constraints (``_greedy``).
    """
    start = same_anchor_start(anchor) if start is None else start  # the caller may know it already
    i, j, w = edges
    a, b = start[i], start[j]
    keep = a != b
    a, b, w = a[keep], b[keep], w[keep]
    must, cannot = list(must_link), list(cannot_link)
    comp = components(n, np.r_[a, _flat(must, start)[0::2]], np.r_[b, _flat(must, start)[1::2]])
    anchored = np.flatnonzero(anchor != 0)
    owner, ids = comp[anchored], anchor[anchored]
    lowest, highest = np.full(n, np.iinfo(np.int64).max), np.full(n, np.iinfo(np.int64).min)
    np.minimum.at(lowest, owner, ids)
    np.maximum.at(highest, owner, ids)
    conflicted = (lowest < highest) & (highest > np.iinfo(np.int64).min)  # two valid IDs or more
    conflicted[comp[_flat(cannot, start)]] = True
    sel = conflicted[comp[a]]
    result = _greedy(n, anchor, start, (a[sel], b[sel], w[sel]), must, cannot)
    result.labels = np.where(conflicted[comp[start]], result.labels, comp[start])
    return result


def _greedy(
    n: int,
    anchor: I64,
    start: I64,
    edges: tuple[I64, I64, NDArray[np.float64]],
    must_link: list[tuple[int, int]],
    cannot_link: list[tuple[int, int]],
) -> Clusters:
    """Links strongest first, each refused when it would break a constraint (module doc, 3-4)."""
    a, b, w = edges
    nodes, local = np.unique(
        np.r_[a, b, _flat(must_link, start), _flat(cannot_link, start)], return_inverse=True
    )
    la, lb = local[: len(a)], local[len(a) : 2 * len(a)]
    uf = _UnionFind(anchor[nodes].tolist())
    result = Clusters(labels=np.zeros(0, np.int64))
    idx = {int(v): k for k, v in enumerate(nodes)}
    partners: dict[int, set[int]] = defaultdict(set)
    for x, y in cannot_link:
        p, q = idx[int(start[x])], idx[int(start[y])]
        partners[p].add(q)
        partners[q].add(p)
        uf.cannot[p].add(p)
        uf.cannot[q].add(q)
    for x, y in must_link:
        uf.union(idx[int(start[x])], idx[int(start[y])])

    result.ambiguous = _ambiguous(la, lb, w, uf)
    order = np.argsort(-w, kind="stable")
    for k in order.tolist():
        p, q = int(la[k]), int(lb[k])
        if p in result.ambiguous or q in result.ambiguous:
            continue
        rp, rq = uf.find(p), uf.find(q)
        if rp == rq:
            continue
        if uf.anchors[rp] and uf.anchors[rq] and not (uf.anchors[rp] & uf.anchors[rq]):
            result.refused.append((int(nodes[p]), int(nodes[q]), "different_valid_ids"))
        elif _cannot(uf, rp, rq, partners):
            result.refused.append((int(nodes[p]), int(nodes[q]), "reviewer_cannot_link"))
        else:
            uf.union(rp, rq)
    roots = np.asarray([uf.find(k) for k in range(len(nodes))], np.int64)
    label_of_start = np.arange(n)
    label_of_start[nodes] = nodes[roots]
    result.labels = label_of_start[start]
    result.ambiguous = {int(nodes[k]) for k in result.ambiguous}
    return result


def _flat(pairs: Iterable[tuple[int, int]], start: I64) -> I64:
    flat = [v for pair in pairs for v in pair]
    return start[np.asarray(flat, np.int64)] if flat else np.zeros(0, np.int64)


def _cannot(uf: _UnionFind, rp: int, rq: int, partners: dict[int, set[int]]) -> bool:
    small, other = (rp, rq) if len(uf.cannot.get(rp, ())) <= len(uf.cannot.get(rq, ())) else (rq, rp)
    return any(uf.find(q) == other for member in uf.cannot.get(small, ()) for q in partners[member])


def _ambiguous(la: I64, lb: I64, w: NDArray[np.float64], uf: _UnionFind) -> set[int]:
    """Nodes without an ID whose two best links lead to different IDs, nearly equally strong."""
    best: dict[int, dict[int, float]] = defaultdict(dict)
    for p, q, weight in zip(la.tolist(), lb.tolist(), w.tolist(), strict=True):
        for loose, other in ((p, q), (q, p)):
            if not uf.anchors[loose] and len(uf.anchors[other]) == 1:
                (anchor,) = uf.anchors[other]
                seen = best[loose]
                seen[anchor] = max(seen.get(anchor, -np.inf), weight)
    out = set()
    for node, by_anchor in best.items():
        if len(by_anchor) > 1:
            top, second = sorted(by_anchor.values(), reverse=True)[:2]
            if top - second < AMBIGUOUS_BITS:
                out.add(node)
    return out
