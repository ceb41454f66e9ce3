# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Person keys, compiled: SipHash-2-4 of many 64-bit values, and their ``P`` + hex text.

``pseudonym.siphash24_numpy`` and ``pseudonym.as_text_numpy`` are the references; tests hold
these to them and to the published test vector.
"""

import numpy as np

from libc.stdint cimport uint8_t, uint64_t


cdef inline uint64_t _rotl(uint64_t x, int b) noexcept nogil:
    return (x << b) | (x >> (64 - b))


cdef inline void _round(uint64_t* v) noexcept nogil:
    v[0] += v[1]
    v[1] = _rotl(v[1], 13) ^ v[0]
    v[0] = _rotl(v[0], 32)
    v[2] += v[3]
    v[3] = _rotl(v[3], 16) ^ v[2]
    v[0] += v[3]
    v[3] = _rotl(v[3], 21) ^ v[0]
    v[2] += v[1]
    v[1] = _rotl(v[1], 17) ^ v[2]
    v[2] = _rotl(v[2], 32)


def siphash24(const uint64_t[::1] message, uint64_t k0, uint64_t k1):
    """SipHash-2-4 of each 8-byte message (little-endian) under the key (k0, k1)."""
    cdef Py_ssize_t n = message.shape[0], x
    cdef uint64_t v[4]
    cdef uint64_t m, length = (<uint64_t> 8) << 56
    out = np.empty(n, np.uint64)
    cdef uint64_t[::1] o = out
    with nogil:
        for x in range(n):
            m = message[x]
            v[0] = k0 ^ 0x736F6D6570736575ULL
            v[1] = k1 ^ 0x646F72616E646F6DULL
            v[2] = k0 ^ 0x6C7967656E657261ULL
            v[3] = k1 ^ 0x7465646279746573ULL ^ m
            _round(v)
            _round(v)
            v[0] ^= m
            v[3] ^= length
            _round(v)
            _round(v)
            v[0] ^= length
            v[2] ^= 0xFF
            _round(v)
            _round(v)
            _round(v)
            _round(v)
            o[x] = v[0] ^ v[1] ^ v[2] ^ v[3]
    return out


def hex_keys(const uint64_t[::1] values):
    """``P`` and 16 lower-case hexadecimal digits per value, as numpy ``S17``."""
    cdef Py_ssize_t n = values.shape[0], x
    cdef int k
    cdef uint64_t v
    cdef const char* digits = b"0123456789abcdef"
    out = np.empty((n, 17), np.uint8)
    cdef uint8_t[:, ::1] o = out
    with nogil:
        for x in range(n):
            v = values[x]
            o[x, 0] = 80
            for k in range(16, 0, -1):
                o[x, k] = digits[v & 15]
                v >>= 4
    return out.view("S17").reshape(-1)
