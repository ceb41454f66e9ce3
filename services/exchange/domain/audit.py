"""The audit trail's hash chain: each record's hash covers its content and the hash before it,
so altering, deleting or re-ordering any record breaks the chain at that record.

``hash_n = SHA-256(hash_{n-1} || canonical JSON of record n)``; the first record's previous hash
is 64 zeros. A head (the last sequence number and hash) is kept beside the records, so removing
records at the end is found too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

GENESIS = "0" * 64
CONTENT = ("seq", "at", "client_id", "department_code", "end_user", "purpose", "endpoint", "person", "fields")


def record_hash(previous: str, content: Mapping[str, Any]) -> str:
    body = orjson.dumps({k: content[k] for k in CONTENT}, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(previous.encode() + body).hexdigest()


@dataclass(frozen=True)
class Break:
    seq: int  # the first record (sequence number) where the chain does not hold
    reason: str  # altered | missing | reordered | truncated


def verify(records: Iterable[Mapping[str, Any]], head: tuple[int, str] | None) -> Break | None:
    """Walk the records in sequence order: None when every one holds, else the first break."""
    previous, expected_seq = GENESIS, 1
    for r in records:
        if r["seq"] != expected_seq:
            return Break(expected_seq, "missing" if r["seq"] > expected_seq else "reordered")
        if r["prev_hash"] != previous:
            return Break(r["seq"], "reordered")
        if record_hash(previous, r) != r["hash"]:
            return Break(r["seq"], "altered")
        previous, expected_seq = r["hash"], expected_seq + 1
    if head is not None and (head[0] != expected_seq - 1 or head[1] != previous):
        return Break(expected_seq, "truncated")
    return None
