# The compiled reader's keys of plain Chinese names (names.name_table's plain path).
# Included by _ingest.pyx (one module: the scan calls these per byte).

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
