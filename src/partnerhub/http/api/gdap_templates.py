"""GDAP templates over HTTP (partnerhub's extension, Graph-like JSON) under /v1/partnerhub/delegatedAdminTemplates:
list, create, get, patch (If-Match), delete, and `requestFor` a customer; and renewing a relationship under
Graph's path, `POST /v1/tenantRelationships/delegatedAdminRelationships/{id}/renew`."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from partnerhub.customers.schemas import etag_version
from partnerhub.delegated_admin.models import GdapTemplate
from partnerhub.delegated_admin.template_schemas import template_dict
from partnerhub.delegated_admin.templates import (
    TemplateAssignment,
    create_template,
    delete_template,
    get_template,
    list_templates,
    renew_relationship,
    request_from_template,
    template_groups,
    update_template,
)
from partnerhub.errors import StaleEtag
from partnerhub.http.api import openapi_bodies as ob
from partnerhub.http.api.body import Body
from partnerhub.http.api.context import Ctx, api_router
from partnerhub.http.api.gdap import CONTEXT as RELATIONSHIPS_CONTEXT
from partnerhub.http.api.gdap import _durations, _relationship, role_ids
from partnerhub.http.api.graph_odata import collection, graph_value

router = api_router(tags=["GDAP templates (partnerhub extension)"])
BASE = "/partnerhub/delegatedAdminTemplates"
CONTEXT = "partnerhub/delegatedAdminTemplates"

_ASSIGNMENTS = {
    "type": "array",
    "maxItems": 100,
    "items": ob.obj(
        {
            "accessContainer": ob.obj(
                {"accessContainerId": ob.text(100, "A partner security group's id (or its name).")},
                required=("accessContainerId",),
            ),
            "accessDetails": ob.ROLES,
        },
        required=("accessContainer", "accessDetails"),
    ),
    "description": "Each security group once, with a non-empty subset of the template's roles.",
}
_PROPERTIES: dict[str, Any] = {
    "displayName": ob.text(100, "Unique among the partner's templates (case-insensitive)."),
    "duration": ob.DURATION,
    "autoExtendDuration": ob.DURATION,
    "accessDetails": ob.ROLES,
    "accessAssignments": _ASSIGNMENTS,
}
_EXAMPLE = {
    "displayName": "Standard MSP",
    "duration": "P730D",
    "autoExtendDuration": "P180D",
    "accessDetails": {
        "unifiedRoles": [{"roleDefinitionId": ob.HELPDESK_ADMINISTRATOR}, {"roleDefinitionId": ob.GLOBAL_READER}]
    },
    "accessAssignments": [
        {
            "accessContainer": {"accessContainerId": "0d1f3c8a-5b7e-4f25-9a8b-2c6d4e1f7a90"},
            "accessDetails": {"unifiedRoles": [{"roleDefinitionId": ob.HELPDESK_ADMINISTRATOR}]},
        }
    ],
}
CREATE_TEMPLATE = ob.request_body(ob.obj(_PROPERTIES, required=("displayName", "accessDetails")), _EXAMPLE)
UPDATE_TEMPLATE = ob.request_body(
    ob.obj(
        {**_PROPERTIES, "@odata.etag": ob.ODATA_ETAG},
        description="Any of these; `accessAssignments` replaces the groups.",
    ),
    {"duration": "P365D"},
)
REQUEST_FOR = ob.request_body(
    ob.obj({"customerId": ob.text(64, "The customer's id (tenant id).")}, required=("customerId",)),
    {"customerId": ob.EXAMPLE_CUSTOMER_ID},
)
RENEW = ob.request_body(ob.obj({}), {}, required=False)


def _template(session: Session, t: GdapTemplate) -> dict[str, Any]:
    out: dict[str, Any] = graph_value(template_dict(t, group_names=template_groups(session, t)))
    return out


def _assignments(b: Body) -> list[TemplateAssignment] | None:
    if not b.has("accessAssignments"):
        return None
    out: list[TemplateAssignment] = []
    for item in b.objects("accessAssignments", max_items=100):
        container = item.obj("accessContainer", required=True)
        assert container is not None
        group = container.text("accessContainerId", required=True, max_length=100) or ""
        out.append(TemplateAssignment(group, role_ids(item, required=True) or []))
    return out


@router.get(BASE)
def get_templates(request: Request, ctx: Ctx) -> Response:
    """The partner's GDAP templates (Global admin, Admin agent), by name: `{value, @odata.nextLink?}`."""
    items = [_template(ctx.session, t) for t in list_templates(ctx.session, ctx.actor)]
    return ctx.respond(200, collection(request, items, context=CONTEXT, kind="gdap-templates"))


@router.post(BASE, status_code=201, openapi_extra=CREATE_TEMPLATE)
def post_template(ctx: Ctx) -> Response:
    """Save a template: `displayName`, `accessDetails{unifiedRoles}`, `duration` (default P730D),
    `autoExtendDuration` (PT0S or P180D; not with Global Administrator), `accessAssignments` (security groups
    and their roles)."""
    b = ctx.body()
    name = b.text("displayName", required=True, max_length=100) or ""
    duration = _durations(b, "duration")
    auto_extend = _durations(b, "autoExtendDuration")
    roles = role_ids(b, required=True) or []
    t = create_template(
        ctx.session,
        ctx.actor,
        name=name,
        role_ids=roles,
        duration_days=730 if duration is None else duration,
        auto_extend_days=auto_extend or 0,
        assignments=_assignments(b) or [],
    )
    return ctx.respond(201, _template(ctx.session, t))


@router.get(BASE + "/{template_id}")
def get_one_template(template_id: str, ctx: Ctx) -> Response:
    return ctx.respond(200, _template(ctx.session, get_template(ctx.session, ctx.actor, template_id=template_id)))


def _version(etag: str | None, t: GdapTemplate) -> int | None:
    if etag is None:
        return None
    version = etag_version(etag, t.id)
    if version is None:
        raise StaleEtag(resource="delegatedAdminTemplate", id=t.id)
    return version


@router.patch(BASE + "/{template_id}", openapi_extra=UPDATE_TEMPLATE)
def patch_template(template_id: str, request: Request, ctx: Ctx) -> Response:
    """Change a template; `If-Match` (else `@odata.etag`) names the version read: a stale one is refused (2055)."""
    b = ctx.body()
    etag = request.headers.get("if-match") or b.text("@odata.etag", max_length=500)
    name = b.text("displayName", max_length=100)
    duration = _durations(b, "duration")
    auto_extend = _durations(b, "autoExtendDuration")
    roles = role_ids(b, required=False)
    assignments = _assignments(b)
    current = get_template(ctx.session, ctx.actor, template_id=template_id)
    t = update_template(
        ctx.session,
        ctx.actor,
        template_id=current.id,
        name=name,
        role_ids=roles,
        duration_days=duration,
        auto_extend_days=auto_extend,
        assignments=assignments,
        version=_version(etag, current),
    )
    return ctx.respond(200, _template(ctx.session, t))


@router.delete(BASE + "/{template_id}", status_code=204, response_class=Response)
def delete_one_template(template_id: str, request: Request, ctx: Ctx) -> Response:
    """Delete a template (relationships requested from it are unchanged); `If-Match`, if sent, must be current."""
    current = get_template(ctx.session, ctx.actor, template_id=template_id)
    delete_template(
        ctx.session, ctx.actor, template_id=current.id, version=_version(request.headers.get("if-match"), current)
    )
    return Response(status_code=204)


@router.post(BASE + "/{template_id}/requestFor", status_code=201, openapi_extra=REQUEST_FOR)
def post_request_for(template_id: str, ctx: Ctx) -> Response:
    """Request a GDAP relationship for `customerId` from the template: it is created and locked for the
    customer's approval at once (status `approvalPending`); on approval the template's groups get their roles.
    Answers the relationship, in Graph's shape."""
    b = ctx.body()
    customer_id = b.text("customerId", required=True, max_length=64) or ""
    rel = request_from_template(ctx.session, ctx.actor, template_id, customer_id)
    ctx.session.flush()
    return ctx.respond(201, {"@odata.context": f"{RELATIONSHIPS_CONTEXT}/$entity", **_relationship(ctx.session, rel)})


@router.post(
    "/tenantRelationships/delegatedAdminRelationships/{relationship_id}/renew", status_code=201, openapi_extra=RENEW
)
def post_renew(relationship_id: str, ctx: Ctx) -> Response:
    """Renew an active relationship (partnerhub extension): a new one for the same customer from its template
    (else its own roles and groups), without Global Administrator, auto-extend P180D, locked for approval.
    Refused (Graph's error shape) when the relationship is not active or a renewal is already waiting."""
    rel = renew_relationship(ctx.session, ctx.actor, relationship_id)
    ctx.session.flush()
    return ctx.respond(201, {"@odata.context": f"{RELATIONSHIPS_CONTEXT}/$entity", **_relationship(ctx.session, rel)})
