"""(being built) Pages of this area."""

from __future__ import annotations

from fastapi import APIRouter

from partnerhub.http.web.errors import WebRoute

router = APIRouter(route_class=WebRoute, include_in_schema=False)
