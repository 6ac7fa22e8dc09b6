"""Parsing the instants users type: ISO 8601, or Partner Center's `M/D/YYYY h:mm:ss AM`."""

from __future__ import annotations

from datetime import UTC, datetime, time

from partnerhub.errors import InvalidInput

_PC_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y")


def parse_instant(value: str, *, end_of_day: bool = False) -> datetime:
    """An aware UTC instant; a bare date means its start (or its end, for the end of a range)."""
    text = value.strip()
    parsed: datetime | None = None
    date_only = len(text) == 10 and text[4:5] == "-"
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        for fmt in _PC_FORMATS:
            try:
                parsed = datetime.strptime(text, fmt)  # noqa: DTZ007  (made UTC just below)
                date_only = fmt == "%m/%d/%Y"
                break
            except ValueError:
                continue
    if parsed is None:
        raise InvalidInput(detail=f"'{value}' is not a date (use 2026-11-24, 2026-11-24T10:00:00Z or 11/24/2026)")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    if date_only and end_of_day:
        parsed = datetime.combine(parsed.date(), time.max, tzinfo=UTC)
    return parsed.astimezone(UTC)
