# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Blocking's and clustering's inner loops, compiled: the pairs of records that share a key (and
``first_rows``, ``best_edges`` for clustering, ``rule_keys`` for the keys).

``blocking.pairs_in_blocks_numpy`` is the reference; this does the same without a sort of the
whole column (most of blocking's time was sorting 1.4 M keys per rule): rows are spread over 65,536
partitions by the top bits of their key (keys are hashes), each partition — a couple of dozen
rows, in cache — is sorted, and each run of equal keys is a block. Tests check both give the same pairs.
"""

import numpy as np

from libc.stdint cimport int64_t, uint64_t
from libc.stdlib cimport calloc, free, malloc, qsort

cdef enum:
    BITS = 16  # partitions: 2 ** BITS, a couple of dozen rows each at a million records


cdef struct Entry:
    uint64_t key
    int64_t row


cdef int _by_key_then_row(const void* a, const void* b) noexcept nogil:
    cdef const Entry* x = <const Entry*> a
    cdef const Entry* y = <const Entry*> b
    if x.key != y.key:
        return -1 if x.key < y.key else 1
    return -1 if x.row < y.row else (1 if x.row > y.row else 0)


cdef void _sort_by_key(Entry* e, Py_ssize_t count) noexcept nogil:
    """By key, rows ascending within a key: insertion sort (stable: rows already ascend in a
    partition) for the usual few dozen entries, qsort for a partition that is unusually full."""
    cdef Py_ssize_t i, j
    cdef Entry item
    if count > 64:
        qsort(e, count, sizeof(Entry), _by_key_then_row)
        return
    for i in range(1, count):
        item = e[i]
        j = i - 1
        while j >= 0 and e[j].key > item.key:
            e[j + 1] = e[j]
            j -= 1
        e[j + 1] = item


cdef inline uint64_t _mix(uint64_t x) noexcept nogil:
    """splitmix64's finaliser, as ``blocking.mix``."""
    cdef uint64_t z = x + 0x9E3779B97F4A7C15ULL
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL
    return z ^ (z >> 31)


cdef Py_ssize_t _partition(const uint64_t* keys, const unsigned char* mask, bint spread, Py_ssize_t n,
                           int64_t* offset, int64_t* fill, Entry* entries) noexcept nogil:
    """The rows with a non-zero key (and ``mask``, unless NULL) into ``entries``, spread over the
    partitions by the top bits of their key (mixed first with ``spread``), each partition sorted by
    key with its rows in order; ``offset`` (zeroed, parts + 1) gets where each partition starts.
    Returns how many entries there are."""
    cdef Py_ssize_t r, p, m = 0, parts = 1 << BITS
    cdef uint64_t k
    for r in range(n):
        k = keys[r]
        if k != 0 and (mask == NULL or mask[r]):
            k = _mix(k) if spread else k
            offset[(k >> (64 - BITS)) + 1] += 1
            m += 1
    for p in range(parts):
        offset[p + 1] += offset[p]
        fill[p] = offset[p]
    for r in range(n):  # rows stay in row order inside each partition
        k = keys[r]
        if k != 0 and (mask == NULL or mask[r]):
            k = _mix(k) if spread else k
            p = k >> (64 - BITS)
            entries[fill[p]].key = k
            entries[fill[p]].row = r
            fill[p] += 1
    for p in range(parts):
        if offset[p + 1] - offset[p] > 1:
            _sort_by_key(&entries[offset[p]], offset[p + 1] - offset[p])
    return m


cdef int _room(Py_ssize_t n, int64_t** offset, int64_t** fill, Entry** entries) except -1:
    """The buffers of ``_partition`` for n rows (the caller frees them)."""
    offset[0] = <int64_t*> calloc((1 << BITS) + 1, sizeof(int64_t))
    fill[0] = <int64_t*> malloc(((1 << BITS) + 1) * sizeof(int64_t))
    entries[0] = <Entry*> malloc((n + 1) * sizeof(Entry))
    if not (offset[0] and fill[0] and entries[0]):
        free(offset[0]); free(fill[0]); free(entries[0])
        raise MemoryError()
    return 0


def block_pairs(const uint64_t[::1] keys, const unsigned char[::1] open_, bint restrict, int64_t max_block):
    """(a, b, blocks skipped): every pair a < b of rows with the same non-zero key, in blocks of
    at most ``max_block`` rows; with ``restrict``, only pairs where ``open_`` holds for a or b."""
    cdef Py_ssize_t n = keys.shape[0]
    cdef int64_t* offset = NULL
    cdef int64_t* fill = NULL
    cdef Entry* entries = NULL
    _room(n, &offset, &fill, &entries)
    cdef Py_ssize_t x, y, first, last, m = 0
    cdef int64_t s, closed, total = 0, skipped = 0, pos = 0
    try:
        with nogil:
            m = _partition(&keys[0] if n else NULL, NULL, False, n, offset, fill, entries)
            first = 0
            while first < m:  # count: blocks are runs of one key
                last = first + 1
                while last < m and entries[last].key == entries[first].key:
                    last += 1
                s = last - first
                if s > max_block:
                    skipped += 1
                elif s >= 2:
                    closed = 0
                    if restrict:
                        for x in range(first, last):
                            if not open_[entries[x].row]:
                                closed += 1
                    total += s * (s - 1) // 2 - closed * (closed - 1) // 2
                first = last
        out_a = np.empty(total, np.int64)
        out_b = np.empty(total, np.int64)
        a_view: int64_t[::1] = out_a
        b_view: int64_t[::1] = out_b
        with nogil:
            first = 0
            while first < m:  # emit
                last = first + 1
                while last < m and entries[last].key == entries[first].key:
                    last += 1
                if 2 <= last - first <= max_block:
                    for x in range(first, last):
                        for y in range(x + 1, last):
                            if restrict and not open_[entries[x].row] and not open_[entries[y].row]:
                                continue
                            a_view[pos] = entries[x].row  # rows ascend inside a block: a < b
                            b_view[pos] = entries[y].row
                            pos += 1
                first = last
        return out_a, out_b, skipped
    finally:
        free(offset); free(fill); free(entries)


cdef inline uint64_t _key(uint64_t salt, uint64_t* parts, int count) noexcept nogil:
    cdef uint64_t h = salt
    cdef int i
    cdef bint complete = True
    for i in range(count):
        h = _mix(h ^ parts[i])
        complete = complete and parts[i] != 0
    return h if complete else 0


def rule_keys(
    const int64_t[::1] id18,
    const int64_t[::1] birth,
    const int64_t[::1] id_birth,
    const uint64_t[::1] phonetic,
    const uint64_t[::1] fuzzy,
    const int64_t[::1] county,
    const int64_t[::1] township,
):
    """``blocking.key_hashes_numpy`` in one pass: a (6, n) array, one row per rule of ``RULES``."""
    cdef Py_ssize_t n = id18.shape[0], r
    out = np.empty((6, n), np.uint64)
    cdef uint64_t[:, ::1] keys = out
    cdef uint64_t parts[3]
    cdef int64_t b, month, day, swapped
    with nogil:
        for r in range(n):
            b = id_birth[r] if id_birth[r] != 0 else birth[r]
            month, day = b // 100 % 100, b % 100
            swapped = b // 10000 * 10000 + (month if month < day else day) * 100 + (day if month < day else month)
            parts[0] = <uint64_t> id18[r]
            keys[0, r] = _key(1, parts, 1)
            parts[0], parts[1] = phonetic[r], <uint64_t> swapped
            keys[1, r] = _key(2, parts, 2)
            parts[0], parts[1] = fuzzy[r], <uint64_t> b
            keys[2, r] = _key(3, parts, 2)
            parts[0], parts[1] = <uint64_t> b, <uint64_t> township[r]
            keys[3, r] = _key(4, parts, 2)
            parts[0], parts[1] = phonetic[r], <uint64_t> township[r]
            keys[4, r] = _key(5, parts, 2)
            parts[0], parts[1], parts[2] = phonetic[r], <uint64_t> county[r], <uint64_t> (b // 10000)
            keys[5, r] = _key(6, parts, 3)
    return out


def first_rows(const uint64_t[::1] keys, const unsigned char[::1] mask, bint spread=False):
    """Per row, the first row (lowest index) with its key among the rows where ``mask`` holds;
    a row outside ``mask`` or with key 0 is its own. Keys are partitioned by their top bits, as
    ``block_pairs`` does: they must be well spread (hashes), or ``spread`` mixes them first
    (``_mix``, a bijection: equal keys stay equal, different ones different)."""
    cdef Py_ssize_t n = keys.shape[0]
    out = np.arange(n, dtype=np.int64)
    cdef int64_t[::1] o = out
    cdef int64_t* offset = NULL
    cdef int64_t* fill = NULL
    cdef Entry* entries = NULL
    _room(n, &offset, &fill, &entries)
    cdef Py_ssize_t first, last, m = 0
    try:
        with nogil:
            m = _partition(&keys[0] if n else NULL, &mask[0] if n else NULL, spread, n, offset, fill, entries)
            first = 0
            while first < m:  # a run of one key: its first entry has the lowest row
                last = first + 1
                while last < m and entries[last].key == entries[first].key:
                    o[entries[last].row] = entries[first].row
                    last += 1
                first = last
        return out
    finally:
        free(offset); free(fill); free(entries)


def best_edges(Py_ssize_t n, const int64_t[::1] i, const int64_t[::1] j, const double[::1] p,
               const unsigned char[::1] mask):
    """Per record, the index of its most probable pair among those where ``mask`` holds (-1 if
    none); ties go as ``batch._best_edge_numpy``'s stable sort leaves them: to the last pair in
    the order i-sides first, then j-sides."""
    cdef Py_ssize_t m = i.shape[0], k, side, r
    out = np.full(n, -1, np.int64)
    cdef int64_t[::1] best = out
    with nogil:
        for side in range(2):
            for k in range(m):
                if mask[k]:
                    r = i[k] if side == 0 else j[k]
                    if best[r] < 0 or p[k] >= p[best[r]]:
                        best[r] = k
    return out
