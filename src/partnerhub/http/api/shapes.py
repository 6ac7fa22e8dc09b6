"""Small pieces of Partner Center's JSON shared by the routers: links and instants."""

from __future__ import annotations

from datetime import datetime
from typing import Any


def link(uri: str) -> dict[str, Any]:
    return {"uri": uri, "method": "GET", "headers": []}


def iso(value: datetime | None) -> str | None:
    """An aware instant as ISO 8601 with a `Z`, as Partner Center writes them."""
    return value.isoformat().replace("+00:00", "Z") if value is not None else None
