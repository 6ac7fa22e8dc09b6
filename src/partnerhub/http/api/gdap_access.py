"""GDAP access assignments and operations over HTTP in Microsoft Graph's shape, under
/v1/tenantRelationships/delegatedAdminRelationships/{id}: `accessAssignments` (list, `$count`, create, get,
patch, delete) and `operations` (each change of the relationship or its assignments, as kept)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from partnerhub.customers.schemas import etag_version
from partnerhub.delegated_admin.access import (
    AccessAssignmentView,
    create_access_assignment,
    delete_access_assignment,
    list_access_assignments,
    update_access_assignment,
)
from partnerhub.delegated_admin.history import get_relationship_operation, list_relationship_operations
from partnerhub.delegated_admin.schemas import access_assignment_dict, relationship_operation_dict
from partnerhub.errors import AccessAssignmentNotFound, StaleEtag
from partnerhub.http.api import openapi_bodies as bodies
from partnerhub.http.api.context import Ctx, api_router
from partnerhub.http.api.gdap import BASE, CONTEXT, role_ids
from partnerhub.http.api.graph_odata import collection, count_response, graph_value
from partnerhub.ids import normalize_id

router = api_router(tags=["GDAP (Microsoft Graph shape)"])
ITEM = BASE.removeprefix("/v1") + "/{relationship_id}"


def _assignment(view: AccessAssignmentView) -> dict[str, Any]:
    out: dict[str, Any] = graph_value(access_assignment_dict(view.assignment, group_name=view.group_name))
    return out


def _assignment_in(session: Session, ctx: Ctx, relationship_id: str, assignment_id: str) -> AccessAssignmentView:
    """A live assignment of the relationship in the path (one of another relationship is not found here)."""
    for view in list_access_assignments(session, ctx.actor, admin_relationship_id=relationship_id):
        if view.assignment.id == normalize_id(assignment_id):
            return view
    raise AccessAssignmentNotFound(id=assignment_id)


def _assignments_context(relationship_id: str) -> str:
    return f"{CONTEXT}('{relationship_id}')/accessAssignments"


@router.get(ITEM + "/accessAssignments")
def get_access_assignments(relationship_id: str, request: Request, ctx: Ctx) -> Response:
    views = list_access_assignments(ctx.session, ctx.actor, admin_relationship_id=relationship_id)
    items = [_assignment(v) for v in views]
    return ctx.respond(
        200, collection(request, items, context=_assignments_context(relationship_id), kind="gdap-assignments")
    )


@router.get(ITEM + "/accessAssignments/$count", response_class=Response)
def count_access_assignments(relationship_id: str, request: Request, ctx: Ctx) -> Response:
    views = list_access_assignments(ctx.session, ctx.actor, admin_relationship_id=relationship_id)
    return count_response(request, len(views))


@router.post(
    ITEM + "/accessAssignments",
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
    roles = role_ids(b, required=True) or []
    session = ctx.session
    created = create_access_assignment(
        session, ctx.actor, admin_relationship_id=relationship_id, security_group_id=group_id, role_ids=roles
    )
    body = {
        "@odata.context": f"{_assignments_context(created.admin_relationship_id)}/$entity",
        **_assignment(_assignment_in(session, ctx, relationship_id, created.id)),
    }
    return ctx.respond(201, body)


@router.get(ITEM + "/accessAssignments/{assignment_id}")
def get_access_assignment(relationship_id: str, assignment_id: str, ctx: Ctx) -> Response:
    session = ctx.session
    view = _assignment_in(session, ctx, relationship_id, assignment_id)
    body = {"@odata.context": f"{_assignments_context(relationship_id)}/$entity", **_assignment(view)}
    return ctx.respond(200, body)


@router.patch(
    ITEM + "/accessAssignments/{assignment_id}",
    openapi_extra=bodies.UPDATE_ACCESS_ASSIGNMENT,
)
def patch_access_assignment(relationship_id: str, assignment_id: str, request: Request, ctx: Ctx) -> Response:
    """Change an assignment's roles (`accessDetails{unifiedRoles}`); `If-Match` (else `@odata.etag`) if sent
    must be the current etag."""
    b = ctx.body()
    etag = request.headers.get("if-match") or b.text("@odata.etag", max_length=500)
    roles = role_ids(b, required=True) or []
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
    ITEM + "/accessAssignments/{assignment_id}",
    status_code=204,
    response_class=Response,
)
def delete_one_access_assignment(relationship_id: str, assignment_id: str, ctx: Ctx) -> Response:
    """Delete an assignment: its group's members lose its roles at once. Answers 204, as Graph does."""
    session = ctx.session
    view = _assignment_in(session, ctx, relationship_id, assignment_id)
    delete_access_assignment(session, ctx.actor, access_assignment_id=view.assignment.id)
    return Response(status_code=204)


# --- operations -----------------------------------------------------------------------------------------


def _operations_context(relationship_id: str) -> str:
    return f"{CONTEXT}('{relationship_id}')/operations"


@router.get(ITEM + "/operations")
def get_relationship_operations(relationship_id: str, request: Request, ctx: Ctx) -> Response:
    """Each change of the relationship (delegatedAdminRelationshipUpdate) or of its access assignments
    (delegatedAdminAccessAssignmentUpdate), oldest first; `data` holds the change as JSON text."""
    kept = list_relationship_operations(ctx.session, ctx.actor, admin_relationship_id=relationship_id)
    items = [relationship_operation_dict(o) for o in kept]
    return ctx.respond(
        200, collection(request, items, context=_operations_context(relationship_id), kind="gdap-operations")
    )


@router.get(ITEM + "/operations/$count", response_class=Response)
def count_relationship_operations(relationship_id: str, request: Request, ctx: Ctx) -> Response:
    kept = list_relationship_operations(ctx.session, ctx.actor, admin_relationship_id=relationship_id)
    return count_response(request, len(kept))


@router.get(ITEM + "/operations/{operation_id}")
def get_relationship_operation_by_id(relationship_id: str, operation_id: str, ctx: Ctx) -> Response:
    kept = get_relationship_operation(
        ctx.session, ctx.actor, admin_relationship_id=relationship_id, operation_id=operation_id
    )
    body = {
        "@odata.context": f"{_operations_context(relationship_id)}/$entity",
        **graph_value(relationship_operation_dict(kept)),
    }
    return ctx.respond(200, body)
