# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Comparisons too fiddly for whole-column numpy, compiled: ``compare.compare_birth``'s levels.

``compare.compare_birth_numpy`` is the reference; tests hold this to it.
"""

import numpy as np

from libc.stdint cimport int8_t, int64_t


cdef inline int8_t _level(int64_t a, int64_t b) noexcept nogil:
    """1 exact, 2 day and month swapped, 3 one digit changed or two adjacent swapped, 4 other, 0 missing."""
    cdef int k, count = 0, first = -1
    cdef int64_t x = a, y = b
    cdef int64_t da[8]
    cdef int64_t db[8]
    if a == 0 or b == 0:
        return 0
    if a == b:
        return 1
    if a // 10000 == b // 10000 and a // 100 % 100 == b % 100 and a % 100 == b // 100 % 100:
        return 2
    for k in range(8):
        da[k] = x % 10
        db[k] = y % 10
        x //= 10
        y //= 10
        if da[k] != db[k]:
            count += 1
            if first < 0:
                first = k
    if count == 1:
        return 3
    if count == 2 and first < 7 and da[first + 1] != db[first + 1]:
        if da[first] == db[first + 1] and da[first + 1] == db[first]:
            return 3
    return 4


def birth_levels(const int64_t[::1] birth, const int64_t[::1] id_birth, const int64_t[::1] i, const int64_t[::1] j):
    """Per pair, the best level among the typed birth dates and the dates inside valid IDs."""
    cdef Py_ssize_t n = i.shape[0], k
    cdef int8_t best, level
    cdef int64_t a[2]
    cdef int64_t b[2]
    cdef int p, q
    out = np.empty(n, np.int8)
    cdef int8_t[::1] o = out
    with nogil:
        for k in range(n):
            a[0] = birth[i[k]]
            a[1] = id_birth[i[k]]
            b[0] = birth[j[k]]
            b[1] = id_birth[j[k]]
            best = 0
            for p in range(2):
                for q in range(2):
                    level = _level(a[p], b[q])
                    if level != 0 and (best == 0 or level < best):
                        best = level
            o[k] = best
    return out
