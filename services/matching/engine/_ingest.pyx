# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""NDJSON bytes → the columns the matcher compares, in one compiled pass per record.

``ingest.read_normalised`` drives it; ``ndjson.read_records`` + ``normalize.normalize`` are the
reference, and tests check that both give the same columns. This pass takes the common case —
a flat JSON object of strings and nulls, in valid UTF-8 without escapes, with an ID, birth date
and sex typed in the forms that ``normalize`` knows — and flags every other line (``SLOW``) for
the reference to do: anything unusual costs speed, never a different answer.

Per line: ``line_bounds`` finds the non-blank lines; ``scan`` parses each (the fields it needs)
and normalises the ID (full-width digits, separators, placeholders, 15 → 18 digits, disability
certificates, permits, the check character, the birth date and sex inside), the birth date
(compact or in parts, any separators, full-width digits), the sex and the division prefixes, and
keys a plain Chinese name; its text columns come back as Arrow arrays polars takes over. It runs
without the GIL, so each thread takes a range of lines. ``record_blocks`` formats the batch's
result lines. The parts, included into this one module (the scan calls them per byte):
``_ingest_json.pxi`` (lines, strings, a flat object), ``_ingest_fields.pxi`` (the fields),
``_ingest_names.pxi`` (name keys), ``_ingest_arrow.pxi`` (Arrow strings), ``_ingest_output.pxi``
(result lines).
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


include "_ingest_json.pxi"
include "_ingest_fields.pxi"
include "_ingest_arrow.pxi"
include "_ingest_names.pxi"
include "_ingest_output.pxi"


# ---- the scan: lines → Row columns and Arrow string columns, a range of lines per thread --------

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
        c.id18[x] = r.id18  # 0 where there is none
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


ROW_FIELDS = {
    **dict.fromkeys(("status", "error", "id_form", "id_valid", "other_document", "id18_known"), np.uint8),
    "id_sex": np.int8, "sex": np.int8,
    **dict.fromkeys(("id18", "id_birth", "birth", "county", "township", "village"), np.int64),
}


class Scan:
    """What ``scan`` found: per line its ``Row`` fields (``rows``: an array per field, ``ROW_FIELDS``);
    the text columns come back from ``scan`` itself, one set per range of lines."""

    def __init__(self, n):
        self.n = n
        self.rows = {name: np.zeros(n, dtype) for name, dtype in ROW_FIELDS.items()}


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
