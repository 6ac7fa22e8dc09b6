"""GDAP over HTTP in Microsoft Graph's shape, under /v1/tenantRelationships/delegatedAdminRelationships:
admin relationships, their requests (lockForApproval, approve, reject, terminate) and access assignments."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from partnerhub.clock import utc_now
from partnerhub.customers.schemas import etag_version
from partnerhub.delegated_admin.access import (
    AccessAssignmentView,
    create_access_assignment,
    delete_access_assignment,
    list_access_assignments,
    update_access_assignment,
)
from partnerhub.delegated_admin.gdap import (
    approve_admin_relationship,
    create_admin_relationship,
    get_admin_relationship,
    list_admin_relationships,
    lock_for_approval,
    reject_admin_relationship,
    terminate_admin_relationship,
    update_admin_relationship,
)
from partnerhub.delegated_admin.models import AdminRelationship
from partnerhub.delegated_admin.queries import customer_name_unscoped
from partnerhub.delegated_admin.schemas import access_assignment_dict, admin_relationship_dict, parse_iso_days
from partnerhub.errors import AccessAssignmentNotFound, InvalidInput, StaleEtag
from partnerhub.http.api import openapi_bodies as bodies
from partnerhub.http.api.body import Body
from partnerhub.http.api.context import Ctx, api_router
from partnerhub.http.api.paging import ContinuationTokens
from partnerhub.http.api.shapes import iso
from partnerhub.ids import new_id, normalize_id

router = api_router(tags=["GDAP (Microsoft Graph shape)"])
BASE = "/v1/tenantRelationships/delegatedAdminRelationships"
CONTEXT = "https://graph.microsoft.com/v1.0/$metadata#tenantRelationships/delegatedAdminRelationships"
ACTIONS = ("lockForApproval", "approve", "reject", "terminate")
MAX_TOP = 500
_FILTER = re.compile(r"^\s*(status|customer/tenantId)\s+eq\s+'([^']{1,64})'\s*$", re.IGNORECASE)


def _graph(value: Any) -> Any:
    """Graph's JSON: instants as ISO 8601 with a `Z`."""
    if isinstance(value, dict):
        return {k: _graph(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_graph(v) for v in value]
    if isinstance(value, datetime):
        return iso(value)
    return value


def _relationship(session: Session, rel: AdminRelationship) -> dict[str, Any]:
    out: dict[str, Any] = _graph(
        admin_relationship_dict(rel, customer_name=customer_name_unscoped(session, rel.customer_id), now=utc_now())
    )
    return out


def _assignment(view: AccessAssignmentView) -> dict[str, Any]:
    out: dict[str, Any] = _graph(access_assignment_dict(view.assignment, group_name=view.group_name))
    return out


def _durations(b: Body, name: str) -> int | None:
    """An ISO 8601 duration in days (`P730D`, `PT0S`) or a number of days; the error names the field."""
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


def _role_ids(b: Body, *, required: bool) -> list[str] | None:
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


def _query(request: Request, name: str) -> str | None:
    return next((v for k, v in request.query_params.multi_items() if k.lower() == name.lower()), None)


def _top(request: Request) -> int:
    value = _query(request, "$top")
    if value is None or not value.strip():
        return 100
    if not value.strip().isdigit() or not 1 <= int(value) <= MAX_TOP:
        raise InvalidInput(
            data=[{"field": "$top", "message": f"must be between 1 and {MAX_TOP}"}],
            detail=f"$top: must be a whole number between 1 and {MAX_TOP}",
        )
    return int(value)


@router.get(BASE.removeprefix("/v1"))
def get_admin_relationships(request: Request, ctx: Ctx) -> Response:
    """The partner's admin relationships (Global admin, Admin agent), or every partner's in the tenant of a
    customer's Global admin: `{value, @odata.nextLink?}`; `$top`, `$filter` on status and customer."""
    filters = _filters(_query(request, "$filter"))
    top = _top(request)
    tokens: ContinuationTokens = request.app.state.continuation_tokens
    skip_token = _query(request, "$skiptoken")
    start = int(tokens.verify("gdap", skip_token, 1)[0]) if skip_token else 0
    session = ctx.session
    rels = list_admin_relationships(
        session, ctx.actor, customer_id=filters.get("customer/tenantid"), status=filters.get("status")
    )
    value = [_relationship(session, r) for r in rels[start : start + top]]
    body: dict[str, Any] = {"@odata.context": CONTEXT, "value": value}
    if start + top < len(rels):
        params = [f"$top={top}"] + ([f"$filter={_query(request, '$filter')}"] if filters else [])
        params.append(f"$skiptoken={tokens.sign('gdap', [str(start + top)])}")
        body["@odata.nextLink"] = f"{BASE}?{'&'.join(params)}"
    return ctx.respond(200, body)


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
    roles = _role_ids(b, required=True) or []
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
    roles = _role_ids(b, required=False)
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


@router.post(
    BASE.removeprefix("/v1") + "/{relationship_id}/requests",
    status_code=201,
    openapi_extra=bodies.ADMIN_RELATIONSHIP_REQUEST,
)
def post_relationship_request(relationship_id: str, ctx: Ctx) -> Response:
    """`{"action": ...}`: `lockForApproval` (the partner sends a created relationship to the customer),
    `approve` or `reject` (the customer's Global admin with its own token — a partnerhub extension: in
    Microsoft's world the customer approves in the admin center), `terminate` (either side)."""
    b = ctx.body()
    action = b.choice("action", ACTIONS)
    if action is None:
        raise InvalidInput(
            data=[{"field": "action", "message": "is required"}],
            detail=f"action: is required, one of {', '.join(ACTIONS)}",
        )
    operations = {
        "lockForApproval": lock_for_approval,
        "approve": approve_admin_relationship,
        "reject": reject_admin_relationship,
        "terminate": terminate_admin_relationship,
    }
    session = ctx.session
    rel = operations[action](session, ctx.actor, admin_relationship_id=relationship_id)
    session.flush()
    now = iso(utc_now())
    body = {
        "@odata.context": f"{CONTEXT}('{rel.id}')/requests/$entity",
        "@odata.type": "#microsoft.graph.delegatedAdminRelationshipRequest",
        "id": new_id(),
        "action": action,
        "status": "succeeded",
        "createdDateTime": now,
        "lastModifiedDateTime": now,
        "delegatedAdminRelationship": _relationship(session, rel),
    }
    return ctx.respond(201, body)


# --- access assignments ---------------------------------------------------------------------------------


def _assignment_in(session: Session, ctx: Ctx, relationship_id: str, assignment_id: str) -> AccessAssignmentView:
    """A live assignment of the relationship in the path (one of another relationship is not found here)."""
    for view in list_access_assignments(session, ctx.actor, admin_relationship_id=relationship_id):
        if view.assignment.id == normalize_id(assignment_id):
            return view
    raise AccessAssignmentNotFound(id=assignment_id)


def _assignments_context(relationship_id: str) -> str:
    return f"{CONTEXT}('{relationship_id}')/accessAssignments"


@router.get(BASE.removeprefix("/v1") + "/{relationship_id}/accessAssignments")
def get_access_assignments(relationship_id: str, ctx: Ctx) -> Response:
    session = ctx.session
    views = list_access_assignments(session, ctx.actor, admin_relationship_id=relationship_id)
    body = {"@odata.context": _assignments_context(relationship_id), "value": [_assignment(v) for v in views]}
    return ctx.respond(200, body)


@router.post(
    BASE.removeprefix("/v1") + "/{relationship_id}/accessAssignments",
    status_code=201,
    openapi_extra=bodies.CREATE_ACCESS_ASSIGNMENT,
)
def post_access_assignment(relationship_id: str, ctx: Ctx) -> Response:
    """Give a partner security group (`accessContainer{accessContainerId, accessContainerType:
    "securityGroup"}`) a subset of the relationship's roles (`accessDetails{unifiedRoles}`)."""
    b = ctx.body()
    container = b.obj("accessContainer", required=True)
    assert container is not None
    group_id = container.text("accessContainerId", required=True, max_length=64) or ""
    container.choice("accessContainerType", ("securityGroup",))
    roles = _role_ids(b, required=True) or []
    session = ctx.session
    created = create_access_assignment(
        session, ctx.actor, admin_relationship_id=relationship_id, security_group_id=group_id, role_ids=roles
    )
    body = {
        "@odata.context": f"{_assignments_context(created.admin_relationship_id)}/$entity",
        **_assignment(_assignment_in(session, ctx, relationship_id, created.id)),
    }
    return ctx.respond(201, body)


@router.get(BASE.removeprefix("/v1") + "/{relationship_id}/accessAssignments/{assignment_id}")
def get_access_assignment(relationship_id: str, assignment_id: str, ctx: Ctx) -> Response:
    session = ctx.session
    view = _assignment_in(session, ctx, relationship_id, assignment_id)
    body = {"@odata.context": f"{_assignments_context(relationship_id)}/$entity", **_assignment(view)}
    return ctx.respond(200, body)


@router.patch(
    BASE.removeprefix("/v1") + "/{relationship_id}/accessAssignments/{assignment_id}",
    openapi_extra=bodies.UPDATE_ACCESS_ASSIGNMENT,
)
def patch_access_assignment(relationship_id: str, assignment_id: str, request: Request, ctx: Ctx) -> Response:
    """Change an assignment's roles (`accessDetails{unifiedRoles}`); `If-Match` (else `@odata.etag`) if sent
    must be the current etag."""
    b = ctx.body()
    etag = request.headers.get("if-match") or b.text("@odata.etag", max_length=500)
    roles = _role_ids(b, required=True) or []
    session = ctx.session
    view = _assignment_in(session, ctx, relationship_id, assignment_id)
    current = etag_version(_assignment(view)["@odata.etag"], view.assignment.id)
    if etag is not None and etag_version(etag, view.assignment.id) != current:
        raise StaleEtag(resource="delegatedAdminAccessAssignment", id=view.assignment.id)
    updated = update_access_assignment(session, ctx.actor, access_assignment_id=view.assignment.id, role_ids=roles)
    body = {
        "@odata.context": f"{_assignments_context(relationship_id)}/$entity",
        **_assignment(AccessAssignmentView(updated, view.group_name)),
    }
    return ctx.respond(200, body)


@router.delete(
    BASE.removeprefix("/v1") + "/{relationship_id}/accessAssignments/{assignment_id}",
    status_code=204,
    response_class=Response,
)
def delete_one_access_assignment(relationship_id: str, assignment_id: str, ctx: Ctx) -> Response:
    """Delete an assignment: its group's members lose its roles at once. Answers 204, as Graph does."""
    session = ctx.session
    view = _assignment_in(session, ctx, relationship_id, assignment_id)
    delete_access_assignment(session, ctx.actor, access_assignment_id=view.assignment.id)
    return Response(status_code=204)
