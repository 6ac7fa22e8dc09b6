"""Partner Center's swagger 2.0 files (read from `<repo root>/../shared/reference`, never copied) turned into
JSON Schema validators for the responses of the operations partnerhub serves at the same path.

The translation keeps the swagger's meaning and corrects only its known slips, each named here:
- string enums labelled `"type": "integer"` (DOMAIN.md §6) are validated as strings;
- `System.Security.SecureString` (the customer admin's password) is an object in the swagger, a string in
  every answer of Partner Center's REST reference (create-a-customer), so a string;
- Partner Center answers `null` for optional properties it has no value for (remove-a-reseller-relationship
  example), so optional properties may be null; required ones may not;
- enums whose vocabulary partnerhub extends on purpose (its activity log records operations Partner Center's
  swagger does not list, e.g. `suspend_subscription`) are validated as strings: EXTENDED_ENUMS.
Properties the swagger does not define are allowed (swagger 2.0's default), so our additions pass."""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator, FormatChecker, ValidationError

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "reference"
SWAGGER_FILES = ("partner-center-swagger-CustomerService.json", "partner-center-swagger-AuditService.json")
HTTP_METHODS = ("get", "post", "put", "patch", "delete")
SECURE_STRING = "System.Security.SecureString"
EXTENDED_ENUMS = {("AuditRecord", "resourceType"), ("AuditRecord", "operationType")}

format_checker = FormatChecker()


@format_checker.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    """ISO 8601 with a time zone (`2024-01-31T10:00:00Z`), as Partner Center writes instants."""
    if not isinstance(value, str):
        return True
    parsed = datetime.fromisoformat(value)
    return "T" in value and parsed.tzinfo is not None


def normalize_path(path: str) -> str:
    """`/v{version}/customers/{customer_id}` and `/v1/customers/{id}` both become `/v1/customers/{}`."""
    return re.sub(r"\{[^}]*\}", "{}", path.replace("/v{version}/", "/v1/"))


def _translate(node: Any, definition: str = "", prop: str = "") -> Any:
    if isinstance(node, list):
        return [_translate(v, definition, prop) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _translate(v, definition, prop) for k, v in node.items() if k not in ("properties", "format")}
    if "format" in node and node["format"] in ("date-time",):
        out["format"] = node["format"]
    if "enum" in node and node.get("type") == "integer" and all(isinstance(v, str) for v in node["enum"]):
        out["type"] = "string"
        if (definition, prop) in EXTENDED_ENUMS:
            del out["enum"]
    if isinstance(node.get("properties"), dict):
        required = set(node.get("required", []))
        props = {}
        for name, schema in node["properties"].items():
            translated = _translate(schema, definition, name)
            props[name] = translated if name in required else {"anyOf": [{"type": "null"}, translated]}
        out["properties"] = props
    return out


def _definitions(swagger: dict[str, Any]) -> dict[str, Any]:
    defs = {name: _translate(schema, name) for name, schema in swagger.get("definitions", {}).items()}
    if SECURE_STRING in defs:
        defs[SECURE_STRING] = {"type": "string"}
    return defs


@cache
def _documents() -> tuple[dict[str, Any], ...]:
    return tuple(json.loads((REFERENCE / name).read_text()) for name in SWAGGER_FILES)


@cache
def operations() -> dict[tuple[str, str], dict[str, Any]]:
    """Every (METHOD, normalized path) the swagger files define, with its success response schema (or {})."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for doc in _documents():
        defs = _definitions(doc)
        for path, item in doc["paths"].items():
            for method, op in item.items():
                if method not in HTTP_METHODS:
                    continue
                responses = op.get("responses", {})
                ok = next((responses[s]["schema"] for s in ("200", "201") if "schema" in responses.get(s, {})), None)
                schema = {"allOf": [_translate(ok)], "definitions": defs} if ok is not None else {}
                found[(method.upper(), normalize_path(path))] = schema
    return found


def validator(method: str, path: str) -> Draft7Validator:
    schema = operations()[(method, normalize_path(path))]
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema, format_checker=format_checker)


def _leaves(error: ValidationError) -> list[ValidationError]:
    """The precise failures under an `anyOf` (the null branch of an optional property left out)."""
    if not error.context:
        return [error]
    return [leaf for e in error.context if e.validator != "type" or e.validator_value != "null" for leaf in _leaves(e)]


def problems(method: str, path: str, body: Any) -> list[str]:
    """Every way `body` departs from the swagger's success schema of the operation, as readable lines."""
    return [
        f"{'/'.join(str(p) for p in e.absolute_path) or '<root>'}: {e.message[:200]}"
        for error in validator(method, path).iter_errors(body)
        for e in _leaves(error)
    ]
