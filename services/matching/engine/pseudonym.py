"""Person keys: stable pseudonyms that never show the ID number they come from.

A person with a valid ID is keyed by SipHash-2-4 of the ID's 64-bit value (``normalize``'s
``id18``), computed for a million persons at once in numpy; a person without one by BLAKE2b of
its first record's reference. SipHash is a keyed pseudo-random function: without the secret, a
key tells nothing about the ID. The default secret is fixed, so that runs agree with each other;
a deployment that shares keys outside its own walls passes its own ``secret``.
"""

from __future__ import annotations

import hashlib

import numpy as np
import polars as pl
from numpy.typing import NDArray

try:  # compiled at install (setup.py)
    import services.matching.engine._pseudonym as _compiled
    from services.matching.engine._ingest import arrow_strings as _strings
except ImportError:  # pragma: no cover - an install without the compiled part
    _compiled = _strings = None

U64 = NDArray[np.uint64]
DEFAULT_SECRET = b"snx-person-key/1"


def _rotl(x: U64, bits: int) -> U64:
    return (x << np.uint64(bits)) | (x >> np.uint64(64 - bits))


def siphash24(message: U64, secret: bytes = DEFAULT_SECRET) -> U64:
    """SipHash-2-4 of each 8-byte message (a uint64, little-endian bytes) under a 16-byte key
    (compiled, ``_pseudonym``; ``siphash24_numpy`` when it was not built)."""
    if _compiled is None:
        return siphash24_numpy(message, secret)
    k0, k1 = int.from_bytes(secret[:8], "little"), int.from_bytes(secret[8:16], "little")
    out: U64 = _compiled.siphash24(np.ascontiguousarray(message, np.uint64), k0, k1)
    return out


def siphash24_numpy(message: U64, secret: bytes = DEFAULT_SECRET) -> U64:
    """``siphash24`` in numpy: the reference."""
    k0 = np.uint64(int.from_bytes(secret[:8], "little"))
    k1 = np.uint64(int.from_bytes(secret[8:16], "little"))
    m = message.astype(np.uint64)
    v0 = np.full_like(m, k0 ^ np.uint64(0x736F6D6570736575))
    v1 = np.full_like(m, k1 ^ np.uint64(0x646F72616E646F6D))
    v2 = np.full_like(m, k0 ^ np.uint64(0x6C7967656E657261))
    v3 = (k1 ^ np.uint64(0x7465646279746573)) ^ m

    def rounds(count: int) -> None:
        nonlocal v0, v1, v2, v3
        for _ in range(count):
            v0 = v0 + v1
            v1 = _rotl(v1, 13) ^ v0
            v0 = _rotl(v0, 32)
            v2 = v2 + v3
            v3 = _rotl(v3, 16) ^ v2
            v0 = v0 + v3
            v3 = _rotl(v3, 21) ^ v0
            v2 = v2 + v1
            v1 = _rotl(v1, 17) ^ v2
            v2 = _rotl(v2, 32)

    length = np.uint64(8 << 56)
    with np.errstate(over="ignore"):
        rounds(2)
        v0 ^= m
        v3 ^= length
        rounds(2)
        v0 ^= length
        v2 ^= np.uint64(0xFF)
        rounds(4)
    out: U64 = v0 ^ v1 ^ v2 ^ v3
    return out


def reference_key(reference: str) -> int:
    """The 64-bit pseudonym of a record reference (``source\\x1frecord_id``)."""
    digest = hashlib.blake2b(reference.encode(), digest_size=8, person=b"snx-person").digest()
    return int.from_bytes(digest, "big")


def as_text(values: U64) -> pl.Series:
    """``P`` and 16 hexadecimal digits per value."""
    if _compiled is None:
        return as_text_numpy(values)
    n = len(values)
    keys = _compiled.hex_keys(np.ascontiguousarray(values, np.uint64)).view(np.uint8)
    spans = np.arange(n, dtype=np.int64) * 17, np.full(n, 17, np.int32), np.arange(n, dtype=np.int64)
    return pl.Series(_strings(keys, *spans)).alias("person_key")  # handed over as Arrow: no copy per key


def as_text_numpy(values: U64) -> pl.Series:
    """``as_text`` in numpy and polars (no Python loop): the reference."""
    digits = np.frombuffer(values.astype(">u8").tobytes().hex().encode(), dtype="S16")
    hexes = pl.Series("person_key", digits, pl.Binary).cast(pl.String)
    return pl.select(pl.lit("P") + hexes).to_series().alias("person_key")
