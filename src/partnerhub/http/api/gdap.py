"""GDAP over HTTP in Microsoft Graph's shape, under /v1/tenantRelationships/delegatedAdminRelationships:
admin relationships (list, `$count`, create, get, patch, delete while created) and the requests made on them
(lockForApproval, approve, reject, terminate; kept and listed). Access assignments and operations live in
`gdap_access`, delegatedAdminCustomers in `gdap_customers`; Graph's query options and links in `graph_odata`."""

from __future__ import annotations

import re
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from partnerhub.clock import utc_now
from partnerhub.customers.schemas import etag_version
from partnerhub.delegated_admin.gdap import (
    create_admin_relationship,
    delete_admin_relationship,
    get_admin_relationship,
    list_admin_relationships,
    request_admin_relationship_action,
    update_admin_relationship,
)
from partnerhub.delegated_admin.history import RequestAction, get_relationship_request, list_relationship_requests
from partnerhub.delegated_admin.models import AdminRelationship
from partnerhub.delegated_admin.queries import customer_name_unscoped
from partnerhub.delegated_admin.schemas import admin_relationship_dict, parse_iso_days, relationship_request_dict
from partnerhub.errors import InvalidInput, StaleEtag
from partnerhub.http.api import openapi_bodies as bodies
from partnerhub.http.api.body import Body
from partnerhub.http.api.context import Ctx, api_router
from partnerhub.http.api.graph_odata import collection, count_response, graph_value, query

router = api_router(tags=["GDAP (Microsoft Graph shape)"])
BASE = "/v1/tenantRelationships/delegatedAdminRelationships"
CONTEXT = "https://graph.microsoft.com/v1.0/$metadata#tenantRelationships/delegatedAdminRelationships"
ACTIONS = tuple(a.value for a in RequestAction)
_FILTER = re.compile(r"^\s*(status|customer/tenantId)\s+eq\s+'([^']{1,64})'\s*$", re.IGNORECASE)


def _relationship(session: Session, rel: AdminRelationship) -> dict[str, Any]:
    out: dict[str, Any] = graph_value(
        admin_relationship_dict(rel, customer_name=customer_name_unscoped(session, rel.customer_id), now=utc_now())
    )
    return out


def _durations(b: Body, name: str) -> int | None:
    """A duration in whole days: ISO 8601 (`P730D`, `PT0S`), a Python timedelta as the Graph SDK writes it
    (`730 days, 0:00:00`), or a number of days; the error names the field."""
    value = b.raw(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int) or (isinstance(value, str) and len(value) > 32):
        raise InvalidInput(
            data=[{"field": b.field(name), "message": "must be an ISO 8601 duration such as P730D"}],
            detail=f"{b.field(name)}: must be an ISO 8601 duration such as P730D",
        )
    try:
        return parse_iso_days(value)
    except InvalidInput as exc:
        raise InvalidInput(
            data=[{"field": b.field(name), "message": "must be an ISO 8601 duration such as P730D"}],
            detail=f"{b.field(name)}: {exc.params.get('detail', '')}",
        ) from None


def role_ids(b: Body, *, required: bool) -> list[str] | None:
    """`accessDetails.unifiedRoles[].roleDefinitionId`: role template ids (or names)."""
    details = b.obj("accessDetails", required=required)
    if details is None:
        return None
    roles = details.objects("unifiedRoles", required=True, max_items=100)
    return [r.text("roleDefinitionId", required=True, max_length=100) or "" for r in roles]


def _filters(raw: str | None) -> dict[str, str]:
    """Graph's `$filter`, as far as we support it: `status eq '...'` and `customer/tenantId eq '...'`,
    joined by `and`."""
    found: dict[str, str] = {}
    if not raw:
        return found
    for part in re.split(r"\s+and\s+", raw.strip(), flags=re.IGNORECASE):
        match = _FILTER.match(part)
        if match is None:
            raise InvalidInput(
                data=[{"field": "$filter", "message": "unsupported filter"}],
                detail="$filter: only status eq '...' and customer/tenantId eq '...' are supported",
            )
        found[match.group(1).lower()] = match.group(2)
    return found


def _listed(request: Request, ctx: Ctx) -> list[AdminRelationship]:
    filters = _filters(query(request, "$filter"))
    return list_admin_relationships(
        ctx.session, ctx.actor, customer_id=filters.get("customer/tenantid"), status=filters.get("status")
    )


@router.get(BASE.removeprefix("/v1"))
def get_admin_relationships(request: Request, ctx: Ctx) -> Response:
    """The partner's admin relationships (Global admin, Admin agent), or every partner's in the tenant of a
    customer's Global admin: `{value, @odata.count?, @odata.nextLink?}`; `$top`, `$skip`, `$count`, `$select`,
    `$filter` on status and customer; the next link is absolute."""
    rels = _listed(request, ctx)
    items = [_relationship(ctx.session, r) for r in rels]
    return ctx.respond(200, collection(request, items, context=CONTEXT, kind="gdap", filters=True))


@router.get(BASE.removeprefix("/v1") + "/$count", response_class=Response)
def count_admin_relationships(request: Request, ctx: Ctx) -> Response:
    """How many admin relationships the listing holds (`$filter` as there), as plain text."""
    return count_response(request, len(_listed(request, ctx)), filters=True)


@router.post(BASE.removeprefix("/v1"), status_code=201, openapi_extra=bodies.CREATE_ADMIN_RELATIONSHIP)
def post_admin_relationship(ctx: Ctx) -> Response:
    """Draft an admin relationship (status `created`): `displayName`, `duration` (`P730D`), `customer{tenantId}`,
    `accessDetails{unifiedRoles: [{roleDefinitionId}]}`, `autoExtendDuration` (`P180D` or `PT0S`)."""
    b = ctx.body()
    customer = b.obj("customer", required=True)
    assert customer is not None
    customer_id = customer.text("tenantId", required=True, max_length=64) or ""
    name = b.text("displayName", required=True, max_length=50) or ""
    duration = _durations(b, "duration")
    auto_extend = _durations(b, "autoExtendDuration")
    roles = role_ids(b, required=True) or []
    session = ctx.session
    rel = create_admin_relationship(
        session,
        ctx.actor,
        customer_id=customer_id,
        display_name=name,
        role_ids=roles,
        duration_days=730 if duration is None else duration,
        auto_extend_days=auto_extend or 0,
    )
    session.flush()
    body = {"@odata.context": f"{CONTEXT}/$entity", **_relationship(session, rel)}
    return ctx.respond(201, body)


@router.get(BASE.removeprefix("/v1") + "/{relationship_id}")
def get_one_admin_relationship(relationship_id: str, ctx: Ctx) -> Response:
    session = ctx.session
    rel = get_admin_relationship(session, ctx.actor, admin_relationship_id=relationship_id)
    body = {"@odata.context": f"{CONTEXT}/$entity", **_relationship(session, rel)}
    return ctx.respond(200, body)


@router.patch(BASE.removeprefix("/v1") + "/{relationship_id}", openapi_extra=bodies.UPDATE_ADMIN_RELATIONSHIP)
def patch_admin_relationship(relationship_id: str, request: Request, ctx: Ctx) -> Response:
    """Change a relationship as Graph allows (while created: displayName, duration, roles, autoExtendDuration;
    once active: autoExtendDuration). `If-Match` (else `@odata.etag`) names the version the client read: a stale
    one is refused (2055); unchanged and read-only fields are ignored."""
    b = ctx.body()
    etag = request.headers.get("if-match") or b.text("@odata.etag", max_length=500)
    name = b.text("displayName", max_length=50)
    duration = _durations(b, "duration")
    auto_extend = _durations(b, "autoExtendDuration")
    roles = role_ids(b, required=False)
    session = ctx.session
    current = get_admin_relationship(session, ctx.actor, admin_relationship_id=relationship_id)
    version = etag_version(etag, current.id) if etag is not None else None
    if etag is not None and version is None:
        raise StaleEtag(resource="delegatedAdminRelationship", id=current.id)
    rel = update_admin_relationship(
        session,
        ctx.actor,
        admin_relationship_id=relationship_id,
        display_name=name,
        duration_days=duration,
        role_ids=roles,
        auto_extend_days=auto_extend,
        version=version,
    )
    session.flush()
    body = {"@odata.context": f"{CONTEXT}/$entity", **_relationship(session, rel)}
    return ctx.respond(200, body)


@router.delete(BASE.removeprefix("/v1") + "/{relationship_id}", status_code=204, response_class=Response)
def delete_one_admin_relationship(relationship_id: str, request: Request, ctx: Ctx) -> Response:
    """Delete a relationship still in `created` (Graph's DELETE); `If-Match`, if sent, must be its current etag.
    Answers 204."""
    etag = request.headers.get("if-match")
    session = ctx.session
    current = get_admin_relationship(session, ctx.actor, admin_relationship_id=relationship_id)
    version = etag_version(etag, current.id) if etag is not None else None
    if etag is not None and version is None:
        raise StaleEtag(resource="delegatedAdminRelationship", id=current.id)
    delete_admin_relationship(session, ctx.actor, admin_relationship_id=relationship_id, version=version)
    return Response(status_code=204)


def _requests_context(relationship_id: str) -> str:
    return f"{CONTEXT}('{relationship_id}')/requests"


@router.post(
    BASE.removeprefix("/v1") + "/{relationship_id}/requests",
    status_code=201,
    openapi_extra=bodies.ADMIN_RELATIONSHIP_REQUEST,
)
def post_relationship_request(relationship_id: str, ctx: Ctx) -> Response:
    """`{"action": ...}`: `lockForApproval` (the partner sends a created relationship to the customer),
    `approve` or `reject` (the customer's Global admin with its own token — a partnerhub extension: in
    Microsoft's world the customer approves in the admin center), `terminate` (either side). The request is
    kept: `GET .../requests` lists it."""
    b = ctx.body()
    action = b.choice("action", ACTIONS)
    if action is None:
        raise InvalidInput(
            data=[{"field": "action", "message": "is required"}],
            detail=f"action: is required, one of {', '.join(ACTIONS)}",
        )
    session = ctx.session
    rel, kept = request_admin_relationship_action(
        session, ctx.actor, admin_relationship_id=relationship_id, action=RequestAction(action)
    )
    body = {
        "@odata.context": f"{_requests_context(rel.id)}/$entity",
        **graph_value(relationship_request_dict(kept)),
        "delegatedAdminRelationship": _relationship(session, rel),
    }
    return ctx.respond(201, body)


@router.get(BASE.removeprefix("/v1") + "/{relationship_id}/requests")
def get_relationship_requests(relationship_id: str, request: Request, ctx: Ctx) -> Response:
    """The requests made on the relationship, oldest first, as they happened."""
    kept = list_relationship_requests(ctx.session, ctx.actor, admin_relationship_id=relationship_id)
    items = [relationship_request_dict(r) for r in kept]
    return ctx.respond(
        200, collection(request, items, context=_requests_context(relationship_id), kind="gdap-requests")
    )


@router.get(BASE.removeprefix("/v1") + "/{relationship_id}/requests/$count", response_class=Response)
def count_relationship_requests(relationship_id: str, request: Request, ctx: Ctx) -> Response:
    kept = list_relationship_requests(ctx.session, ctx.actor, admin_relationship_id=relationship_id)
    return count_response(request, len(kept))


@router.get(BASE.removeprefix("/v1") + "/{relationship_id}/requests/{request_id}")
def get_relationship_request_by_id(relationship_id: str, request_id: str, ctx: Ctx) -> Response:
    kept = get_relationship_request(
        ctx.session, ctx.actor, admin_relationship_id=relationship_id, request_id=request_id
    )
    body = {
        "@odata.context": f"{_requests_context(relationship_id)}/$entity",
        **graph_value(relationship_request_dict(kept)),
    }
    return ctx.respond(200, body)
