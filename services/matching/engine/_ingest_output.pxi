# The batch's result lines, formatted from polars columns read over the Arrow C stream.
# Included by _ingest.pyx (one module: the scan calls these per byte).

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
