"""Webhooks against a real local receiver (an HTTP server on loopback that verifies what it gets
with the verifier departments copy): signatures verify, tampered and replayed deliveries fail,
a receiver that is down for a while gets everything once it is back, and one that stays down
ends in the dead letter until replayed."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from services.exchange.adapters.orm import Webhook
from services.exchange.domain.webhooks import InvalidSignature, verify
from services.exchange.service.feeds import HANDLERS
from services.exchange.service.webhooks import deliver_due
from shared.events.consumer import FeedConsumer
from tests.conftest import make_app
from tests.integration.test_exchange_clients import bearer, make_client
from tests.integration.test_exchange_feeds import duplicate
from tests.support import auth, free_port


class Receiver:
    """A department's endpoint: keeps (headers, body) of each delivery; ``up`` or not."""

    def __init__(self) -> None:
        self.port = free_port()
        self.got: list[tuple[dict[str, str], bytes]] = []
        self.server: ThreadingHTTPServer | None = None

    def start(self) -> None:
        got = self.got

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                got.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.stop()


def test_deliveries_are_signed_survive_an_outage_and_die_only_when_replay_can_save_them(
    db_url: Callable[[str], str], receiver: Receiver
) -> None:
    matching_app = make_app("matching", db_url("matching"), workers_enabled=False)
    exchange_app = make_app(
        "exchange", db_url("exchange"), webhooks_allow_private=True, webhook_interval_seconds=3600
    )
    with TestClient(matching_app) as matching, TestClient(exchange_app) as exchange:
        matching.headers.update(auth("matching", "events:read"))
        consumer = FeedConsumer("matching", exchange_app.state.db, matching, HANDLERS)
        db = exchange_app.state.db
        caller = bearer(
            exchange,
            make_client(exchange, scopes=["webhooks", "feeds:findings", "programme:dibao"], sources=[]),
        )
        made = exchange.post(
            "/v1/webhooks",
            json={"feed": "findings", "url": f"http://127.0.0.1:{receiver.port}/hook"},
            headers=caller,
        )
        assert made.status_code == 201, made.text
        hook, secret = made.json(), made.json()["secret"]
        assert (
            secret.startswith("whsec_")
            and "secret" not in exchange.get(f"/v1/webhooks/{hook['id']}", headers=caller).json()
        )

        receiver.start()
        duplicate(matching, 1)
        consumer.drain()
        assert deliver_due(db) == 1
        [(headers, body)] = receiver.got
        verify(secret, headers, body)  # the receiver's check passes
        event = orjson.loads(body)
        assert event["type"] == "cn.snx.exchange.finding.raised" and event["read"].startswith(
            "/v1/feeds/findings?after="
        )
        assert "周国强" not in body.decode() and "name" not in event  # thin: no personal data
        with pytest.raises(InvalidSignature):
            verify(secret, headers, body.replace(b"raised", b"dismissed"))  # tampered
        with pytest.raises(InvalidSignature):
            verify(secret, headers, body, now=int(headers["webhook-timestamp"]) + 3600)  # replayed later

        receiver.stop()  # the department's endpoint goes down …
        for n in (2, 3):
            duplicate(matching, n)
        consumer.drain()
        assert deliver_due(db) == 0
        state = exchange.get(f"/v1/webhooks/{hook['id']}", headers=caller).json()
        assert state["status"] == "active" and state["attempts"] == 1 and state["last_error"]
        with db.engine.begin() as conn:  # … and the backoff time passes
            conn.execute(update(Webhook).values(next_attempt_at=Webhook.created_at))
        assert (
            deliver_due(db) == 0
            and exchange.get(f"/v1/webhooks/{hook['id']}", headers=caller).json()["attempts"] == 2
        )

        receiver.start()  # … and comes back: everything since, in order, once
        with db.engine.begin() as conn:
            conn.execute(update(Webhook).values(next_attempt_at=Webhook.created_at))
        assert deliver_due(db) == 2
        seqs = [orjson.loads(b)["seq"] for _, b in receiver.got]
        assert seqs == sorted(seqs) and len(set(seqs)) == 3
        ids = [h["webhook-id"] for h, _ in receiver.got]
        assert len(set(ids)) == 3
        assert deliver_due(db) == 0  # nothing twice

        receiver.stop()  # down for good: after the last attempt the subscription is dead
        duplicate(matching, 4)
        consumer.drain()
        for _ in range(3):
            with db.engine.begin() as conn:
                conn.execute(update(Webhook).values(next_attempt_at=Webhook.created_at))
            deliver_due(db, max_attempts=3)
        dead = exchange.get(f"/v1/webhooks/{hook['id']}", headers=caller).json()
        assert dead["status"] == "dead" and dead["cursor"] == seqs[-1]  # the dead letter starts after it

        receiver.start()
        replayed = exchange.post(f"/v1/webhooks/{hook['id']}/replay", json={"after": seqs[0]}, headers=caller)
        assert replayed.status_code == 200 and replayed.json()["status"] == "active"
        before = len(receiver.got)
        assert deliver_due(db) == 3  # seqs[1], seqs[2] again, and the new one
        again = [orjson.loads(b)["seq"] for _, b in receiver.got[before:]]
        assert again[:2] == seqs[1:] and all(verify(secret, h, b) is None for h, b in receiver.got)


def test_private_targets_unknown_feeds_and_missing_scopes_are_refused(db_url: Callable[[str], str]) -> None:
    with TestClient(make_app("exchange", db_url("exchange"))) as exchange:
        caller = bearer(exchange, make_client(exchange, scopes=["webhooks", "feeds:findings"], sources=[]))
        for url in (
            "https://127.0.0.1/hook",
            "https://10.0.0.8/hook",
            "https://169.254.169.254/latest",
            "http://example.org/h",
        ):
            response = exchange.post("/v1/webhooks", json={"feed": "findings", "url": url}, headers=caller)
            assert response.status_code == 400 and response.json()["errors"][0]["field"] == "url", url
        no_scope = bearer(exchange, make_client(exchange, scopes=["webhooks"], sources=[]))
        assert (
            exchange.post(
                "/v1/webhooks", json={"feed": "findings", "url": "https://8.8.8.8/h"}, headers=no_scope
            ).status_code
            == 403
        )
        persons = bearer(exchange, make_client(exchange, scopes=["webhooks", "feeds:persons"], sources=[]))
        hook = {"feed": "persons", "url": "https://8.8.8.8/h"}
        refused = exchange.post("/v1/webhooks", json=hook, headers=persons)
        assert refused.status_code == 403 and "fields:identity" in refused.text  # the feed needs both
        unknown = exchange.post("/v1/webhooks", json={**hook, "feed": "everything"}, headers=persons)
        assert unknown.status_code == 400 and unknown.json()["errors"][0]["field"] == "feed"
