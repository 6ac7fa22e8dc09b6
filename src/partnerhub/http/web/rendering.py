"""Templates: one Jinja2 environment (autoescaped), `_()` translating into the page's language, and filters
that format dates and numbers the way the page's language writes them."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import UTC, datetime
from functools import cache
from typing import Any

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from partnerhub.locale import N_, gettext

_page_locale: ContextVar[str] = ContextVar("page_locale", default="en")
BABEL_LOCALE = {"en": "en_GB", "it": "it_IT"}


def translate(msgid: str, /, **params: Any) -> str:
    """`_("Customers")`, `_("{count} customers", count=n)`: the page language's wording, filled in."""
    text = gettext(msgid, _page_locale.get())
    return text.format(**params) if params else text


def _babel_locale() -> str:
    return BABEL_LOCALE.get(_page_locale.get(), "en_GB")


def format_when(value: datetime | None, style: str = "medium") -> str:
    return "" if value is None else format_datetime(value, format=style, tzinfo=UTC, locale=_babel_locale())


def format_day(value: datetime | None, style: str = "medium") -> str:
    return "" if value is None else format_date(value, format=style, locale=_babel_locale())


def format_number(value: int | float | None) -> str:
    return "" if value is None else format_decimal(value, locale=_babel_locale())


# Statuses as the pages say them (subscriptions, relationship requests, GDAP relationships, jobs).
STATUS_LABELS = {
    "active": N_("Active"),
    "suspended": N_("Suspended"),
    "pending": N_("Pending"),
    "expired": N_("Expired"),
    "expiring": N_("Expiring"),
    "disabled": N_("Disabled"),
    "deleted": N_("Deleted"),
    "removed": N_("Removed"),
    "sent": N_("Sent"),
    "accepted": N_("Accepted"),
    "declined": N_("Declined"),
    "revoked": N_("Revoked"),
    "created": N_("Created"),
    "approvalpending": N_("Approval pending"),
    "approvalPending": N_("Approval pending"),
    "terminationrequested": N_("Termination requested"),
    "terminationRequested": N_("Termination requested"),
    "terminated": N_("Terminated"),
    "rejected": N_("Rejected"),
    "invited": N_("Invited"),
    "ended": N_("Ended"),
    "queued": N_("Queued"),
    "running": N_("Running"),
    "succeeded": N_("Succeeded"),
    "failed": N_("Failed"),
    "cancelled": N_("Cancelled"),
    "done": N_("Done"),
    "skipped": N_("Skipped"),
}
TERM_LABELS = {"P1M": N_("1 month"), "P1Y": N_("1 year"), "P3Y": N_("3 years")}
BILLING_LABELS = {
    "monthly": N_("Monthly"),
    "annual": N_("Annual"),
    "triennial": N_("Every three years"),
    "none": N_("None"),
    "onetime": N_("One time"),
    "one_time": N_("One time"),
}
UNIT_LABELS = {
    "licenses": N_("licenses"),
    "usage-based": N_("usage-based"),
    "software": N_("software"),
    "reservation": N_("reservation"),
}
LANGUAGES = (("en", "English"), ("it", "Italiano"))  # each language named in itself


def status_label(status: str | None) -> str:
    if not status:
        return ""
    msgid = STATUS_LABELS.get(status) or STATUS_LABELS.get(status.lower())
    return translate(msgid) if msgid else status


def term_label(term: str | None) -> str:
    msgid = TERM_LABELS.get((term or "").upper())
    return translate(msgid) if msgid else (term or "")


def billing_label(cycle: str | None) -> str:
    msgid = BILLING_LABELS.get((cycle or "").lower())
    return translate(msgid) if msgid else (cycle or "")


def unit_label(unit: str | None) -> str:
    msgid = UNIT_LABELS.get((unit or "").lower())
    return translate(msgid) if msgid else (unit or "")


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("partnerhub.http.web", "templates"),
        autoescape=select_autoescape(["html"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["_"] = translate
    env.globals["status_label"] = status_label
    env.globals["languages"] = LANGUAGES
    env.globals["term_label"] = term_label
    env.globals["billing_label"] = billing_label
    env.globals["unit_label"] = unit_label
    env.filters["when"] = format_when
    env.filters["day"] = format_day
    env.filters["number"] = format_number
    return env


def render_template(name: str, locale: str, context: dict[str, Any]) -> str:
    """Render `name` with every `_()`, date and number in `locale`."""
    token = _page_locale.set(locale)
    try:
        return environment().get_template(name).render(context)
    finally:
        _page_locale.reset(token)
