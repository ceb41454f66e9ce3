"""The one error shape: an ``AppError`` hierarchy with stable codes and bilingual titles.

Every error a client sees is ``application/problem+json`` (RFC 9457); ``shared.web.problems``
turns these exceptions (and framework errors) into that shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from shared.i18n import Text


@dataclass(frozen=True)
class FieldError:
    """One invalid field: where it is (``location`` + JSON pointer), a code and a message."""

    location: str  # body, query, path, header, row …
    path: tuple[str | int, ...]
    code: str
    message: Text
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def pointer(self) -> str:
        """RFC 6901 JSON pointer into the located document: ``#/members/0/id_number``."""
        parts = [str(p).replace("~", "~0").replace("/", "~1") for p in self.path]
        return "#/" + "/".join(parts) if parts else "#"

    @property
    def field_name(self) -> str:
        """Dotted name people read: ``members[0].id_number``."""
        out = ""
        for p in self.path:
            out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
        return out or self.location


class AppError(Exception):
    """Base of every error the services raise on purpose."""

    status: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"
    title: ClassVar[Text] = Text("Internal server error", "服务器内部错误")

    def __init__(
        self,
        detail: Text | str | None = None,
        *,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.detail = Text(detail, detail) if isinstance(detail, str) else detail
        self.errors = errors or []
        self.headers = headers or {}
        self.extra = extra or {}
        super().__init__(self.detail.en if self.detail else self.title.en)


class BadRequest(AppError):
    status = 400
    code = "bad_request"
    title = Text("Bad request", "请求有误")


def bad_field(field: str, code: str, message: Text, location: str = "body") -> BadRequest:
    """A 400 naming the one field at fault."""
    return BadRequest(message, errors=[FieldError(location, (field,), code, message)])


class Unauthorized(AppError):
    status = 401
    code = "unauthorized"
    title = Text("Authentication required", "需要身份认证")


class Forbidden(AppError):
    status = 403
    code = "forbidden"
    title = Text("Not allowed", "无权访问")


class NotFound(AppError):
    status = 404
    code = "not_found"
    title = Text("Not found", "未找到")


class MethodNotAllowed(AppError):
    status = 405
    code = "method_not_allowed"
    title = Text("Method not allowed", "不支持该请求方法")


class Conflict(AppError):
    status = 409
    code = "conflict"
    title = Text("Conflict", "数据冲突")


class TooManyRequests(AppError):
    status = 429
    code = "too_many_requests"
    title = Text("Too many requests", "请求过于频繁")


class PayloadTooLarge(AppError):
    status = 413
    code = "payload_too_large"
    title = Text("Request body too large", "请求内容过大")


class UnsupportedMediaType(AppError):
    status = 415
    code = "unsupported_media_type"
    title = Text("Unsupported media type", "不支持的内容类型")


class ValidationFailed(AppError):
    status = 422
    code = "validation_failed"
    title = Text("Invalid input", "输入数据有误")


class ServiceUnavailable(AppError):
    status = 503
    code = "service_unavailable"
    title = Text("Service unavailable", "服务暂不可用")


class UpstreamError(AppError):
    status = 502
    code = "upstream_error"
    title = Text("Another service failed", "依赖的服务出错")


ERRORS_BY_STATUS: dict[int, type[AppError]] = {
    cls.status: cls
    for cls in (
        BadRequest,
        Unauthorized,
        Forbidden,
        NotFound,
        MethodNotAllowed,
        Conflict,
        PayloadTooLarge,
        UnsupportedMediaType,
        ValidationFailed,
        ServiceUnavailable,
        UpstreamError,
    )
}
