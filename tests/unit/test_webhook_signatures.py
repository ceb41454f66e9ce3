"""Standard Webhooks signatures: what we sign, a receiver verifies; tampering and replays fail."""

from __future__ import annotations

import pytest

from services.exchange.domain.webhooks import (
    InvalidSignature,
    backoff_seconds,
    headers,
    new_secret,
    private_target,
    sign,
    verify,
)


def test_the_published_example_signs_as_the_specification_says() -> None:
    # The example of the Standard Webhooks specification (its README's "Signature scheme").
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    assert sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body) == (
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def test_a_signed_delivery_verifies_and_any_change_fails() -> None:
    secret, body = new_secret(), b'{"type": "cn.snx.exchange.finding.raised", "seq": 7}'
    sent = headers(secret, "evt-1", body, now=1_800_000_000)
    verify(secret, sent, body, now=1_800_000_010)
    for tampered in (body.replace(b"7", b"8"), body + b" "):
        with pytest.raises(InvalidSignature):
            verify(secret, sent, tampered, now=1_800_000_010)
    with pytest.raises(InvalidSignature):
        verify(secret, {**sent, "webhook-id": "evt-2"}, body, now=1_800_000_010)
    with pytest.raises(InvalidSignature):  # replayed an hour later
        verify(secret, sent, body, now=1_800_003_600)
    with pytest.raises(InvalidSignature):
        verify(new_secret(), sent, body, now=1_800_000_010)
    with pytest.raises(InvalidSignature):
        verify(secret, {"webhook-id": "evt-1"}, body)


def test_backoff_grows_and_stays_capped() -> None:
    assert all(0 <= backoff_seconds(0) <= 5 for _ in range(50))
    assert max(backoff_seconds(10) for _ in range(200)) > 100
    assert all(backoff_seconds(30) <= 3600 for _ in range(50))


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "localhost", "10.1.2.3", "192.168.0.9", "169.254.169.254", "::1"]
)
def test_loopback_private_and_link_local_targets_are_refused(host: str) -> None:
    assert private_target(host)


def test_a_public_address_is_allowed() -> None:
    assert private_target("8.8.8.8") is None
