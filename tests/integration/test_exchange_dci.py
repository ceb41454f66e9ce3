"""DCI compatibility: request messages written from the DCI Social Registry / IBR search shape
(header / message envelope, idtype-value and predicate queries) get answers in that shape —
checked against the response schema of the DCI IBR compliance suite — with our scopes and audit."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.integration.test_exchange_clients import bearer, make_client
from tests.integration.test_exchange_lookups import PID, roster  # noqa: F401 - fixtures
from tests.integration.test_exchange_rosters import stack  # noqa: F401 - the fixture

HEADER = {
    "version": "1.0.0",
    "message_id": "123",
    "message_ts": "2026-11-30T10:00:00+08:00",
    "action": "search",
    "sender_id": "hrss.example.gov.cn",
    "receiver_id": "snx-exchange",
    "total_count": 3,
    "is_msg_encrypted": False,
}
AUTHORIZE = {"purpose": "养老金资格复核"}


def request(*criteria: dict[str, Any]) -> dict[str, Any]:
    return {
        "signature": "",
        "header": HEADER,
        "message": {
            "transaction_id": "txn-7",
            "search_request": [
                {
                    "reference_id": f"ref-{k}",
                    "timestamp": "2026-11-30T10:00:00+08:00",
                    "search_criteria": c,
                    "locale": "zh",
                }
                for k, c in enumerate(criteria)
            ],
        },
    }


BY_ID = {
    "version": "1.0.0",
    "reg_type": "IBR",
    "reg_record_type": "BENEFICIARY",
    "query_type": "idtype-value",
    "query": {"type": "UIN", "value": PID},
    "authorize": AUTHORIZE,
}
BY_PREDICATE = {
    "version": "1.0.0",
    "reg_type": "IBR",
    "query_type": "predicate",
    "query": [
        {
            "seq_num": 1,
            "expression1": {"attribute_name": "surname", "operator": "eq", "attribute_value": "孙"},
            "condition": "and",
            "expression2": {"attribute_name": "given_name", "operator": "eq", "attribute_value": "立新"},
        },
        {
            "seq_num": 2,
            "expression1": {
                "attribute_name": "birth_date",
                "operator": "eq",
                "attribute_value": "1958-08-08",
            },
        },
    ],
    "authorize": AUTHORIZE,
}
# The response schema of a search item in the DCI IBR compliance suite (spdci/IBR-Mockup-Compliance).
ITEM_REQUIRED = {"reference_id", "status", "data", "locale"}


def check_item(item: dict[str, Any]) -> None:
    assert item.keys() >= ITEM_REQUIRED and {"version", "reg_records"} <= item["data"].keys()
    for record in item["data"]["reg_records"]:
        assert record["enrollment_status"] in ("active", "inactive")
        for p in record["programme_identifier"]:
            assert {"programme_code", "programme_name"} <= p.keys()


@pytest.fixture
def client(roster: TestClient) -> Iterator[tuple[TestClient, dict[str, str]]]:  # noqa: F811
    yield roster, bearer(roster, make_client(roster, scopes=["lookup", "programme:dibao"], sources=[]))


def test_a_dci_search_by_id_and_by_predicate_finds_the_beneficiary(
    client: tuple[TestClient, dict[str, str]],
) -> None:
    exchange, caller = client
    unknown_type = {**BY_ID, "query": {"type": "BRN", "value": "x"}}
    no_purpose = {k: v for k, v in BY_ID.items() if k != "authorize"}
    response = exchange.post(
        "/dci/registry/sync/search",
        json=request(BY_ID, BY_PREDICATE, unknown_type, no_purpose),
        headers=caller,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["header"]["action"] == "on-search" and body["header"]["receiver_id"] == "hrss.example.gov.cn"
    assert body["message"]["transaction_id"] == "txn-7"
    by_id, by_predicate, bad_type, missing = body["message"]["search_response"]
    for item in (by_id, by_predicate, bad_type, missing):
        check_item(item)
    assert [i["reference_id"] for i in (by_id, by_predicate, bad_type, missing)] == [
        "ref-0",
        "ref-1",
        "ref-2",
        "ref-3",
    ]
    for item in (by_id, by_predicate):
        [record] = item["data"]["reg_records"]
        assert item["status"] == "succ" and record["enrollment_status"] == "active"
        assert record["enrollments"] == [{"programme_code": "dibao", "enrollment_status": "active"}]
        assert not {"member", "benefits", "enrollment_date"} & record.keys()  # no identity, aid, income
    assert (bad_type["status"], bad_type["status_reason_code"]) == ("rjct", "rjct.query.invalid")
    assert (missing["status"], missing["status_reason_code"]) == ("rjct", "rjct.authorize.purpose")

    with exchange.app.state.db.unit_of_work() as uow:  # type: ignore[attr-defined]
        audited = uow.session.execute(text("SELECT purpose, endpoint FROM ex_audit ORDER BY seq")).all()
    assert audited == [("养老金资格复核", "POST /dci/registry/sync/search")] * 2  # the two answered


def test_wider_scopes_add_the_member_and_benefits(roster: TestClient) -> None:  # noqa: F811
    groups = ["identity", "aid", "income", "contact", "findings"]
    caller = bearer(
        roster,
        make_client(
            roster, scopes=["lookup", "programme:dibao", *[f"fields:{g}" for g in groups]], sources=[]
        ),
    )
    [item] = roster.post("/dci/registry/sync/search", json=request(BY_ID), headers=caller).json()["message"][
        "search_response"
    ]
    [record] = item["data"]["reg_records"]
    assert record["member"]["member_identifier"][0]["identifier_value"].startswith("P")
    assert record["benefits"] == [
        {"benefit_name": "dibao_urban", "benefit_amount": "612.00", "currency": "CNY"}
    ]
    assert record["enrollment_date"] == "2023-05-01"
    with roster.app.state.db.unit_of_work() as uow:  # type: ignore[attr-defined]
        [fields] = uow.session.execute(text("SELECT fields FROM ex_audit ORDER BY seq")).scalars()
    assert sorted(orjson.loads(fields) if isinstance(fields, str) else fields) == sorted(
        ["enrolment", "identity", "aid", "income"]
    )  # an IBR record holds no contact details or findings: neither read nor audited as returned


def test_the_ibr_enrolled_answer(client: tuple[TestClient, dict[str, str]]) -> None:
    exchange, caller = client

    def ask(programme: str, criteria: dict[str, Any] = BY_ID) -> dict[str, Any]:
        body = {
            "header": HEADER,
            "message": {"transaction_id": "t", "search_criteria": {**criteria, "programme_code": programme}},
        }
        response = exchange.post("/dci/ibr/sync/enrolled", json=body, headers=caller)
        assert response.status_code == 200, response.text
        message: dict[str, Any] = response.json()["message"]
        assert {"ack_status", "timestamp", "error", "correlation_id"} == message.keys()  # the suite's schema
        return message

    assert ask("dibao")["ack_status"] == "yes"
    assert ask("dibao_urban")["ack_status"] == "yes"
    stranger = {**BY_ID, "query": {"type": "UIN", "value": "110105199001011234"}}
    assert ask("dibao", stranger)["ack_status"] == "no"
    refused = ask("tekun")  # not in this client's scopes
    assert refused["ack_status"] == "ERR" and refused["error"]["code"] == "rjct.programme_code.invalid"


@pytest.mark.parametrize(
    "body",
    [
        {"header": HEADER},
        {"header": HEADER, "message": {"search_request": "everyone"}},
        {"header": HEADER, "message": {"search_request": [{"search_criteria": "all"}]}},
        {
            "header": HEADER,
            "message": {"search_request": [{"search_criteria": {"query_type": "predicate", "query": "x"}}]},
        },
        {
            "header": HEADER,
            "message": {
                "search_request": [
                    {"search_criteria": {**BY_ID, "query": {"type": "UIN", "value": {"a": 1}}}}
                ]
            },
        },
        {
            "header": HEADER,
            "message": {"search_request": [{"search_criteria": {**BY_PREDICATE, "query": [1, "two", None]}}]},
        },
    ],
)
def test_malformed_messages_get_a_clear_answer_never_a_500(
    client: tuple[TestClient, dict[str, str]], body: Any
) -> None:
    exchange, caller = client
    response = exchange.post("/dci/registry/sync/search", json=body, headers=caller)
    assert response.status_code in (200, 422), response.text
    if response.status_code == 200:
        assert all(i["status"] in ("succ", "rjct") for i in response.json()["message"]["search_response"])
