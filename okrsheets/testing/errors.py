"""Error answers shaped like Google's.

Sheets v4 (one-platform) errors carry ``code``, ``message``, ``status`` and
sometimes ``details``; Drive v3 errors carry ``code``, ``message`` and an
``errors`` list with ``domain`` and ``reason``.
"""

from __future__ import annotations

from typing import Any

STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    413: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


class ApiError(Exception):
    """Raised anywhere in the fake; the server turns it into an HTTP answer."""

    def __init__(
        self,
        code: int,
        message: str,
        status: str | None = None,
        details: list[dict[str, Any]] | None = None,
        *,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        omit_status: bool = False,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status or STATUS_NAMES.get(code, "UNKNOWN")
        self.details = details
        self.errors = errors
        self.headers = headers or {}
        self.omit_status = omit_status

    def body(self) -> dict[str, Any]:
        err: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.errors is not None:
            err["errors"] = self.errors
        if not self.omit_status:
            err["status"] = self.status
        if self.details:
            err["details"] = self.details
        return {"error": err}


def invalid_argument(message: str) -> ApiError:
    return ApiError(400, message, "INVALID_ARGUMENT")


def bad_request_field(field: str | None, description: str) -> ApiError:
    violation: dict[str, Any] = {"description": description}
    if field:
        violation = {"field": field, "description": description}
    return ApiError(
        400,
        description,
        "INVALID_ARGUMENT",
        [
            {
                "@type": "type.googleapis.com/google.rpc.BadRequest",
                "fieldViolations": [violation],
            }
        ],
    )


def not_found() -> ApiError:
    return ApiError(404, "Requested entity was not found.", "NOT_FOUND")


def drive_error(
    code: int,
    message: str,
    reason: str,
    *,
    domain: str = "global",
    location: str | None = None,
    location_type: str | None = None,
) -> ApiError:
    item: dict[str, Any] = {"message": message, "domain": domain, "reason": reason}
    if location:
        item["location"] = location
        item["locationType"] = location_type or "parameter"
    return ApiError(code, message, errors=[item], omit_status=True)


def drive_not_found(file_id: str) -> ApiError:
    return drive_error(
        404,
        f"File not found: {file_id}.",
        "notFound",
        location="fileId",
        location_type="parameter",
    )
