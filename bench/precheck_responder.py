"""A pre-check peer that answers instantly: matching's contract at (almost) no CPU cost.

For S1 it stands for a matching service on its own machine: intake pays for its own outgoing call
(client, JSON, timeout handling) but the 2-core box is not also running matching's work. The
full FastAPI contract server (tests/matching_stub.py) on the same box is the other measured case.

    python -m bench.precheck_responder --port 18002
"""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import UTC, datetime

BODY = json.dumps({"status": "clear", "hits": [], "checked_at": datetime.now(UTC).isoformat()}).encode()
RESPONSE = (
    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n" % len(BODY) + BODY
)


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            length = 0
            line = await reader.readline()
            if not line:
                break
            while line not in (b"\r\n", b""):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
                line = await reader.readline()
            await reader.readexactly(length)
            writer.write(RESPONSE)
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


async def serve(port: int) -> None:
    server = await asyncio.start_server(handle, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    asyncio.run(serve(parser.parse_args().port))
