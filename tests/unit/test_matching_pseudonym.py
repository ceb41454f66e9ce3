"""Person keys: SipHash-2-4 as published, and the numpy form equal to a plain one."""

from __future__ import annotations

import numpy as np

from services.matching.engine.pseudonym import as_text, as_text_numpy, siphash24, siphash24_numpy

M = (1 << 64) - 1


def _rotl(x: int, b: int) -> int:
    return ((x << b) | (x >> (64 - b))) & M


def _siphash_plain(secret: bytes, m: int) -> int:
    k0, k1 = int.from_bytes(secret[:8], "little"), int.from_bytes(secret[8:], "little")
    v = [k0 ^ 0x736F6D6570736575, k1 ^ 0x646F72616E646F6D, k0 ^ 0x6C7967656E657261, k1 ^ 0x7465646279746573]

    def rnd() -> None:
        v[0] = (v[0] + v[1]) & M
        v[1] = _rotl(v[1], 13) ^ v[0]
        v[0] = _rotl(v[0], 32)
        v[2] = (v[2] + v[3]) & M
        v[3] = _rotl(v[3], 16) ^ v[2]
        v[0] = (v[0] + v[3]) & M
        v[3] = _rotl(v[3], 21) ^ v[0]
        v[2] = (v[2] + v[1]) & M
        v[1] = _rotl(v[1], 17) ^ v[2]
        v[2] = _rotl(v[2], 32)

    v[3] ^= m
    rnd(), rnd()
    v[0] ^= m
    v[3] ^= 8 << 56
    rnd(), rnd()
    v[0] ^= 8 << 56
    v[2] ^= 0xFF
    for _ in range(4):
        rnd()
    return v[0] ^ v[1] ^ v[2] ^ v[3]


def test_the_published_test_vector() -> None:
    # SipHash paper, appendix A: key 00..0f, message 00..07 → 62 24 93 9a 79 f5 f5 93
    secret, message = bytes(range(16)), int.from_bytes(bytes(range(8)), "little")
    got = int(siphash24(np.array([message], np.uint64), secret)[0])
    assert (
        got.to_bytes(8, "little").hex()
        == "6224939a79f5f593"
        == _siphash_plain(secret, message).to_bytes(8, "little").hex()
    )


def test_numpy_and_plain_agree_and_keys_look_like_keys() -> None:
    rng = np.random.default_rng(3)
    values = rng.integers(0, 2**63, 1000, dtype=np.int64).astype(np.uint64)
    got = siphash24(values)
    assert [int(x) for x in got] == [_siphash_plain(b"snx-person-key/1", int(v)) for v in values]
    keys = as_text(got).to_list()
    assert len(set(keys)) == 1000 and all(len(k) == 17 and k[0] == "P" for k in keys)
    assert keys[0] == "P" + f"{int(got[0]):016x}"


def test_the_compiled_keys_equal_the_numpy_reference() -> None:
    values = np.random.default_rng(5).integers(0, 2**63, 5000, dtype=np.int64).astype(np.uint64)
    values[:3] = [0, 1, 2**64 - 1]
    secret = bytes(range(16))
    assert np.array_equal(siphash24(values, secret), siphash24_numpy(values, secret))
    assert as_text(values).to_list() == as_text_numpy(values).to_list()
