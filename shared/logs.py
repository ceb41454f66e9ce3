"""Structured logging: structlog for our code and the standard library alike.

Every line, whoever logged it (our code, uvicorn, SQLAlchemy, a library), passes through the same
processor chain, and the last processor before rendering masks ID numbers in every string it
finds. Callers never have to remember to mask: a line cannot carry an 18- or 15-digit ID number or
a disability certificate number in clear.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping, MutableMapping
from contextvars import ContextVar
from typing import Any

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

from shared.codes.masking import mask_id_numbers_in_text

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)


def _mask(value: Any) -> Any:
    if isinstance(value, str):
        return mask_id_numbers_in_text(value)
    if isinstance(value, Mapping):
        return {k: _mask(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_mask(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return value
    if isinstance(value, int):
        # An ID number without X can arrive as an integer: 15 digits or more are masked as text.
        return value if abs(value) < 10**14 else mask_id_numbers_in_text(str(value))
    # Anything else is rendered as text eventually: mask its text form now.
    return mask_id_numbers_in_text(str(value))


def mask_personal_data(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """structlog processor: mask ID numbers in every value of the event, nested ones included."""
    return {key: _mask(value) for key, value in event_dict.items()}


def _add_request_id(_: WrappedLogger, __: str, event_dict: MutableMapping[str, Any]) -> EventDict:
    rid = request_id_var.get()
    if rid and "request_id" not in event_dict:
        event_dict["request_id"] = rid
    return dict(event_dict)


def _pre_chain(service: str) -> list[Processor]:
    def add_service(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
        event_dict.setdefault("service", service)
        return event_dict

    return [
        structlog.contextvars.merge_contextvars,
        _add_request_id,
        add_service,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.PositionalArgumentsFormatter(),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
        structlog.processors.UnicodeDecoder(),
    ]


def build_formatter(service: str, fmt: str) -> structlog.stdlib.ProcessorFormatter:
    renderer: Processor
    if fmt == "json":
        renderer = structlog.processors.JSONRenderer(ensure_ascii=False)
    else:
        renderer = structlog.dev.ConsoleRenderer(colors=False)
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_pre_chain(service),
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            # Tracebacks and %-formatted messages are text by now: mask them too.
            structlog.processors.format_exc_info,
            mask_personal_data,
            renderer,
        ],
    )


def configure_logging(service: str, *, level: str = "INFO", fmt: str = "console") -> None:
    """Route structlog and the standard library through one masking chain to stderr."""
    structlog.configure(
        # Masked before it leaves structlog too, so no handler (pytest's included) sees it in clear.
        processors=[
            structlog.stdlib.filter_by_level,  # below the level: dropped before any other work
            *_pre_chain(service),
            mask_personal_data,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(build_formatter(service, fmt))
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_snx", False):
            root.removeHandler(old)
    handler._snx = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        lg = logging.getLogger(name)
        lg.handlers.clear()
        lg.propagate = True
    # Our request middleware logs each request once; uvicorn's access line would repeat it, and
    # httpx would log every feed poll.
    logging.getLogger("uvicorn.access").disabled = True
    logging.getLogger("httpx").setLevel(logging.WARNING)


def get_logger(name: str | None = None) -> structlog.stdlib.BoundLogger:
    logger: structlog.stdlib.BoundLogger = structlog.stdlib.get_logger(name)
    return logger
