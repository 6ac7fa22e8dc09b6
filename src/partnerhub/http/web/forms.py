"""Form handling for the pages: read submitted values, check their shape (a field left empty, a number that
is not one), keep what the user typed, and put each message next to its field. Business rules stay in the
services: a domain error is shown beside the field it concerns, or above the form."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData

from partnerhub.errors import DomainError
from partnerhub.http.web.context import WebCtx
from partnerhub.locale import N_

REQUIRED = N_("This field is required.")
NOT_A_NUMBER = N_("Enter a whole number.")
OUT_OF_RANGE = N_("Enter a number from {low} to {high}.")
TOO_LONG = N_("Use at most {limit} characters.")
NOT_A_CHOICE = N_("Choose one of the options.")
FIX_BELOW = N_("Please correct the fields marked below.")


@dataclass
class FormState:
    """What the user typed and what is wrong with it, for re-rendering a form."""

    ctx: WebCtx
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    problem: str | None = None  # a message about the whole form

    @classmethod
    def from_form(cls, ctx: WebCtx, form: FormData) -> FormState:
        values: dict[str, Any] = {}
        for key in form:
            items = [v for v in form.getlist(key) if isinstance(v, str)]
            values[key] = items if len(items) > 1 else (items[0] if items else "")
        return cls(ctx, values)

    @property
    def ok(self) -> bool:
        return not self.errors and self.problem is None

    def fail(self, name: str, msgid: str, **params: Any) -> None:
        self.errors.setdefault(name, self.ctx.t(msgid, **params))

    def text(self, name: str, *, required: bool = True, limit: int = 200) -> str:
        raw = self.values.get(name, "")
        value = str(raw[0] if isinstance(raw, list) else raw).strip()
        if required and not value:
            self.fail(name, REQUIRED)
        elif len(value) > limit:
            self.fail(name, TOO_LONG, limit=limit)
        return value

    def integer(self, name: str, *, low: int, high: int, required: bool = True) -> int | None:
        raw = self.text(name, required=required, limit=12)
        if not raw:
            return None
        try:
            number = int(raw)
        except ValueError:
            self.fail(name, NOT_A_NUMBER)
            return None
        if not low <= number <= high:
            self.fail(name, OUT_OF_RANGE, low=low, high=high)
            return None
        return number

    def choice(self, name: str, options: list[str] | tuple[str, ...], *, required: bool = True) -> str:
        value = self.text(name, required=required)
        if value and value not in options:
            self.fail(name, NOT_A_CHOICE)
        return value

    def many(self, name: str) -> list[str]:
        value = self.values.get(name, [])
        items = value if isinstance(value, list) else ([value] if value else [])
        return [str(v).strip() for v in items if str(v).strip()]

    def checked(self, name: str) -> bool:
        return self.values.get(name) in ("on", "true", "1", "yes")

    def domain_error(self, error: DomainError, *, field_of: dict[type[DomainError], str] | None = None) -> None:
        """Show a service's refusal next to the field it is about (by error class), else above the form."""
        for cls, name in (field_of or {}).items():
            if isinstance(error, cls):
                self.errors[name] = error.render(self.ctx.locale)
                return
        self.problem = error.render(self.ctx.locale)

    def summary(self) -> str | None:
        if self.problem:
            return self.problem
        return self.ctx.t(FIX_BELOW) if self.errors else None
