"""Turn every error into ``application/problem+json`` (RFC 9457), in English or Chinese."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.errors import ERRORS_BY_STATUS, AppError, Conflict, FieldError, ValidationFailed
from shared.i18n import Lang, Text, negotiate_language
from shared.logs import get_logger, request_id_var

PROBLEM_JSON = "application/problem+json"
log = get_logger("snx.errors")

# Chinese (and normalised English) texts for pydantic's error types; others fall back to its message.
_PYDANTIC_TEXTS: dict[str, Text] = {
    "missing": Text("Field required", "缺少必填字段"),
    "string_type": Text("Must be a string", "应为字符串"),
    "int_type": Text("Must be an integer", "应为整数"),
    "int_parsing": Text("Must be an integer", "应为整数"),
    "float_parsing": Text("Must be a number", "应为数字"),
    "bool_parsing": Text("Must be true or false", "应为布尔值（true 或 false）"),
    "date_from_datetime_parsing": Text("Must be a date (YYYY-MM-DD)", "应为日期（YYYY-MM-DD）"),
    "date_parsing": Text("Must be a date (YYYY-MM-DD)", "应为日期（YYYY-MM-DD）"),
    "datetime_parsing": Text("Must be a date-time (RFC 3339)", "应为日期时间（RFC 3339）"),
    "string_too_short": Text("At least {min_length} characters", "长度至少为 {min_length}"),
    "string_too_long": Text("At most {max_length} characters", "长度不能超过 {max_length}"),
    "string_pattern_mismatch": Text("Does not match the expected format", "格式不正确"),
    "greater_than_equal": Text("Must be ≥ {ge}", "应大于或等于 {ge}"),
    "greater_than": Text("Must be > {gt}", "应大于 {gt}"),
    "less_than_equal": Text("Must be ≤ {le}", "应小于或等于 {le}"),
    "less_than": Text("Must be < {lt}", "应小于 {lt}"),
    "literal_error": Text("Must be one of: {expected}", "取值应为以下之一：{expected}"),
    "enum": Text("Must be one of: {expected}", "取值应为以下之一：{expected}"),
    "list_type": Text("Must be a list", "应为列表"),
    "dict_type": Text("Must be an object", "应为对象"),
    "model_type": Text("Must be an object", "应为对象"),
    "model_attributes_type": Text("Must be an object", "应为对象"),
    "json_invalid": Text("Body is not valid JSON", "请求内容不是有效的 JSON"),
    "extra_forbidden": Text("Unknown field", "不允许的字段"),
    "too_short": Text("Too few items (at least {min_length})", "条目过少（至少 {min_length} 条）"),
    "too_long": Text("Too many items (at most {max_length})", "条目过多（最多 {max_length} 条）"),
}


def _field_error(err: dict[str, Any]) -> FieldError:
    loc = list(err.get("loc", ()))
    location = str(loc[0]) if loc else "body"
    path = tuple(p if isinstance(p, int) else str(p) for p in loc[1:])
    ctx = {k: v for k, v in (err.get("ctx") or {}).items() if isinstance(v, str | int | float)}
    template = _PYDANTIC_TEXTS.get(err["type"])
    if template is not None:
        try:
            message = template.format(**ctx)
        except (KeyError, IndexError):
            message = Text(str(err.get("msg", "")), template.zh)
    else:
        msg = str(err.get("msg", "Invalid value"))
        message = Text(msg, f"取值无效：{msg}")
    return FieldError(location=location, path=path, code=err["type"], message=message, context=ctx)


def validation_errors(errors: list[dict[str, Any]]) -> list[FieldError]:
    return [_field_error(e) for e in errors]


def problem_body(exc: AppError, request: Request, lang: Lang) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"urn:snx:problem:{exc.code}",
        "title": exc.title.get(lang),
        "status": exc.status,
        "code": exc.code,
        "instance": request.url.path,
    }
    if exc.detail is not None:
        body["detail"] = exc.detail.get(lang)
    rid = request_id_var.get()
    if rid:
        body["request_id"] = rid
    if exc.errors:
        body["errors"] = [
            {
                "location": e.location,
                "pointer": e.pointer,
                "field": e.field_name,
                "code": e.code,
                "message": e.message.get(lang),
                **({"context": e.context} if e.context else {}),
            }
            for e in exc.errors
        ]
    body.update(exc.extra)
    return body


def problem_response(exc: AppError, request: Request, status: int | None = None) -> JSONResponse:
    """``status`` overrides the class's own, for HTTP errors that have no class of their own."""
    lang = negotiate_language(request.headers.get("accept-language"))
    headers = {"Content-Language": "zh-CN" if lang == "zh" else "en", **exc.headers}
    body = problem_body(exc, request, lang)
    body["status"] = status or exc.status
    return JSONResponse(body, status_code=body["status"], headers=headers, media_type=PROBLEM_JSON)


async def _app_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    if exc.status >= 500:
        log.error("http.app_error", code=exc.code, status=exc.status, path=request.url.path)
    return problem_response(exc, request)


async def _http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    # A status we have no class for keeps its status under the generic title.
    cls = ERRORS_BY_STATUS.get(exc.status_code, AppError)
    return problem_response(cls(headers=dict(exc.headers or {})), request, status=exc.status_code)


async def _request_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = validation_errors(list(exc.errors()))
    detail = Text(
        f"{len(errors)} field(s) are invalid: " + ", ".join(e.field_name for e in errors),
        f"{len(errors)} 个字段有误：" + "、".join(e.field_name for e in errors),
    )
    return problem_response(ValidationFailed(detail, errors=errors), request)


async def _integrity(request: Request, exc: Exception) -> JSONResponse:
    # A unique or foreign-key constraint refused the write (usually a concurrent duplicate): the
    # whole unit of work was rolled back. The database's message may quote values: not sent, not logged.
    log.warning("db.integrity_error", path=request.url.path)
    detail = Text(
        "The change conflicts with data already stored; nothing was saved.",
        "该操作与已有数据冲突，未保存任何内容。",
    )
    return problem_response(Conflict(detail), request)


def install_problem_handlers(app: FastAPI) -> None:
    """Unhandled exceptions become a 500 problem in ``RequestContextMiddleware``."""
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(StarletteHTTPException, _http_exception)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(IntegrityError, _integrity)
