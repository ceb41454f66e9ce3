# The compiled reader's normalisation of a record's fields: the ID, the birth date, sex, divisions.
# Included by _ingest.pyx (one module: the scan calls these per byte).

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
