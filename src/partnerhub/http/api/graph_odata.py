"""Microsoft Graph's OData conventions for the GDAP collections: `$top`, `$skip`, `$skiptoken` (signed),
`$count` (as a query option and as the `/$count` segment), `$select`, and `@odata.nextLink` written as Graph
writes it, absolute and percent-encoded, so that the Graph SDK's PageIterator follows it.

The link's base is the configured public URL (PARTNERHUB_BASE_URL) when one is set, else the scheme and host
the request came with. Behind a reverse proxy the scheme is the one a trusted proxy forwarded (`partnerhub
serve` believes X-Forwarded-Proto only from PARTNERHUB_TRUSTED_PROXIES); no forwarded host is ever believed,
so set PARTNERHUB_BASE_URL where the proxy does not pass the original Host."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response

from partnerhub.errors import InvalidInput
from partnerhub.http.api.paging import ContinuationTokens
from partnerhub.http.api.shapes import iso

DEFAULT_TOP = 100
MAX_TOP = 500
UNSUPPORTED = ("$orderby", "$search", "$expand", "$levels", "$apply", "$compute", "$format")
_SELECT = re.compile(r"^[A-Za-z][A-Za-z0-9@.]{0,63}$")


def graph_value(value: Any) -> Any:
    """Graph's JSON: instants as ISO 8601 with a `Z`."""
    if isinstance(value, dict):
        return {k: graph_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [graph_value(v) for v in value]
    if isinstance(value, datetime):
        return iso(value)
    return value


def query(request: Request, name: str) -> str | None:
    """A query option by name, in any case (`$TOP` = `$top`)."""
    return next((v for k, v in request.query_params.multi_items() if k.lower() == name.lower()), None)


def _invalid(option: str, problem: str) -> InvalidInput:
    return InvalidInput(data=[{"field": option, "message": problem}], detail=f"{option}: {problem}")


def _whole(request: Request, option: str, *, default: int, low: int, high: int) -> int:
    value = query(request, option)
    if value is None or not value.strip():
        return default
    text = value.strip()
    if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
        raise _invalid(option, f"must be a whole number between {low} and {high}")
    return int(text)


def wants_count(request: Request) -> bool:
    value = query(request, "$count")
    if value is None:
        return False
    if value.strip().lower() not in ("true", "false"):
        raise _invalid("$count", "must be true or false")
    return value.strip().lower() == "true"


def refuse_unsupported(request: Request, *, filters: bool) -> None:
    """Query options partnerhub does not implement are refused, never silently ignored."""
    names = [k.lower() for k, _ in request.query_params.multi_items()]
    for option in UNSUPPORTED + (() if filters else ("$filter",)):
        if option in names:
            raise _invalid(option, "is not supported on this collection")


def _selected(request: Request) -> Callable[[dict[str, Any]], dict[str, Any]]:
    raw = query(request, "$select")
    if raw is None or not raw.strip():
        return lambda item: item
    names = {n.strip().lower() for n in raw.split(",")}
    if not all(_SELECT.match(n) for n in names):
        raise _invalid("$select", "must be property names separated by commas")
    return lambda item: {k: v for k, v in item.items() if k.startswith("@odata.") or k == "id" or k.lower() in names}


def public_base(request: Request) -> str:
    """The address clients reach partnerhub at: PARTNERHUB_BASE_URL when configured, else the request's own
    scheme and host (see the module's docstring for proxies)."""
    settings = request.app.state.runtime.settings
    if "base_url" in settings.model_fields_set and settings.base_url.strip():
        return str(settings.base_url).strip().rstrip("/")
    return f"{request.url.scheme}://{request.url.netloc}"


def absolute_link(request: Request, params: Sequence[tuple[str, str]]) -> str:
    """The request's own address, absolute, with `params` percent-encoded (`$` kept, as Graph writes it)."""
    query_text = "&".join(f"{quote(k, safe='$')}={quote(v, safe='')}" for k, v in params)
    return f"{public_base(request)}{quote(request.url.path, safe='/$')}" + (f"?{query_text}" if query_text else "")


def collection(
    request: Request, items: list[dict[str, Any]], *, context: str, kind: str, filters: bool = False
) -> dict[str, Any]:
    """One page of a Graph collection: `{@odata.context, @odata.count?, value, @odata.nextLink?}`.

    `items` is the whole (filtered) collection in its order; the page starts at `$skiptoken` (a signed
    position bound to `kind`) or `$skip`, and holds at most `$top` items."""
    refuse_unsupported(request, filters=filters)
    top = _whole(request, "$top", default=DEFAULT_TOP, low=1, high=MAX_TOP)
    start = _whole(request, "$skip", default=0, low=0, high=10**9)
    tokens: ContinuationTokens = request.app.state.continuation_tokens
    skip_token = query(request, "$skiptoken")
    if skip_token:
        start = int(tokens.verify(kind, skip_token, 1)[0])
    select = _selected(request)
    body: dict[str, Any] = {"@odata.context": context}
    if wants_count(request):
        body["@odata.count"] = len(items)
    body["value"] = [select(graph_value(item)) for item in items[start : start + top]]
    if start + top < len(items):
        kept = [
            (k, v) for k, v in request.query_params.multi_items() if k.lower() not in ("$skiptoken", "$skip", "$top")
        ]
        body["@odata.nextLink"] = absolute_link(
            request, [*kept, ("$top", str(top)), ("$skiptoken", tokens.sign(kind, [str(start + top)]))]
        )
    return body


def count_response(request: Request, count: int, *, filters: bool = False) -> Response:
    """The `/$count` segment: the number as plain text, as Graph answers it."""
    refuse_unsupported(request, filters=filters)
    return Response(str(count), media_type="text/plain")
