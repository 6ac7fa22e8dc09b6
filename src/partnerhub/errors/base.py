"""The base of every domain error and its kinds: a stable numeric code, an English message template (the
gettext msgid) and parameters. Adapters map an error's *kind* to their own vocabulary (HTTP status, exit
code) once."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, ClassVar


class ErrorKind(StrEnum):
    """What went wrong, in words every adapter maps once: an HTTP status, a CLI exit code, a page's status."""

    INVALID = "invalid"
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    TOO_LARGE = "too_large"
    THROTTLED = "throttled"
    INTERNAL = "internal"
    UNAVAILABLE = "unavailable"


class DomainError(Exception):
    """Base of every expected business failure."""

    kind: ClassVar[ErrorKind] = ErrorKind.INVALID
    code: ClassVar[int] = 900
    message: ClassVar[str] = "The request is not valid."

    def __init__(self, data: list[dict[str, Any]] | None = None, **params: Any) -> None:
        self.params = params
        self.data = data or []
        super().__init__(self.render())

    def render(self, locale: str = "en") -> str:
        """The message in `locale` with its parameters filled in."""
        from partnerhub.locale import gettext

        return gettext(self.message, locale).format(**self.params)


def all_error_classes() -> list[type[DomainError]]:
    """Every concrete error class, for catalogs and documentation."""
    found: list[type[DomainError]] = []
    stack: list[type[DomainError]] = [DomainError]
    while stack:
        cls = stack.pop()
        found.append(cls)
        stack.extend(cls.__subclasses__())
    return sorted(found, key=lambda c: (c.code, c.__name__))


# --- kinds -------------------------------------------------------------------------------------------


class InvalidInput(DomainError):
    kind = ErrorKind.INVALID
    code = 900
    message = "The request is not valid: {detail}"


class NotFound(DomainError):
    kind = ErrorKind.NOT_FOUND
    code = 600
    message = "{resource} {id} was not found."


class Forbidden(DomainError):
    kind = ErrorKind.FORBIDDEN
    code = 800102
    message = "Your role does not allow this operation: {operation}."

    def render(self, locale: str = "en") -> str:
        """The operation's name is itself a message (locale/it/LC_MESSAGES/operations.po)."""
        from partnerhub.locale import gettext

        params = dict(self.params)
        if isinstance(params.get("operation"), str):
            params["operation"] = gettext(params["operation"], locale)
        return gettext(self.message, locale).format(**params)


class Conflict(DomainError):
    kind = ErrorKind.CONFLICT
    code = 800101
    message = "The request conflicts with existing data."


class InvalidState(DomainError):
    kind = ErrorKind.INVALID
    code = 800091
    message = "This change is not allowed in the current state."


class Unauthenticated(DomainError):
    kind = ErrorKind.UNAUTHENTICATED
    code = 800120
    message = "Sign-in failed: the credentials are missing, wrong, expired or revoked."


__all__ = [
    "Conflict",
    "DomainError",
    "Forbidden",
    "InvalidInput",
    "InvalidState",
    "NotFound",
    "Unauthenticated",
    "all_error_classes",
]
