# The JSON side of the compiled reader: lines, strings, numbers, a flat object's fields.
# Included by _ingest.pyx (one module: the scan calls these per byte).

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
