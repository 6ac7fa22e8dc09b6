"""Small pieces of Partner Center's JSON shared by the routers: links and instants."""

from __future__ import annotations

from typing import Any

from partnerhub.clock import iso_utc


def link(uri: str) -> dict[str, Any]:
    return {"uri": uri, "method": "GET", "headers": []}


iso = iso_utc  # an aware instant as ISO 8601 with a `Z`, as Partner Center writes them
