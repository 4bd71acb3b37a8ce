"""Check requests against the real API schema.

The Sheets v4 and Drive v3 discovery documents ship inside the
google-api-python-client wheel. A request body with a field the schema does
not know is answered with Google's 400 ``Invalid JSON payload received.
Unknown name "x" at 'path': Cannot find field.``; a value of the wrong JSON
type with ``Invalid value at 'path' (TYPE), value``. Unknown query parameters
of Sheets methods are rejected the same way. When google-api-python-client is
not installed, validation is skipped.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import ApiError, drive_error

# Fields gspread sends that the v3 schema lacks but Google accepts.
TOLERATED = {("drive", "Permission"): {"withLink"}}

# The proto field a method's HTTP body is bound to (prefix of error paths).
BODY_PREFIX = {
    "sheets.spreadsheets.values.update": "data",
    "sheets.spreadsheets.values.append": "data",
    "sheets.spreadsheets.create": "spreadsheet",
}

QUERY_ENUM_TYPES = {
    "valueRenderOption": "ValueRenderOption",
    "responseValueRenderOption": "ValueRenderOption",
    "valueInputOption": "ValueInputOption",
    "dateTimeRenderOption": "DateTimeRenderOption",
    "responseDateTimeRenderOption": "DateTimeRenderOption",
    "majorDimension": "Dimension",
    "insertDataOption": "InsertDataOption",
}


@lru_cache(maxsize=4096)  # a handful of field names, met hundreds of thousands of times in a large batchUpdate
def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@lru_cache(maxsize=None)
def _documents_dir() -> Path | None:
    try:
        import googleapiclient
    except ImportError:  # pragma: no cover - optional dependency
        return None
    path = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents"
    return path if path.is_dir() else None


@lru_cache(maxsize=None)
def load(api: str) -> dict[str, Any] | None:
    """The discovery document of ``sheets`` (v4) or ``drive`` (v3)."""
    folder = _documents_dir()
    if folder is None:
        return None
    name = {"sheets": "sheets.v4.json", "drive": "drive.v3.json"}[api]
    return json.loads((folder / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def methods(api: str) -> dict[str, dict[str, Any]]:
    doc = load(api)
    found: dict[str, dict[str, Any]] = {}
    if doc is None:
        return found

    def walk(resource: dict[str, Any]) -> None:
        for method in resource.get("methods", {}).values():
            found[method["id"]] = method
        for sub in resource.get("resources", {}).values():
            walk(sub)

    walk(doc)
    return found


class Violation(Exception):
    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


def _type_label(api: str, prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        pkg = "google.apps.sheets.v4" if api == "sheets" else "google.apps.drive.v3"
        return f"type.googleapis.com/{pkg}.{prop['$ref']}"
    kind = prop.get("type")
    fmt = prop.get("format")
    if kind == "array":
        items = prop.get("items", {})
        if items.get("type") == "array":
            return "type.googleapis.com/google.protobuf.ListValue"
        if items.get("type") == "any":
            return "type.googleapis.com/google.protobuf.Value"
        return _type_label(api, items)
    if kind == "any":
        return "type.googleapis.com/google.protobuf.Value"
    if "enum" in prop:
        return "TYPE_ENUM"
    if kind == "integer":
        return {"int32": "TYPE_INT32", "uint32": "TYPE_UINT32"}.get(fmt or "", "TYPE_INT32")
    if kind == "string" and fmt in ("int64", "uint64"):
        return "TYPE_INT64" if fmt == "int64" else "TYPE_UINT64"
    if kind == "number":
        return "TYPE_FLOAT" if fmt == "float" else "TYPE_DOUBLE"
    if kind == "boolean":
        return "TYPE_BOOL"
    return "TYPE_STRING"


def _invalid(api: str, path: str, prop: dict[str, Any], value: Any) -> Violation:
    shown = json.dumps(value, ensure_ascii=False)
    return Violation(path, f"Invalid value at '{path}' ({_type_label(api, prop)}), {shown}")


def _is_int(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    if isinstance(value, float):
        return value.is_integer()
    if isinstance(value, str):
        return re.fullmatch(r"-?\d+", value) is not None
    return False


def _check(api: str, doc: dict[str, Any], prop: dict[str, Any], value: Any, path: str, out: list[Violation]) -> Any:
    """Validate ``value``; return it coerced the way Google's JSON parser reads it."""
    if value is None:
        return None
    if "$ref" in prop:
        if not isinstance(value, dict):
            out.append(_invalid(api, path, prop, value))
            return value
        return _check_object(api, doc, prop["$ref"], value, path, out)
    kind = prop.get("type")
    if kind == "any":
        return value
    if kind == "array":
        if not isinstance(value, list):
            out.append(_invalid(api, path, prop, value))
            return value
        items = prop.get("items", {})
        return [_check(api, doc, items, item, f"{path}[{i}]", out) for i, item in enumerate(value)]
    if kind == "object":
        if not isinstance(value, dict):
            out.append(_invalid(api, path, prop, value))
            return value
        extra = prop.get("additionalProperties")
        if extra:
            return {key: _check(api, doc, extra, item, f"{path}[{key}]", out) for key, item in value.items()}
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            out.append(_invalid(api, path, prop, value))
        return value
    if kind == "integer":
        if not _is_int(value):
            out.append(_invalid(api, path, prop, value))
            return value
        return int(float(value)) if not isinstance(value, int) else value
    if kind == "number":
        ok = (isinstance(value, (int, float)) and not isinstance(value, bool)) or (
            isinstance(value, str) and value in ("NaN", "Infinity", "-Infinity")
        )
        if not ok:
            out.append(_invalid(api, path, prop, value))
        return value
    if kind == "string":
        fmt = prop.get("format")
        if fmt in ("int64", "uint64"):
            if not _is_int(value):
                out.append(_invalid(api, path, prop, value))
            return value
        if isinstance(value, (dict, list)):
            out.append(_invalid(api, path, prop, value))
            return value
        if "enum" in prop:
            if value not in prop["enum"]:
                out.append(_invalid(api, path, prop, value))
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)
    return value


def _check_object(api: str, doc: dict[str, Any], schema_name: str, value: dict[str, Any], path: str, out: list[Violation]) -> dict[str, Any]:
    schema = doc["schemas"][schema_name]
    props = schema.get("properties", {})
    tolerated = TOLERATED.get((api, schema_name), set())
    result: dict[str, Any] = {}
    for key, item in value.items():
        if key in props:
            sub = path + "." + _snake(key) if path else _snake(key)
            result[key] = _check(api, doc, props[key], item, sub, out)
        elif key in tolerated:
            result[key] = item
        else:
            where = f" at '{path}'" if path else ""
            out.append(Violation(path, f'Invalid JSON payload received. Unknown name "{key}"{where}: Cannot find field.'))
    return result


def validate_body(api: str, method_id: str, body: Any) -> Any:
    """Google's 400 when ``body`` does not fit the method's request schema; else the coerced body."""
    doc = load(api)
    if doc is None:
        return body
    method = methods(api).get(method_id)
    if not method or "request" not in method:
        return body
    prefix = BODY_PREFIX.get(method_id, "")
    out: list[Violation] = []
    result = body
    if not isinstance(body, dict):
        shown = json.dumps(body, ensure_ascii=False)
        out.append(Violation(prefix, f"Invalid JSON payload received. Expected an object, got {shown}."))
    else:
        result = _check_object(api, doc, method["request"]["$ref"], body, prefix, out)
    if out:
        raise _to_error(api, out)
    return result


def _to_error(api: str, out: list[Violation]) -> ApiError:
    message = "\n".join(v.message for v in out)
    if api == "drive":
        return drive_error(400, message, "invalid")
    violations = []
    for v in out:
        entry: dict[str, Any] = {"description": v.message}
        if v.path:
            entry = {"field": v.path, "description": v.message}
        violations.append(entry)
    return ApiError(
        400,
        message,
        "INVALID_ARGUMENT",
        [{"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": violations}],
    )


def validate_query(api: str, method_id: str, query: dict[str, list[str]]) -> None:
    """Unknown or ill-typed query parameters of a Sheets method get Google's 400."""
    doc = load(api)
    if doc is None:
        return
    method = methods(api).get(method_id)
    if not method:
        return
    params = dict(doc.get("parameters", {}))
    params.update(method.get("parameters", {}))
    out: list[Violation] = []
    for key, values in query.items():
        spec = params.get(key)
        if spec is None:
            if api == "drive":
                continue  # Drive ignores parameters it does not know
            out.append(
                Violation(
                    "",
                    f'Invalid JSON payload received. Unknown name "{key}": Cannot bind query parameter. '
                    f"Field '{key}' could not be found in request message.",
                )
            )
            continue
        for value in values:
            bad = False
            if spec.get("type") == "boolean":
                bad = value.lower() not in ("true", "false", "1", "0")
            elif spec.get("type") == "integer":
                bad = not _is_int(value)
            elif "enum" in spec:
                bad = value not in spec["enum"]
            if bad:
                label = QUERY_ENUM_TYPES.get(key)
                type_name = f"type.googleapis.com/google.apps.sheets.v4.{label}" if label else (
                    "TYPE_BOOL" if spec.get("type") == "boolean" else "TYPE_INT32" if spec.get("type") == "integer" else "TYPE_ENUM"
                )
                out.append(Violation(_snake(key), f"Invalid value at '{_snake(key)}' ({type_name}), \"{value}\""))
    if out:
        raise _to_error(api, out)
