# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""NDJSON bytes → the columns the matcher compares, in one compiled pass per record.

``ingest.read_normalised`` drives it; ``ndjson.read_records`` + ``normalize.normalize`` are the
reference, and tests check that both give the same columns. This pass takes the common case —
a flat JSON object of strings and nulls, in valid UTF-8 without escapes, with an ID, birth date
and sex typed in the forms that ``normalize`` knows — and flags every other line (``SLOW``) for
the reference to do: anything unusual costs speed, never a different answer.

Per line: ``line_bounds`` finds the non-blank lines; ``scan`` parses each (spans of the fields
it needs) and normalises the ID (full-width digits, separators, placeholders, 15 → 18 digits,
disability certificates, permits, the check character, the birth date and sex inside), the
birth date (compact or in parts, any separators, full-width digits), the sex and the division
prefixes. It runs without the GIL, so two threads take half the lines each.
"""

import numpy as np

from cpython.pycapsule cimport PyCapsule_GetPointer, PyCapsule_IsValid, PyCapsule_New
from libc.stdint cimport int8_t, int32_t, int64_t, uint8_t, uint32_t, uint64_t
from libc.stdlib cimport calloc, free, malloc
from libc.string cimport memchr, memcmp, memcpy, memset

cdef enum:
    F_RECORD_ID = 0
    F_SOURCE = 1
    F_NAME = 2
    KEPT = 3  # the fields above keep their spans (``Scan.start``/``size``); the rest are read at once
    F_ID = 3
    F_SEX = 4
    F_BIRTH = 5
    F_DIVISION = 6
    NFIELDS = 7
    ID_WIDTH = 32  # bytes of cleaned ID kept per record; a longer one goes to the reference
    MIN_BIRTH = 18500101

cdef enum:  # per-line status
    ST_OK = 0
    ST_SLOW = 1

OK = ST_OK
SLOW = ST_SLOW
# error codes (ndjson.ERRORS), 0 = none
ERROR_CODES = (None, "record_id_missing", "source_missing", "name_missing")


cdef inline bint _json_ws(uint8_t c) noexcept nogil:
    return c == 32 or c == 9 or c == 13


cdef inline bint _blank_byte(uint8_t c) noexcept nogil:  # bytes.strip()'s whitespace
    return c == 32 or (9 <= c <= 13)


def line_bounds(const uint8_t[::1] buf, Py_ssize_t lo=0, Py_ssize_t hi=-1):
    """(start, end) of every line that is not blank (only ASCII whitespace), end exclusive, among
    the lines that start in buf[lo:hi] (so that threads can take a range each)."""
    cdef Py_ssize_t n = buf.shape[0], count = 1, pos, s, e, k, m = 0
    cdef const uint8_t* base = &buf[0] if n else NULL
    cdef const void* hit
    if hi < 0 or hi > n:
        hi = n
    with nogil:
        pos = lo
        if 0 < pos < n and base[pos - 1] != 10:  # inside a line: it belongs to the range before
            hit = memchr(base + pos, 10, n - pos)
            pos = n if hit == NULL else <const uint8_t*> hit - base + 1
        lo = pos
        while pos < hi:
            hit = memchr(base + pos, 10, n - pos)
            count += 1
            if hit == NULL:
                break
            pos = <const uint8_t*> hit - base + 1
    starts = np.empty(count, np.int64)
    ends = np.empty(count, np.int64)
    cdef int64_t[::1] st = starts
    cdef int64_t[::1] en = ends
    with nogil:
        pos = lo
        while pos < hi:
            hit = memchr(base + pos, 10, n - pos)
            e = n if hit == NULL else <const uint8_t*> hit - base
            s = pos
            for k in range(s, e):
                if not _blank_byte(base[k]):
                    st[m] = s
                    en[m] = e
                    m += 1
                    break
            pos = e + 1
    return starts[:m], ends[:m]


cdef inline int _utf8_len(const uint8_t* p, Py_ssize_t left) noexcept nogil:
    """Length of the valid UTF-8 sequence at p (a byte >= 0x80), 0 if invalid."""
    cdef uint8_t c = p[0]
    if 0xC2 <= c <= 0xDF:
        return 2 if left >= 2 and (p[1] & 0xC0) == 0x80 else 0
    if 0xE0 <= c <= 0xEF:
        if left < 3 or (p[1] & 0xC0) != 0x80 or (p[2] & 0xC0) != 0x80:
            return 0
        if c == 0xE0 and p[1] < 0xA0:
            return 0
        if c == 0xED and p[1] > 0x9F:
            return 0
        return 3
    if 0xF0 <= c <= 0xF4:
        if left < 4 or (p[1] & 0xC0) != 0x80 or (p[2] & 0xC0) != 0x80 or (p[3] & 0xC0) != 0x80:
            return 0
        if c == 0xF0 and p[1] < 0x90:
            return 0
        if c == 0xF4 and p[1] > 0x8F:
            return 0
        return 4
    return 0


cdef inline uint32_t _decode(const uint8_t* p, int* size) noexcept nogil:
    """The code point at p (valid UTF-8), its byte length in size."""
    cdef uint8_t c = p[0]
    if c < 0x80:
        size[0] = 1
        return c
    if c < 0xE0:
        size[0] = 2
        return ((c & 0x1F) << 6) | (p[1] & 0x3F)
    if c < 0xF0:
        size[0] = 3
        return ((c & 0x0F) << 12) | ((p[1] & 0x3F) << 6) | (p[2] & 0x3F)
    size[0] = 4
    return ((c & 0x07) << 18) | ((p[1] & 0x3F) << 12) | ((p[2] & 0x3F) << 6) | (p[3] & 0x3F)


cdef inline bint _unicode_ws(uint32_t cp) noexcept nogil:
    """Rust's char::is_whitespace (polars' strip_chars)."""
    return ((9 <= cp <= 13) or cp == 32 or cp == 0x85 or cp == 0xA0 or cp == 0x1680
            or (0x2000 <= cp <= 0x200A) or cp == 0x2028 or cp == 0x2029 or cp == 0x202F
            or cp == 0x205F or cp == 0x3000)


cdef inline bint _cjk(uint32_t cp) noexcept nogil:
    return (0x4E00 <= cp <= 0x9FFF) or (0x3400 <= cp <= 0x4DBF)


cdef uint8_t _class[256]  # per byte inside a JSON string: see _string
for _b in range(256):
    _class[_b] = (0 if 32 <= _b < 128 and _b != 34 and _b != 92 else 1 if _b == 34
                  else 2 if _b < 0xC2 else 3 if _b < 0xE0 else 4 if _b < 0xF0 else 5 if _b < 0xF5 else 2)


cdef extern from *:
    """
    /* Per byte of p[0:16], a bit: a quote, a backslash, a control character or a byte >= 0x80. */
    #if defined(__SSE2__)
    #include <emmintrin.h>
    static inline int snx_events16(const unsigned char* p) {
        __m128i v = _mm_loadu_si128((const __m128i*) p);
        __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(34)), _mm_cmpeq_epi8(v, _mm_set1_epi8(92)));
        return _mm_movemask_epi8(_mm_or_si128(hit, _mm_cmplt_epi8(v, _mm_set1_epi8(32))));  /* signed: >= 0x80 too */
    }
    #else
    static inline int snx_events16(const unsigned char* p) {
        int m = 0;
        for (int k = 0; k < 16; k++) {
            if (p[k] == 34 || p[k] == 92 || p[k] < 32 || p[k] >= 128) m |= 1 << k;
        }
        return m;
    }
    #endif
    """
    int snx_events16(const uint8_t* p) nogil
    int __builtin_ctz(unsigned int) nogil


cdef Py_ssize_t _string(const uint8_t* p, Py_ssize_t i, Py_ssize_t e) noexcept nogil:
    """At p[i] just after an opening quote: the index of the closing quote, -1 if not a clean string
    (a control character, an escape — the reference reads those — or invalid UTF-8). Sixteen
    bytes at a time up to the next byte that is not plain ASCII text."""
    cdef uint8_t c, k
    cdef int events
    while i < e:
        if i + 16 <= e:
            events = snx_events16(p + i)
            if events == 0:
                i += 16
                continue
            i += __builtin_ctz(events)
        k = _class[p[i]]
        if k == 0:
            i += 1
        elif k == 1:
            return i
        elif k == 4:  # three bytes: most Chinese text, a run of such characters at a time
            while True:
                if i + 2 >= e or (p[i + 1] & 0xC0) != 0x80 or (p[i + 2] & 0xC0) != 0x80:
                    return -1
                c = p[i]
                if (c == 0xE0 and p[i + 1] < 0xA0) or (c == 0xED and p[i + 1] > 0x9F):
                    return -1
                i += 3
                if i >= e or _class[p[i]] != 4:
                    break
        elif k == 2:
            return -1
        else:
            k = _utf8_len(p + i, e - i)
            if k == 0:
                return -1
            i += k
    return -1


cdef Py_ssize_t _number(const uint8_t* p, Py_ssize_t i, Py_ssize_t e) noexcept nogil:
    """The index after a JSON number starting at p[i], -1 if it is not one."""
    if i < e and p[i] == 45:
        i += 1
    if i >= e or not (48 <= p[i] <= 57):
        return -1
    if p[i] == 48:
        i += 1
    else:
        while i < e and 48 <= p[i] <= 57:
            i += 1
    if i < e and p[i] == 46:
        i += 1
        if i >= e or not (48 <= p[i] <= 57):
            return -1
        while i < e and 48 <= p[i] <= 57:
            i += 1
    if i < e and (p[i] == 101 or p[i] == 69):
        i += 1
        if i < e and (p[i] == 43 or p[i] == 45):
            i += 1
        if i >= e or not (48 <= p[i] <= 57):
            return -1
        while i < e and 48 <= p[i] <= 57:
            i += 1
    return i


cdef int _field(const uint8_t* key, Py_ssize_t n) noexcept nogil:
    if n == 9 and memcmp(key, b"record_id", 9) == 0:
        return F_RECORD_ID
    if n == 6 and memcmp(key, b"source", 6) == 0:
        return F_SOURCE
    if n == 9 and memcmp(key, b"id_number", 9) == 0:
        return F_ID
    if n == 4 and memcmp(key, b"name", 4) == 0:
        return F_NAME
    if n == 3 and memcmp(key, b"sex", 3) == 0:
        return F_SEX
    if n == 10 and memcmp(key, b"birth_date", 10) == 0:
        return F_BIRTH
    if n == 13 and memcmp(key, b"division_code", 13) == 0:
        return F_DIVISION
    return -1


cdef bint _parse(const uint8_t* p, Py_ssize_t i, Py_ssize_t e, int64_t* start, int32_t* size) noexcept nogil:
    """One line as a flat object; the spans of the fields it needs (size -1: absent or null).
    False when the reference must read the line."""
    cdef Py_ssize_t j
    cdef int f
    cdef bint seen[NFIELDS]
    for f in range(NFIELDS):
        size[f] = -1
        seen[f] = False
    while i < e and _json_ws(p[i]):
        i += 1
    if i >= e or p[i] != 123:
        return False
    i += 1
    while i < e and _json_ws(p[i]):
        i += 1
    if i < e and p[i] == 125:
        i += 1
    else:
        while True:
            if i >= e or p[i] != 34:
                return False
            j = _string(p, i + 1, e)
            if j < 0:
                return False
            f = _field(p + i + 1, j - i - 1)
            i = j + 1
            while i < e and _json_ws(p[i]):
                i += 1
            if i >= e or p[i] != 58:
                return False
            i += 1
            while i < e and _json_ws(p[i]):
                i += 1
            if i >= e:
                return False
            if f >= 0:
                if seen[f]:
                    return False  # a repeated field: let the reference decide which one counts
                seen[f] = True
            if p[i] == 34:
                j = _string(p, i + 1, e)
                if j < 0:
                    return False
                if f >= 0:
                    start[f] = i + 1
                    size[f] = <int32_t> (j - i - 1)
                i = j + 1
            elif p[i] == 110 and e - i >= 4 and memcmp(p + i, b"null", 4) == 0:
                i += 4
            elif f >= 0:
                return False  # a number or a boolean where text belongs: the reference turns it into text
            elif p[i] == 116 and e - i >= 4 and memcmp(p + i, b"true", 4) == 0:
                i += 4
            elif p[i] == 102 and e - i >= 5 and memcmp(p + i, b"false", 5) == 0:
                i += 5
            else:
                i = _number(p, i, e)
                if i < 0:
                    return False
            while i < e and _json_ws(p[i]):
                i += 1
            if i < e and p[i] == 44:
                i += 1
                while i < e and _json_ws(p[i]):
                    i += 1
                continue
            if i < e and p[i] == 125:
                i += 1
                break
            return False
    while i < e and _json_ws(p[i]):
        i += 1
    return i == e


cdef bint _blank(const uint8_t* p, int64_t s, int32_t n) noexcept nogil:
    """Null, or nothing but whitespace (strip_chars() == "")."""
    cdef int64_t i = s, end = s + n
    cdef int k
    cdef uint32_t cp
    if n < 0:
        return True
    while i < end:
        cp = _decode(p + i, &k)
        if not _unicode_ws(cp):
            return False
        i += k
    return True


cdef inline bint _real_date(int64_t v) noexcept nogil:
    cdef int64_t y = v // 10000, m = v // 100 % 100, d = v % 100, days
    if y < 1 or m < 1 or m > 12 or d < 1:
        return False
    if m == 2:
        days = 29 if (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)) else 28
    elif m == 4 or m == 6 or m == 9 or m == 11:
        days = 30
    else:
        days = 31
    return d <= days


cdef int64_t _digits(const uint8_t* t, int n) noexcept nogil:
    cdef int64_t v = 0
    cdef int k
    for k in range(n):
        v = v * 10 + (t[k] - 48)
    return v


cdef int _id_placeholder(const uint8_t* t, int n) noexcept nogil:
    """normalize.ID_PLACEHOLDERS, compared after cleaning (upper case, separators gone)."""
    if n == 1 and (t[0] == 47 or t[0] == 48 or t[0] == 45):
        return 1
    if n == 2 and (memcmp(t, b"00", 2) == 0 or memcmp(t, b"NA", 2) == 0):
        return 1
    if n == 3 and (memcmp(t, b"N/A", 3) == 0 or memcmp(t, b"\xe6\x97\xa0", 3) == 0  # 无
                   or memcmp(t, b"\xe7\xa9\xba", 3) == 0):  # 空
        return 1
    if n == 4 and (memcmp(t, b"NULL", 4) == 0 or memcmp(t, b"NONE", 4) == 0):
        return 1
    if n == 6 and (memcmp(t, b"\xe6\x9a\x82\xe6\x97\xa0", 6) == 0  # 暂无
                   or memcmp(t, b"\xe6\x9c\xaa\xe7\x9f\xa5", 6) == 0  # 未知
                   or memcmp(t, b"\xe4\xb8\x8d\xe8\xaf\xa6", 6) == 0):  # 不详
        return 1
    return 0


cdef inline bint _id_separator(uint32_t cp) noexcept nogil:
    """shared.codes.idnumber.SEPARATORS."""
    return (cp == 32 or cp == 9 or cp == 13 or cp == 10 or cp == 0x3000 or cp == 0xA0 or cp == 45
            or (0x2010 <= cp <= 0x2014) or cp == 0xFF0D or cp == 0x200B or cp == 0xFEFF)


cdef int _weights[17]
_weights[:] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


cdef inline int _check_value(const uint8_t* t) noexcept nogil:
    """The check value (X = 10) that 17 digits ask for."""
    cdef int total = 0, k
    for k in range(17):
        total += (t[k] - 48) * _weights[k]
    return (12 - total % 11) % 11


cdef struct Row:
    uint8_t status
    uint8_t error
    uint8_t id_null
    uint8_t id_len
    uint8_t id18_null
    uint8_t id_form
    uint8_t id_valid
    uint8_t other_document
    int8_t id_sex
    int8_t sex
    int64_t id18
    int64_t id_birth
    int64_t birth
    int64_t county
    int64_t township
    int64_t village


cdef bint _clean_id(const uint8_t* p, int64_t s, int32_t n, uint8_t* out, Row* r) noexcept nogil:
    """normalize._clean_id into out (r.id_len bytes, r.id_null); False: the reference must do it."""
    cdef int64_t i = s, end = s + n
    cdef int k, m = 0
    cdef uint32_t cp
    r.id_null = 1
    r.id_len = 0
    if n < 0:
        return True
    while i < end:
        cp = _decode(p + i, &k)
        i += k
        if _id_separator(cp):
            continue
        if m + 3 > ID_WIDTH:
            return False
        if cp < 0x80:
            out[m] = <uint8_t> (cp - 32 if 97 <= cp <= 122 else cp)
            m += 1
        elif 0xFF10 <= cp <= 0xFF19:
            out[m] = <uint8_t> (cp - 0xFF10 + 48)
            m += 1
        elif cp == 0xFF38 or cp == 0xFF58:
            out[m] = 88
            m += 1
        elif _cjk(cp):  # no case: kept as typed (无, 暂无 … or garbage)
            memcpy(out + m, p + i - k, k)
            m += k
        else:
            return False
    if m == 0 or _id_placeholder(out, m):
        return True
    r.id_null = 0
    r.id_len = <uint8_t> m
    return True


cdef void _id_columns(uint8_t* t, uint8_t* t18, Row* r, int64_t today) noexcept nogil:
    """normalize._id_stages on the cleaned ID t (r.id_len bytes); the 18-character form into t18."""
    cdef int n = r.id_len, k, chars = 0, check
    cdef bint digits17 = True, is18, is15, cert = False
    cdef int64_t born
    r.id18_null = 1
    r.id_form = 0
    r.id_valid = 0
    r.other_document = 0
    r.id18 = 0
    r.id_birth = 0
    r.id_sex = 0
    if r.id_null:
        return
    for k in range(min(n, 17)):
        if not (48 <= t[k] <= 57):
            digits17 = False
    is18 = n == 18 and digits17 and (48 <= t[17] <= 57 or t[17] == 88)
    is15 = n == 15 and digits17 and 48 <= t[14] <= 57
    if not is18 and not is15 and (n == 20 or n == 22) and digits17 and (48 <= t[17] <= 57 or t[17] == 88):
        cert = 49 <= t[18] <= 55 and 49 <= t[19] <= 52 and (n == 20 or (t[20] == 66 and 49 <= t[21] <= 57))
    if is18:
        if memcmp(t, b"810000", 6) == 0 or memcmp(t, b"820000", 6) == 0 or memcmp(t, b"830000", 6) == 0:
            r.id_form = 3
        else:
            r.id_form = 1
        memcpy(t18, t, 18)
    elif is15:
        r.id_form = 2
        memcpy(t18, t, 6)
        t18[6] = 49
        t18[7] = 57
        memcpy(t18 + 8, t + 6, 9)
        check = _check_value(t18)
        t18[17] = 88 if check == 10 else 48 + check
    elif cert:
        r.id_form = 4
        memcpy(t18, t, 18)
    else:
        r.id_form = 5
        for k in range(n):  # characters, not bytes: other_document_number wants 5 at least
            if (t[k] & 0xC0) != 0x80:
                chars += 1
        r.other_document = chars >= 5
        return
    r.id18_null = 0
    check = 10 if t18[17] == 88 else t18[17] - 48
    r.id18 = _digits(t18, 17) * 11 + check
    born = _digits(t18 + 6, 8)
    if _check_value(t18) == check and _real_date(born) and MIN_BIRTH <= born <= today:
        r.id_valid = 1
        r.id_birth = born
        r.id_sex = 2 - (t18[16] - 48) % 2


cdef bint _birth(const uint8_t* p, int64_t s, int32_t n, Row* r, int64_t today) noexcept nogil:
    """normalize's birth date: NFKC, stripped, compact or in three parts; False: the reference."""
    cdef uint32_t cps[64]
    cdef int m = 0, k, a, b, run, part = 0, lo, hi
    cdef int64_t i = s, end = s + n, v
    cdef uint32_t cp
    cdef int starts[4]
    cdef int sizes[4]
    r.birth = 0
    if n < 0:
        return True
    while i < end:
        cp = _decode(p + i, &k)
        i += k
        if 0xFF01 <= cp <= 0xFF5E:
            cp -= 0xFEE0
        elif cp == 0x3000:
            cp = 32
        elif cp >= 0x80 and not _cjk(cp):
            return False
        if m == 64:
            return False  # long: the reference strips it and tries the patterns
        cps[m] = cp
        m += 1
    lo, hi = 0, m
    while lo < hi and (9 <= cps[lo] <= 13 or cps[lo] == 32):
        lo += 1
    while hi > lo and (9 <= cps[hi - 1] <= 13 or cps[hi - 1] == 32):
        hi -= 1
    # runs: digits, not digits, digits, not digits, digits, (not digits)
    k = lo
    while k < hi and part < 4:
        a = k
        if part % 2 == 0:
            while k < hi and 48 <= cps[k] <= 57:
                k += 1
        else:
            while k < hi and not (48 <= cps[k] <= 57):
                k += 1
        starts[part] = a
        sizes[part] = k - a
        part += 1
    if hi - lo == 8 and part == 1 and sizes[0] == 8:
        v = 0
        for k in range(lo, hi):
            v = v * 10 + (cps[k] - 48)
    else:
        # ^d{4} n{1,3} d{1,2} n{1,3} d{1,2} n{0,2}$
        if part < 4 or sizes[0] != 4 or not (1 <= sizes[1] <= 3) or not (1 <= sizes[2] <= 2):
            return True
        a = starts[3]
        run = sizes[3]
        if not (1 <= run <= 3) or a + run >= hi:
            return True
        k = a + run
        b = k
        while k < hi and 48 <= cps[k] <= 57:
            k += 1
        if not (1 <= k - b <= 2):
            return True
        a = k
        while k < hi and not (48 <= cps[k] <= 57):
            k += 1
        if k != hi or k - a > 2:
            return True
        v = 0
        for k in range(lo, lo + 4):
            v = v * 10 + (cps[k] - 48)
        run = 0
        for k in range(starts[2], starts[2] + sizes[2]):
            run = run * 10 + (cps[k] - 48)
        v = v * 100 + run
        run = 0
        for k in range(b, a):
            run = run * 10 + (cps[k] - 48)
        v = v * 100 + run
    if _real_date(v) and MIN_BIRTH <= v <= today:
        r.birth = v
    return True


cdef bint _sex(const uint8_t* p, int64_t s, int32_t n, Row* r) noexcept nogil:
    """1 / 男 / m / male, 2 / 女 / f / female (trimmed, any case); False: the reference."""
    cdef int64_t lo = s, hi = s + n, k
    cdef uint8_t low[6]
    r.sex = 0
    if n < 0:
        return True
    while lo < hi and _blank_byte(p[lo]):
        lo += 1
    while hi > lo and _blank_byte(p[hi - 1]):
        hi -= 1
    if hi - lo == 3 and memcmp(p + lo, b"\xe7\x94\xb7", 3) == 0:  # 男
        r.sex = 1
        return True
    if hi - lo == 3 and memcmp(p + lo, b"\xe5\xa5\xb3", 3) == 0:  # 女
        r.sex = 2
        return True
    for k in range(lo, hi):
        if p[k] >= 0x80:
            return False  # unusual whitespace or letters: the reference knows Unicode
    if hi - lo > 6:
        return True
    for k in range(lo, hi):
        low[k - lo] = p[k] + 32 if 65 <= p[k] <= 90 else p[k]
    if (hi - lo == 1 and (low[0] == 49 or low[0] == 109)) or (hi - lo == 4 and memcmp(low, b"male", 4) == 0):
        r.sex = 1
    elif (hi - lo == 1 and (low[0] == 50 or low[0] == 102)) or (hi - lo == 6 and memcmp(low, b"female", 6) == 0):
        r.sex = 2
    return True


cdef void _divisions(const uint8_t* p, int64_t s, int32_t n, Row* r) noexcept nogil:
    cdef uint8_t d[12]
    cdef int m = 0
    cdef int64_t i
    r.county = r.township = r.village = 0
    if n < 0:
        return
    for i in range(s, s + n):
        if 48 <= p[i] <= 57:
            if m < 12:
                d[m] = p[i]
            m += 1
    if m >= 6 and memcmp(d + 2, b"0000", 4) != 0:
        r.county = _digits(d, 6)
    if m >= 9 and memcmp(d + 6, b"000", 3) != 0:
        r.township = _digits(d, 9)
    if m >= 12 and memcmp(d + 9, b"000", 3) != 0:
        r.village = _digits(d, 12)


cdef struct Columns:  # the Row fields the frame takes, one array each (what polars takes without a copy)
    uint8_t* status
    uint8_t* error
    uint8_t* id_form
    uint8_t* id_valid
    uint8_t* other_document
    uint8_t* id18_known
    int8_t* id_sex
    int8_t* sex
    int64_t* id18
    int64_t* id_birth
    int64_t* birth
    int64_t* county
    int64_t* township
    int64_t* village


cdef void _row(const uint8_t* p, int64_t s, int64_t e, int64_t today, Row* r, int64_t* st, int32_t* sz,
               uint8_t* ids, uint8_t* ids18) noexcept nogil:
    memset(r, 0, sizeof(Row))
    r.id_null = 1
    r.id18_null = 1
    if not _parse(p, s, e, st, sz):
        r.status = ST_SLOW
        return
    if _blank(p, st[F_RECORD_ID], sz[F_RECORD_ID]):
        r.error = 1
    elif _blank(p, st[F_SOURCE], sz[F_SOURCE]):
        r.error = 2
    elif _blank(p, st[F_NAME], sz[F_NAME]):
        r.error = 3
    if r.error:
        return
    if not (_clean_id(p, st[F_ID], sz[F_ID], ids, r) and _birth(p, st[F_BIRTH], sz[F_BIRTH], r, today)
            and _sex(p, st[F_SEX], sz[F_SEX], r)):
        r.status = ST_SLOW
        return
    _id_columns(ids, ids18, r, today)
    _divisions(p, st[F_DIVISION], sz[F_DIVISION], r)


# ---- Arrow strings: text columns handed to polars without a Python object per value ----------
# The Arrow C data interface (https://arrow.apache.org/docs/format/CDataInterface.html): polars
# takes any object with ``__arrow_c_array__`` (the PyCapsule interface) as a Series.


cdef struct ArrowSchema:
    const char* format
    const char* name
    const char* metadata
    int64_t flags
    int64_t n_children
    ArrowSchema** children
    ArrowSchema* dictionary
    void (*release)(ArrowSchema*) noexcept nogil
    void* private_data


cdef struct ArrowArray:
    int64_t length
    int64_t null_count
    int64_t offset
    int64_t n_buffers
    int64_t n_children
    const void** buffers
    ArrowArray** children
    ArrowArray* dictionary
    void (*release)(ArrowArray*) noexcept nogil
    void* private_data


cdef void _release_schema(ArrowSchema* s) noexcept nogil:
    s.release = NULL


cdef void _release_array(ArrowArray* a) noexcept nogil:
    cdef void** buffers = <void**> a.private_data
    cdef int64_t k
    if buffers != NULL:
        for k in range(a.n_buffers):
            free(buffers[k])
        free(buffers)
    a.release = NULL


cdef void _drop_schema(object capsule) noexcept:
    cdef ArrowSchema* s
    if PyCapsule_IsValid(capsule, b"arrow_schema"):
        s = <ArrowSchema*> PyCapsule_GetPointer(capsule, b"arrow_schema")
        if s.release != NULL:
            s.release(s)
        free(s)


cdef void _drop_array(object capsule) noexcept:
    cdef ArrowArray* a
    if PyCapsule_IsValid(capsule, b"arrow_array"):
        a = <ArrowArray*> PyCapsule_GetPointer(capsule, b"arrow_array")
        if a.release != NULL:
            a.release(a)
        free(a)


cdef class ArrowStrings:
    """A large-UTF-8 Arrow array built from byte spans; ``pl.Series(it)`` takes it over."""

    cdef void** buffers  # validity, offsets, data: owned here until a consumer takes them
    cdef int64_t length, nulls

    def __dealloc__(self):
        if self.buffers != NULL:
            free(self.buffers[0])
            free(self.buffers[1])
            free(self.buffers[2])
            free(self.buffers)

    def __arrow_c_array__(self, requested_schema=None):
        if self.buffers == NULL:
            raise ValueError("this array was already taken")
        cdef ArrowSchema* s = <ArrowSchema*> calloc(1, sizeof(ArrowSchema))
        cdef ArrowArray* a = <ArrowArray*> calloc(1, sizeof(ArrowArray))
        if s == NULL or a == NULL:
            free(s)
            free(a)
            raise MemoryError()
        s.format = b"U"
        s.name = b""
        s.flags = 2  # ARROW_FLAG_NULLABLE
        s.release = _release_schema
        a.length = self.length
        a.null_count = self.nulls
        a.n_buffers = 3
        a.buffers = <const void**> self.buffers
        a.private_data = self.buffers
        a.release = _release_array
        self.buffers = NULL
        return PyCapsule_New(s, b"arrow_schema", _drop_schema), PyCapsule_New(a, b"arrow_array", _drop_array)


def arrow_strings(const uint8_t[::1] base, const int64_t[:] start, const int32_t[:] size, const int64_t[::1] rows):
    """The spans base[start[r] : start[r] + size[r]] for r in rows (null where size < 0)."""
    cdef Py_ssize_t n = rows.shape[0], x, r
    cdef int64_t total = 0, nulls = 0, at = 0
    cdef ArrowStrings out = ArrowStrings.__new__(ArrowStrings)
    for x in range(n):
        r = rows[x]
        if size[r] > 0:
            total += size[r]
        elif size[r] < 0:
            nulls += 1
    cdef void** buffers = <void**> calloc(3, sizeof(void*))
    if buffers == NULL:
        raise MemoryError()
    buffers[1] = malloc((n + 1) * sizeof(int64_t))
    buffers[2] = malloc(total + 1)
    if nulls:
        buffers[0] = calloc((n + 7) // 8 + 1, 1)
    out.buffers = buffers
    out.length = n
    out.nulls = nulls
    if buffers[1] == NULL or buffers[2] == NULL or (nulls and buffers[0] == NULL):
        raise MemoryError()
    cdef int64_t* offsets = <int64_t*> buffers[1]
    cdef uint8_t* data = <uint8_t*> buffers[2]
    cdef uint8_t* valid = <uint8_t*> buffers[0]
    cdef const uint8_t* b = &base[0] if base.shape[0] else NULL
    with nogil:
        for x in range(n):
            r = rows[x]
            offsets[x] = at
            if size[r] > 0:
                memcpy(data + at, b + start[r], size[r])
                at += size[r]
            if valid != NULL and size[r] >= 0:
                valid[x >> 3] |= 1 << (x & 7)
        offsets[n] = at
    return out


cdef ArrowStrings _wrap(void** buffers, int64_t n, int64_t nulls):
    cdef ArrowStrings out = ArrowStrings.__new__(ArrowStrings)
    out.buffers = buffers
    out.length = n
    out.nulls = nulls
    return out


# ---- name keys of plain Chinese names (names.name_table's plain path), per character ----------
# A plain name here: 1 to 6 CJK characters (each simplified on its own: ``simplified``), in one
# word or parted by spaces and dots the way names.name_table parts them — not a dotted name whose
# every part has two characters or more (阿依古丽·买买提: a word each). Every other name goes to
# ``names.name_table``.

cdef enum:
    MAX_NAME = 6
    MAX_SYLLABLE = 8


cdef inline bint _name_separator(uint32_t cp) noexcept nogil:
    """names._DOTS after NFKC (full-width dot and space, no-break space): spaces and middle dots."""
    return ((9 <= cp <= 13) or cp == 32 or cp == 0x3000 or cp == 0xA0 or cp == 0xB7 or cp == 0x2022
            or cp == 0xFF0E or cp == 0x30FB or cp == 46 or cp == 0x2027 or cp == 95 or cp == 45)


cdef int _name_cps(const uint8_t* p, int64_t s, int32_t n, uint32_t* cps, const uint32_t* simplified) noexcept nogil:
    """The simplified code points of a plain name into cps (their count), 0 if it is not plain."""
    cdef int64_t i = s, end = s + n
    cdef int k, m = 0, parts = 0, part = 0
    cdef bint all_long = True
    cdef uint32_t cp
    if n <= 0:
        return 0
    while i < end:
        cp = _decode(p + i, &k)
        i += k
        if _name_separator(cp):
            if part:
                parts += 1
                all_long = all_long and part > 1
            part = 0
            continue
        if cp > 0xFFFF or simplified[cp] == 0 or m == MAX_NAME:
            return 0
        cps[m] = simplified[cp]
        m += 1
        part += 1
    if part:
        parts += 1
        all_long = all_long and part > 1
    if m == 0 or (parts > 1 and all_long):
        return 0
    return m


cdef struct Syllables:
    const uint8_t* blob
    const int32_t* offset  # per code point: its reading in blob
    const uint8_t* length
    const int32_t* fuzzy_offset
    const uint8_t* fuzzy_length


cdef int _join(Syllables* t, const uint32_t* cps, int count, bint fuzzy, uint8_t* out) noexcept nogil:
    cdef int k, m = 0, size
    cdef uint32_t cp
    for k in range(count):
        cp = cps[k]
        size = t.fuzzy_length[cp] if fuzzy else t.length[cp]
        memcpy(out + m, t.blob + (t.fuzzy_offset[cp] if fuzzy else t.offset[cp]), size)
        m += size
    return m


cdef int _compare(const uint8_t* a, int na, const uint8_t* b, int nb) noexcept nogil:
    cdef int k, c = memcmp(a, b, min(na, nb))
    if c != 0:
        return c
    return na - nb


cdef int _put(uint8_t* out, const uint8_t* first, int n1, const uint8_t* second, int n2) noexcept nogil:
    """first, or "first second" when there is a second."""
    memcpy(out, first, n1)
    if n2 == 0:
        return n1
    out[n1] = 32
    memcpy(out + n1 + 1, second, n2)
    return n1 + 1 + n2


# ---- NDJSON out: the batch's result lines, from polars columns over the Arrow C stream ---------
# ``cli.write_records`` writes {"record_id", "source", "person_key", "confidence"} per record;
# polars' JSON writer spent a quarter of a second on it at a million records. Here each string
# column is read through its Arrow export (string views, "vu", or plain UTF-8, "u"/"U") and the
# lines are formatted without the GIL, the same bytes as polars writes (tests compare).


cdef struct ArrowArrayStream:
    int (*get_schema)(ArrowArrayStream*, ArrowSchema*) noexcept nogil
    int (*get_next)(ArrowArrayStream*, ArrowArray*) noexcept nogil
    const char* (*get_last_error)(ArrowArrayStream*) noexcept nogil
    void (*release)(ArrowArrayStream*) noexcept nogil
    void* private_data


cdef struct Text:  # one string column of one chunk
    int kind  # 0: views (vu), 1: utf8 (u, int32 offsets), 2: large utf8 (U)
    const uint8_t* views
    const void* offsets
    const uint8_t* data
    const uint8_t** buffers  # views' data buffers
    int64_t offset
    const uint8_t* validity


cdef inline bint _text_at(Text* t, int64_t k, const uint8_t** out, int64_t* size) noexcept nogil:
    """The bytes of value k; False if null."""
    cdef int64_t x = k + t.offset
    cdef const uint8_t* v
    cdef int32_t length, index, at
    if t.validity != NULL and not (t.validity[x >> 3] >> (x & 7)) & 1:
        return False
    if t.kind == 0:
        v = t.views + 16 * x
        memcpy(&length, v, 4)
        if length <= 12:
            out[0] = v + 4
        else:
            memcpy(&index, v + 8, 4)
            memcpy(&at, v + 12, 4)
            out[0] = t.buffers[index] + at
        size[0] = length
    elif t.kind == 1:
        out[0] = t.data + (<const int32_t*> t.offsets)[x]
        size[0] = (<const int32_t*> t.offsets)[x + 1] - (<const int32_t*> t.offsets)[x]
    else:
        out[0] = t.data + (<const int64_t*> t.offsets)[x]
        size[0] = (<const int64_t*> t.offsets)[x + 1] - (<const int64_t*> t.offsets)[x]
    return True


cdef class _Column:
    """A polars string column held through its Arrow export (one chunk)."""

    cdef object capsule
    cdef ArrowArrayStream* stream
    cdef ArrowSchema schema
    cdef ArrowArray array
    cdef Text text

    def __cinit__(self, series):
        self.capsule = series.rechunk().__arrow_c_stream__()
        self.stream = <ArrowArrayStream*> PyCapsule_GetPointer(self.capsule, b"arrow_array_stream")
        if self.stream.get_schema(self.stream, &self.schema) != 0:
            raise ValueError("no Arrow schema")
        if self.stream.get_next(self.stream, &self.array) != 0 or self.array.release == NULL:
            raise ValueError("no Arrow array")
        fmt = (<bytes> self.schema.format).decode()
        self.text.offset = self.array.offset
        self.text.validity = <const uint8_t*> self.array.buffers[0] if self.array.null_count else NULL
        if fmt == "vu":
            self.text.kind = 0
            self.text.views = <const uint8_t*> self.array.buffers[1]
            self.text.buffers = <const uint8_t**> (self.array.buffers + 2)
        elif fmt in ("u", "U"):
            self.text.kind = 1 if fmt == "u" else 2
            self.text.offsets = self.array.buffers[1]
            self.text.data = <const uint8_t*> self.array.buffers[2]
        else:
            raise ValueError(f"not a string column: {fmt}")

    def __dealloc__(self):
        if self.array.release != NULL:
            self.array.release(&self.array)
        if self.schema.release != NULL:
            self.schema.release(&self.schema)


cdef inline int64_t _json_string(uint8_t* out, const uint8_t* s, int64_t n) noexcept nogil:
    """s as a JSON string, quotes included, escaped as polars (serde_json) escapes it."""
    cdef int64_t k, m = 0
    cdef uint8_t c
    cdef const char* hexd = b"0123456789abcdef"
    out[m] = 34
    m += 1
    for k in range(n):
        c = s[k]
        if c == 34 or c == 92:
            out[m] = 92
            out[m + 1] = c
            m += 2
        elif c < 32:
            out[m] = 92
            if c == 10 or c == 13 or c == 9 or c == 8 or c == 12:
                out[m + 1] = 110 if c == 10 else 114 if c == 13 else 116 if c == 9 else 98 if c == 8 else 102
                m += 2
            else:
                memcpy(out + m + 1, b"u00", 3)
                out[m + 4] = hexd[c >> 4]
                out[m + 5] = hexd[c & 15]
                m += 6
        else:
            out[m] = c
            m += 1
    out[m] = 34
    return m + 1


cdef int64_t _lines(Text* rid, Text* src, Text* key, const double* conf, int64_t* at, int64_t hi,
                    uint8_t* out, int64_t room) noexcept nogil:
    """Lines from at[0] on into out while they surely fit in room; at[0] moves past them. The bytes
    written, -1 if a value is null or a confidence is not a decimal of [0, 1] with four places at
    most (written as polars writes it: the shortest form, one place at least)."""
    cdef int64_t k, m = 0, q
    cdef int64_t size[3]
    cdef const uint8_t* s[3]
    cdef int w, d
    for k in range(at[0], hi):
        if not (_text_at(rid, k, &s[0], &size[0]) and _text_at(src, k, &s[1], &size[1])
                and _text_at(key, k, &s[2], &size[2])):
            return -1
        if m + 6 * (size[0] + size[1] + size[2]) + 96 > room:
            at[0] = k
            return m
        memcpy(out + m, b'{"record_id":', 13)
        m += 13
        m += _json_string(out + m, s[0], size[0])
        memcpy(out + m, b',"source":', 10)
        m += 10
        m += _json_string(out + m, s[1], size[1])
        memcpy(out + m, b',"person_key":', 14)
        m += 14
        m += _json_string(out + m, s[2], size[2])
        memcpy(out + m, b',"confidence":', 14)
        m += 14
        if not (0.0 <= conf[k] <= 1.0):
            return -1
        q = <int64_t> (conf[k] * 10000.0 + 0.5)
        if q / 10000.0 != conf[k]:
            return -1  # more than four decimals: polars' own writer takes the file
        out[m] = 48 + q // 10000  # 0 or 1, then the decimals without their trailing zeros
        out[m + 1] = 46
        m += 2
        w = 4
        q %= 10000
        while w > 1 and q % 10 == 0:
            q //= 10
            w -= 1
        for d in range(w - 1, -1, -1):
            out[m + d] = 48 + q % 10
            q //= 10
        m += w
        memcpy(out + m, b"}\n", 2)
        m += 2
    at[0] = hi
    return m


cdef class RecordColumns:
    """The string columns of the result lines, held through their Arrow export."""

    cdef _Column record_id, source, person_key

    def __cinit__(self, record_id, source, person_key):
        self.record_id, self.source, self.person_key = _Column(record_id), _Column(source), _Column(person_key)


def record_blocks(RecordColumns cols, const double[::1] confidence, int64_t lo, int64_t hi, int64_t block=1 << 22):
    """The result lines of records lo..hi (polars' writer's bytes), in blocks of about ``block``
    bytes; None where polars' writer must do it (``_lines``). Without the GIL: threads can each
    take a range."""
    cdef int64_t at = lo, got
    cdef const double* conf = &confidence[0] if confidence.shape[0] else NULL
    blocks = []
    while at < hi:
        buffer = bytearray(block)
        view: uint8_t[::1] = buffer
        with nogil:
            got = _lines(&cols.record_id.text, &cols.source.text, &cols.person_key.text, conf, &at, hi, &view[0], block)
        if got < 0:
            return None
        if got == 0:  # one line longer than the block
            block *= 2
            continue
        blocks.append(memoryview(buffer)[:got])
    return blocks


# ---- the scan: lines → Row columns and Arrow string columns, a range of lines per thread --------

cdef struct Builder:  # one Arrow large-UTF-8 column being written (buffers as ArrowStrings holds them)
    uint8_t* valid
    int64_t* offsets
    uint8_t* data
    int64_t count
    int64_t at
    int64_t nulls


cdef inline void _append(Builder* b, const uint8_t* s, int64_t n) noexcept nogil:
    """One value (n < 0: null); the buffers were sized for the worst case."""
    b.offsets[b.count] = b.at
    if n < 0:
        b.nulls += 1
    else:
        memcpy(b.data + b.at, s, n)
        b.at += n
        b.valid[b.count >> 3] |= 1 << (b.count & 7)
    b.count += 1


cdef struct Tables:  # names.plain_tables, as pointers
    const uint32_t* simplified
    Syllables syllables
    const int32_t* special
    const int32_t* compound
    Py_ssize_t compounds
    const uint8_t* compound_first


cdef void _name_keys(Tables* t, const uint8_t* p, int64_t s, int32_t n, Builder* simple, Builder* phonetic,
                     Builder* fuzzy) noexcept nogil:
    """The keys of a plain name (names.name_table's plain path), or nulls for another name."""
    cdef uint32_t cps[MAX_NAME]
    cdef uint32_t sur[1]
    cdef uint8_t text[3 * MAX_NAME]
    cdef uint8_t sp[MAX_SYLLABLE * 2]
    cdef uint8_t sf[MAX_SYLLABLE * 2]
    cdef uint8_t gp[MAX_NAME * MAX_SYLLABLE]
    cdef uint8_t gf[MAX_NAME * MAX_SYLLABLE]
    cdef uint8_t out[2 + MAX_NAME * MAX_SYLLABLE * 2]
    cdef int m, w, q, nsp, nsf, ngp, ngf, cmp
    cdef int32_t reading
    m = _name_cps(p, s, n, cps, t.simplified)
    if m == 0:
        _append(simple, NULL, -1)
        _append(phonetic, NULL, -1)
        _append(fuzzy, NULL, -1)
        return
    for q in range(m):  # three bytes of UTF-8 each (U+3400 … U+9FFF)
        text[3 * q] = 0xE0 | (cps[q] >> 12)
        text[3 * q + 1] = 0x80 | ((cps[q] >> 6) & 0x3F)
        text[3 * q + 2] = 0x80 | (cps[q] & 0x3F)
    _append(simple, text, 3 * m)
    w = 1
    reading = t.special[cps[0]]
    if m >= 3 and t.compound_first[cps[0]]:
        for q in range(t.compounds):
            if t.compound[3 * q] == <int32_t> cps[0] and t.compound[3 * q + 1] == <int32_t> cps[1]:
                w = 2
                reading = t.compound[3 * q + 2]
                break
    if reading >= 0:
        sur[0] = <uint32_t> reading
        nsp = _join(&t.syllables, sur, 1, False, sp)
        nsf = _join(&t.syllables, sur, 1, True, sf)
    else:
        nsp = _join(&t.syllables, cps, w, False, sp)
        nsf = _join(&t.syllables, cps, w, True, sf)
    ngp = _join(&t.syllables, cps + w, m - w, False, gp)
    ngf = _join(&t.syllables, cps + w, m - w, True, gf)
    cmp = _compare(sp, nsp, gp, ngp)
    if ngp == 0 or cmp < 0 or (cmp == 0 and _compare(sf, nsf, gf, ngf) <= 0):
        _append(phonetic, out, _put(out, sp, nsp, gp, ngp))
        _append(fuzzy, out, _put(out, sf, nsf, gf, ngf))
    else:
        _append(phonetic, out, _put(out, gp, ngp, sp, nsp))
        _append(fuzzy, out, _put(out, gf, ngf, sf, nsf))


cdef enum:  # the text columns a scan writes, in this order (TEXTS)
    T_RECORD_ID = 0
    T_SOURCE = 1
    T_NAME = 2
    T_ID_TEXT = 3
    T_ID18 = 4
    T_SIMPLE = 5
    T_PHONETIC = 6
    T_FUZZY = 7
    NTEXTS = 8

TEXTS = ("record_id", "source", "name", "id_text", "_id18", "name_simple", "name_phonetic", "name_fuzzy")


cdef void _scan(const uint8_t* p, const int64_t* ls, const int64_t* le, Py_ssize_t lo, Py_ssize_t hi,
                int64_t today, Columns* c, Builder* b, Tables* t) noexcept nogil:
    cdef Py_ssize_t x
    cdef Row r
    cdef int64_t st[NFIELDS]
    cdef int32_t sz[NFIELDS]
    cdef uint8_t ids[ID_WIDTH]
    cdef uint8_t ids18[18]
    cdef bint usable
    cdef int f
    for x in range(lo, hi):
        _row(p, ls[x], le[x], today, &r, st, sz, ids, ids18)
        c.status[x] = r.status
        c.error[x] = r.error
        c.id_form[x] = r.id_form
        c.id_valid[x] = r.id_valid
        c.other_document[x] = r.other_document
        c.id_sex[x] = r.id_sex
        c.sex[x] = r.sex
        c.id18[x] = r.id18 if not r.id18_null else 0
        c.id18_known[x] = not r.id18_null
        c.id_birth[x] = r.id_birth
        c.birth[x] = r.birth
        c.county[x] = r.county
        c.township[x] = r.township
        c.village[x] = r.village
        if r.status != ST_OK:
            for f in range(NTEXTS):
                _append(&b[f], NULL, -1)
            continue
        _append(&b[T_RECORD_ID], p + st[F_RECORD_ID], sz[F_RECORD_ID])
        _append(&b[T_SOURCE], p + st[F_SOURCE], sz[F_SOURCE])
        _append(&b[T_NAME], p + st[F_NAME], sz[F_NAME])
        usable = r.error == 0
        _append(&b[T_ID_TEXT], ids, r.id_len if usable and not r.id_null else -1)
        _append(&b[T_ID18], ids18, 18 if usable and not r.id18_null else -1)
        if usable:
            _name_keys(t, p, st[F_NAME], sz[F_NAME], &b[T_SIMPLE], &b[T_PHONETIC], &b[T_FUZZY])
        else:
            for f in range(T_SIMPLE, NTEXTS):
                _append(&b[f], NULL, -1)


COLUMNS = {
    **dict.fromkeys(("status", "error", "id_form", "id_valid", "other_document", "id18_known"), np.uint8),
    "id_sex": np.int8, "sex": np.int8,
    **dict.fromkeys(("id18", "id_birth", "birth", "county", "township", "village"), np.int64),
}


class Scan:
    """What ``scan`` found: per line its ``Row`` fields (``rows``: an array per field, ``COLUMNS``);
    the text columns come back from ``scan`` itself, one set per range of lines."""

    def __init__(self, n):
        self.n = n
        self.rows = {name: np.zeros(n, dtype) for name, dtype in COLUMNS.items()}


cdef uint8_t* _u8(dict rows, str name) except NULL:
    cdef uint8_t[::1] view = rows[name]
    return &view[0]


cdef int8_t* _i8(dict rows, str name) except NULL:
    cdef int8_t[::1] view = rows[name]
    return &view[0]


cdef int64_t* _i64(dict rows, str name) except NULL:
    cdef int64_t[::1] view = rows[name]
    return &view[0]


def scan(const uint8_t[::1] buf, const int64_t[::1] starts, const int64_t[::1] ends,
         Py_ssize_t lo, Py_ssize_t hi, int64_t today, out, tables):
    """Lines lo..hi into ``out`` (a ``Scan`` of every line), releasing the GIL while it works; the
    text columns of those lines (``TEXTS``, ``ArrowStrings`` each). ``tables``: names.plain_tables."""
    cdef Columns c
    cdef Tables t
    cdef Builder b[NTEXTS]
    cdef const uint32_t[::1] simplified = tables[0]
    cdef const uint8_t[::1] blob = tables[1]
    cdef const int32_t[::1] offset = tables[2]
    cdef const uint8_t[::1] length = tables[3]
    cdef const int32_t[::1] fuzzy_offset = tables[4]
    cdef const uint8_t[::1] fuzzy_length = tables[5]
    cdef const int32_t[::1] special = tables[6]
    cdef const int32_t[:, ::1] compound = tables[7]
    cdef const uint8_t[::1] compound_first = tables[8]
    cdef int64_t rows = max(hi - lo, 0), span = ends[hi - 1] - starts[lo] if hi > lo else 0
    cdef int64_t room[NTEXTS]
    cdef int f
    room[:] = [span, span, span, ID_WIDTH * rows, 18 * rows, 3 * MAX_NAME * rows,
               (1 + MAX_NAME * MAX_SYLLABLE) * rows, (1 + MAX_NAME * MAX_SYLLABLE) * rows]
    parts = []
    for f in range(NTEXTS):
        buffers = <void**> calloc(3, sizeof(void*))
        if buffers == NULL:
            raise MemoryError()
        part = _wrap(buffers, rows, 0)  # owns the buffers from here on
        parts.append(part)
        buffers[0] = calloc(rows // 8 + 1, 1)
        buffers[1] = malloc((rows + 1) * sizeof(int64_t))
        buffers[2] = malloc(room[f] + 1)
        if buffers[0] == NULL or buffers[1] == NULL or buffers[2] == NULL:
            raise MemoryError()
        b[f].valid = <uint8_t*> buffers[0]
        b[f].offsets = <int64_t*> buffers[1]
        b[f].data = <uint8_t*> buffers[2]
        b[f].count = b[f].at = b[f].nulls = 0
    if rows == 0:
        for f in range(NTEXTS):
            b[f].offsets[0] = 0
        return parts
    t.simplified = &simplified[0]
    t.syllables.blob = &blob[0]
    t.syllables.offset = &offset[0]
    t.syllables.length = &length[0]
    t.syllables.fuzzy_offset = &fuzzy_offset[0]
    t.syllables.fuzzy_length = &fuzzy_length[0]
    t.special = &special[0]
    t.compound = &compound[0, 0]
    t.compounds = compound.shape[0]
    t.compound_first = &compound_first[0]
    rows_ = out.rows
    c.status, c.error, c.id_form = _u8(rows_, "status"), _u8(rows_, "error"), _u8(rows_, "id_form")
    c.id_valid, c.other_document, c.id18_known = _u8(rows_, "id_valid"), _u8(rows_, "other_document"), _u8(rows_, "id18_known")
    c.id_sex, c.sex = _i8(rows_, "id_sex"), _i8(rows_, "sex")
    c.id18, c.id_birth, c.birth = _i64(rows_, "id18"), _i64(rows_, "id_birth"), _i64(rows_, "birth")
    c.county, c.township, c.village = _i64(rows_, "county"), _i64(rows_, "township"), _i64(rows_, "village")
    with nogil:
        _scan(&buf[0], &starts[0], &ends[0], lo, hi, today, &c, b, &t)
        for f in range(NTEXTS):
            b[f].offsets[b[f].count] = b[f].at
    for f in range(NTEXTS):
        (<ArrowStrings> parts[f]).nulls = b[f].nulls
    return parts
