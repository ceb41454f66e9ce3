"""An open-loop HTTP/1.1 load generator light enough to share a 2-core machine with the server.

Requests are pre-serialised bytes sent on keep-alive connections with asyncio streams; a response
is read by its Content-Length. Each request is due at a fixed time (``rate`` per second) and its
latency counts from that time, so a server that falls behind is charged for the queue it causes
(no coordinated omission). A general client (httpx) costs more CPU per request than the server
under test, which would measure the client.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    elapsed: float = 0.0

    def pct(self, p: float) -> float:
        s = sorted(self.latencies)
        return s[min(len(s) - 1, int(p * len(s)))] * 1000 if s else float("nan")

    def summary(self) -> dict[str, float]:
        ok = self.statuses.get(201, 0) + self.statuses.get(200, 0)
        return {
            "throughput": ok / self.elapsed,
            "p50": self.pct(0.5),
            "p95": self.pct(0.95),
            "p99": self.pct(0.99),
            "max": max(self.latencies, default=0) * 1000,
            "errors": sum(self.statuses.values()) - ok,
        }


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
    writer.write(request)
    status_line = await reader.readline()
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    if length:
        await reader.readexactly(length)
    return int(status_line.split(b" ", 2)[1])


async def run(
    host: str,
    port: int,
    make_request: Callable[[int], bytes],
    rate: float,
    seconds: float,
    connections: int = 64,
) -> Result:
    result = Result()
    pool: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
    for _ in range(connections):
        pool.put_nowait(await asyncio.open_connection(host, port))

    async def one(i: int, due: float) -> None:
        reader, writer = await pool.get()
        try:
            status = await _exchange(reader, writer, make_request(i))
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            status = 0
            writer.close()
            reader, writer = await asyncio.open_connection(host, port)
        pool.put_nowait((reader, writer))
        result.statuses[status] = result.statuses.get(status, 0) + 1
        if status in (200, 201):
            result.latencies.append(time.perf_counter() - due)

    # The instrument must not pause: a collector pass over the benchmark's own heap (its data,
    # the population it read) once stalled this loop for 150 ms, counted as the server's latency.
    collecting = gc.isenabled()
    gc.freeze()
    gc.disable()
    try:
        begin = time.perf_counter()
        tasks = []
        for i in range(int(rate * seconds)):
            due = begin + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(i, due)))
        await asyncio.gather(*tasks)
        result.elapsed = time.perf_counter() - begin
    finally:
        gc.unfreeze()
        if collecting:
            gc.enable()
    while not pool.empty():
        pool.get_nowait()[1].close()
    return result
