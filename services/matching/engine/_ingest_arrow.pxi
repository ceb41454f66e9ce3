# Arrow strings for the compiled reader: text columns polars takes over without a Python object per value.
# Included by _ingest.pyx (one module: the scan calls these per byte).

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
