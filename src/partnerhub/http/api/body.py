"""Reading request bodies the way Partner Center clients write them: trailing commas tolerated, property
names matched case-insensitively at every depth, enum values case-insensitive; errors name the field."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from partnerhub.errors import InvalidInput


def strip_trailing_commas(text: str) -> str:
    """Drop each comma that is followed (after whitespace) by `}` or `]`; commas inside strings stay."""
    out: list[str] = []
    in_string = escaped = False
    n = len(text)
    for i, ch in enumerate(text):
        if in_string:
            out.append(ch)
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
            continue
        if ch == '"':
            in_string = True
        elif ch == ",":
            j = i + 1
            while j < n and text[j] in " \t\r\n":
                j += 1
            if j < n and text[j] in "}]":
                continue
        out.append(ch)
    return "".join(out)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


MAX_DEPTH = 32  # no Partner Center body nests more than a few levels


def _too_deep() -> InvalidInput:
    return InvalidInput(detail=f"the body is nested too deep: at most {MAX_DEPTH} levels of objects and lists")


def check_json_value(value: Any, path: str = "") -> None:
    """Refuse what parsed but cannot be stored or answered: nesting deeper than MAX_DEPTH, and strings that
    are not valid Unicode text (a lone surrogate such as "\\ud800" is valid JSON but cannot be written as
    UTF-8). Walks the value with its own stack, never with recursion, naming the offending field."""
    stack: list[tuple[Any, str, int]] = [(value, path, 1)]
    while stack:
        item, where, depth = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                field = where or "body"
                raise InvalidInput(
                    data=[{"field": field, "message": "is not valid Unicode text"}],
                    detail=f"{field}: is not valid Unicode text",
                ) from None
        elif isinstance(item, dict | list):
            if depth > MAX_DEPTH:
                raise _too_deep()
            pairs = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in pairs:
                if isinstance(key, str):
                    check_json_value(key, where)  # a key is text too (depth 1: no nesting)
                    child_path = f"{where}.{key}" if where else key
                else:
                    child_path = f"{where}[{key}]"
                stack.append((child, child_path, depth + 1))


def parse_json(raw: bytes) -> Any:
    """Parse a request body; anything but well-formed JSON (give or take trailing commas) is a 400, and so
    is JSON nested deeper than MAX_DEPTH or holding text that is not valid Unicode."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(detail="the body is not UTF-8 text") from None
    try:
        value = json.loads(strip_trailing_commas(text), parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            detail=f"the body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except RecursionError:
        raise _too_deep() from None
    except ValueError as exc:
        raise InvalidInput(detail=f"the body is not valid JSON: {exc}") from None
    check_json_value(value)
    return value


class Body:
    """A JSON object whose properties are looked up case-insensitively; each accessor validates the type
    and names the offending field by its full path (`billingProfile.defaultAddress.country`)."""

    def __init__(self, data: dict[str, Any], path: str = "") -> None:
        self._data = {str(k).lower(): v for k, v in data.items()}
        self._path = path

    @classmethod
    def parse(cls, raw: bytes) -> Body:
        if not raw.strip():
            raise InvalidInput(detail="a JSON object is required as the body")
        value = parse_json(raw)
        if not isinstance(value, dict):
            raise InvalidInput(detail="the body must be a JSON object")
        return cls(value)

    def field(self, name: str) -> str:
        return f"{self._path}.{name}" if self._path else name

    def _invalid(self, name: str, problem: str) -> InvalidInput:
        return InvalidInput(
            data=[{"field": self.field(name), "message": problem}], detail=f"{self.field(name)}: {problem}"
        )

    def has(self, name: str) -> bool:
        return self._data.get(name.lower()) is not None

    def raw(self, name: str) -> Any:
        return self._data.get(name.lower())

    def obj(self, name: str, *, required: bool = False) -> Body | None:
        value = self.raw(name)
        if value is None:
            if required:
                raise self._invalid(name, "is required")
            return None
        if not isinstance(value, dict):
            raise self._invalid(name, "must be an object")
        return Body(value, self.field(name))

    def objects(self, name: str, *, required: bool = False, max_items: int = 100) -> list[Body]:
        value = self.raw(name)
        if value is None:
            if required:
                raise self._invalid(name, "is required")
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self._invalid(name, "must be a list of objects")
        if len(value) > max_items:
            raise self._invalid(name, f"has at most {max_items} items")
        return [Body(v, f"{self.field(name)}[{i}]") for i, v in enumerate(value)]

    def text(self, name: str, *, required: bool = False, max_length: int = 200, min_length: int = 0) -> str | None:
        value = self.raw(name)
        if value is None:
            if required:
                raise self._invalid(name, "is required")
            return None
        if not isinstance(value, str):
            raise self._invalid(name, "must be a string")
        if "\x00" in value:  # PostgreSQL refuses NUL in text (a 500 there before this check)
            raise self._invalid(name, "must not contain NUL characters")
        if required and not value.strip():
            raise self._invalid(name, "is required")
        if len(value) > max_length:
            raise self._invalid(name, f"is at most {max_length} characters long")
        if len(value.strip()) < min_length:
            raise self._invalid(name, f"is at least {min_length} characters long")
        return value

    def integer(self, name: str, *, minimum: int | None = None, maximum: int | None = None) -> int | None:
        value = self.raw(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise self._invalid(name, "must be a whole number")
        try:
            number = int(value)
        except ValueError:
            raise self._invalid(name, "must be a whole number") from None
        if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
            raise self._invalid(name, f"must be between {minimum} and {maximum}")
        return number

    def boolean(self, name: str) -> bool | None:
        value = self.raw(name)
        if value is None:
            return None
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        raise self._invalid(name, "must be true or false")

    def choice(self, name: str, allowed: Iterable[str]) -> str | None:
        """An enum value matched case-insensitively; returns it in the allowed spelling."""
        value = self.text(name, max_length=100)
        if value is None:
            return None
        options = {a.lower(): a for a in allowed}
        found = options.get(value.strip().lower())
        if found is None:
            raise self._invalid(name, f"must be one of: {', '.join(options.values())}")
        return found

    def etag(self) -> str | None:
        """`attributes.etag`, the concurrency token clients send in the body when they send no If-Match."""
        attributes = self.obj("attributes")
        return attributes.text("etag", max_length=500) if attributes else None
