"""The configuration reference of ``docs/operations.md``, generated from the settings classes
(``snx settings-reference``); a test keeps the document equal to it."""

from __future__ import annotations

import importlib
from typing import Any

from pydantic import SecretStr
from pydantic.fields import FieldInfo

from shared.services import SERVICES
from shared.settings import ServiceSettings


def _default(info: FieldInfo) -> str:
    value: Any = info.default
    if isinstance(value, SecretStr):
        return "(the development key)"
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    return f"`{value}`"


def _type(info: FieldInfo) -> str:
    text = str(info.annotation).replace("typing.", "").replace("pathlib.", "")
    text = text.removeprefix("<class '").removesuffix("'>").replace("pydantic.types.", "")
    return text.replace(" | ", " or ")  # a bare | would split the table cell


def _rows(prefix: str, fields: dict[str, FieldInfo]) -> list[str]:
    return [
        f"| `{prefix}{name.upper()}` | {_type(info)} | {_default(info)} | {info.description or ''} |"
        for name, info in fields.items()
    ]


def reference() -> str:
    head = ["| variable | type | default | what |", "|---|---|---|---|"]
    common = ServiceSettings.model_fields
    lines = [
        "Every service reads the same common settings under its own prefix (`INTAKE_`, `MATCHING_`,",
        "`EXCHANGE_`): one process, one prefix.",
        "",
        *head,
        *_rows("<SERVICE>_", common),
    ]
    for service in SERVICES:
        cls: type[ServiceSettings] = getattr(
            importlib.import_module(f"services.{service}.config"), f"{service.capitalize()}Settings"
        )
        own = {k: v for k, v in cls.model_fields.items() if k not in common}
        lines += ["", f"{service} only:", "", *head, *_rows(cls.env_prefix(), own)]
    return "\n".join(lines) + "\n"
