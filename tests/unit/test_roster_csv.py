"""A roster sent as CSV becomes the contract's NDJSON lines, however the bytes arrive."""

from __future__ import annotations

import orjson
import pytest

from services.exchange.domain.roster_csv import CsvError, CsvToNdjson

CSV = (
    "\ufeffrecord_id,name,id_number,birth_date,programme,attributes.reason,address\r\n"
    'p1,张三,110105194912310021,1949-12-31,dibao,illness,"杭州市\r\n西湖区, 3号"\r\n'
    "p2,李四,,,dibao,,\r\n"
)


def convert(data: bytes, mode: str = "snapshot", step: int | None = None) -> list[dict[str, object]]:
    conv = CsvToNdjson(mode)
    out: list[bytes] = []
    for at in range(0, len(data), step or len(data)):
        out += conv.feed(data[at : at + (step or len(data))])
    out += conv.close()
    return [orjson.loads(line) for line in out]


@pytest.mark.parametrize("step", [None, 1, 7])
def test_records_with_attributes_empty_cells_and_line_breaks_in_quotes(step: int | None) -> None:
    assert convert(CSV.encode(), step=step) == [
        {
            "record_id": "p1",
            "name": "张三",
            "id_number": "110105194912310021",
            "birth_date": "1949-12-31",
            "programme": "dibao",
            "address": "杭州市\r\n西湖区, 3号",
            "attributes": {"reason": "illness"},
        },
        {"record_id": "p2", "name": "李四", "programme": "dibao"},
    ]


def test_gb18030_as_spreadsheets_save_it() -> None:
    assert convert(CSV.replace("\ufeff", "").encode("gb18030"), step=5)[1]["name"] == "李四"


def test_changes_say_upsert_or_delete() -> None:
    data = "op,record_id,name\nupsert,p1,张三\ndelete,p2,\n,p3,王五\n".encode()
    assert convert(data, mode="changes") == [
        {"op": "upsert", "record": {"record_id": "p1", "name": "张三"}},
        {"op": "delete", "record_id": "p2"},
        {"op": "upsert", "record": {"record_id": "p3", "name": "王五"}},
    ]


def test_a_header_without_record_id_is_refused() -> None:
    with pytest.raises(CsvError):
        convert(b"name,id_number\n\xe5\xbc\xa0,1\n")
