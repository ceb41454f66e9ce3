"""ID numbers never reach a log line in clear, whoever logs them and however."""

from __future__ import annotations

import json
import logging
import re

import pytest

from shared.logs import configure_logging, get_logger

ID18 = "11010519491231002X"
ID15 = "610104620927690"
DISABILITY = "36042619910101007142"
CLEAR = re.compile(r"\d{15,}")


@pytest.fixture(autouse=True)
def _configured() -> None:
    configure_logging("test", level="INFO", fmt="json")


def lines(err: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in err.strip().splitlines()]


def test_stdlib_logger_masks_id_numbers_in_message_and_args(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("test", level="INFO", fmt="json")  # bind the handler to the captured stderr
    logging.getLogger("some.library").info("applicant %s and old id %s", ID18, ID15)
    err = capsys.readouterr().err
    assert ID18 not in err and ID15 not in err
    assert "110105********002X" in lines(err)[0]["event"]  # type: ignore[operator]
    assert not CLEAR.search(err)


def test_structlog_masks_nested_values_and_exceptions(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("test", level="INFO", fmt="json")
    log = get_logger("snx.test")
    try:
        raise ValueError(f"bad certificate {DISABILITY}")
    except ValueError:
        log.exception("import.row_failed", row={"id_number": ID18, "members": [ID15]}, note=f"id={ID18}")
    err = capsys.readouterr().err
    for raw in (ID18, ID15, DISABILITY):
        assert raw not in err
    record = lines(err)[0]
    assert record["row"] == {"id_number": "110105********002X", "members": ["610104*****7690"]}
    assert "Traceback" in str(record["exception"])
    assert not CLEAR.search(err)


def test_console_format_masks_too(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("test", level="INFO", fmt="console")
    get_logger("snx.test").info("lookup", query=f"id_number={ID18}")
    logging.getLogger("uvicorn.error").warning(
        "GET /v1/lookups?id=%s", "１１０１０５１９４９１２３１００２Ｘ"
    )
    err = capsys.readouterr().err
    assert ID18 not in err and "１１０１０５１９４９１２３１００２Ｘ" not in err
    assert "110105********002X" in err


def test_ordinary_numbers_are_left_alone(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("test", level="INFO", fmt="json")
    get_logger("snx.test").info(
        "batch", date="20240101", division="110105001001", amount=123456, id=360426199101010071
    )
    err = capsys.readouterr().err
    assert "360426199101010071" not in err
    record = lines(err)[0]
    assert record["id"] == "360426********0071"
    assert (record["date"], record["division"], record["amount"]) == ("20240101", "110105001001", 123456)


def test_the_r10_scan_finds_a_logged_id_number(caplog: pytest.LogCaptureFixture) -> None:
    """The guard every test runs under (``tests/conftest.py``): it sees an ID number in the captured
    logs, and only a real one (check character right), not any 18-digit run."""
    import logging

    from tests.support import id_numbers_in

    logging.getLogger("snx.test").warning("applicant %s, order 123456789012345678", "11010519491231002X")
    assert id_numbers_in(caplog.text) == ["11010519491231002X"]
    assert id_numbers_in("1101051949123100211 and 110105194912310021 and 110105********002X") == []
    caplog.clear()  # this test's own leak is deliberate
