"""The partner's GDAP templates pages: the list with a form to create one, a template's page (its terms, its
security groups and their roles, delete), requesting a relationship from a template on a customer's Admin
relationships tab, and renewing a relationship from its page."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from partnerhub.delegated_admin.access import list_security_groups
from partnerhub.delegated_admin.gdap import MAX_DURATION_DAYS
from partnerhub.delegated_admin.models import GdapTemplate
from partnerhub.delegated_admin.read_models import customer_admin_relationships
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
from partnerhub.errors import (
    AdminRelationshipDurationInvalid,
    AdminRelationshipRolesRequired,
    AutoExtendWithGlobalAdministrator,
    DomainError,
    GdapRoleRetired,
    GdapTemplateAssignmentInvalid,
    GdapTemplateGroupRepeated,
    GdapTemplateNameInvalid,
    GdapTemplateNameTaken,
    GdapTemplateNotFound,
    SecurityGroupNotFound,
    UnknownGdapRole,
)
from partnerhub.http.web.context import Form, SignedIn, WebCtx
from partnerhub.http.web.errors import WebRoute
from partnerhub.http.web.forms import FormState
from partnerhub.http.web.role_picker import role_groups, role_labels, role_options
from partnerhub.locale import N_

router = APIRouter(route_class=WebRoute, include_in_schema=False)

AUTO_EXTEND_DAYS = 180
CHOOSE_A_ROLE = N_("Choose at least one role.")
CHOOSE_A_GROUP = N_("Choose a security group.")
CHOOSE_A_TEMPLATE = N_("Choose a template.")
TEMPLATE_CREATED = N_("Template {name} was saved. Give its security groups their roles below.")
TEMPLATE_UPDATED = N_("Template {name} was saved.")
TEMPLATE_DELETED = N_("Template {name} was deleted. Relationships requested from it are unchanged.")
GROUP_ADDED = N_("Security group {group} gets its roles in each relationship requested from {name}.")
GROUP_REMOVED = N_("Security group {group} was taken out of {name}.")
REQUESTED = N_(
    "Admin relationship {name} was requested from template {template} and is waiting for approval: "
    "send the approval link to a Global admin of {customer}."
)
RENEWED = N_(
    "Renewal {name} is waiting for approval: without Global Administrator and extended automatically. "
    "Send the approval link to a Global admin of {customer}."
)
TERMS_FIELDS: dict[type[DomainError], str] = {
    GdapTemplateNameInvalid: "name",
    GdapTemplateNameTaken: "name",
    AdminRelationshipDurationInvalid: "duration_days",
    AdminRelationshipRolesRequired: "roles",
    UnknownGdapRole: "roles",
    GdapRoleRetired: "roles",
    AutoExtendWithGlobalAdministrator: "auto_extend",
    GdapTemplateAssignmentInvalid: "roles",
}
GROUP_FIELDS: dict[type[DomainError], str] = {
    SecurityGroupNotFound: "security_group_id",
    GdapTemplateGroupRepeated: "security_group_id",
    GdapTemplateAssignmentInvalid: "group_roles",
    UnknownGdapRole: "group_roles",
}


def _terms(state: FormState) -> tuple[str, int | None, list[str], int]:
    name = state.text("name", limit=100)
    days = state.integer("duration_days", low=1, high=MAX_DURATION_DAYS)
    roles = state.many("roles")
    if not roles:
        state.fail("roles", CHOOSE_A_ROLE)
    state.values["roles"] = roles
    return name, days, roles, AUTO_EXTEND_DAYS if state.checked("auto_extend") else 0


def _render_list(ctx: WebCtx, form: FormState, status_code: int = 200) -> Response:
    session = ctx.session
    templates = list_templates(session, ctx.require_actor())
    return ctx.render(
        "gdap/templates.html",
        form=form,
        status_code=status_code,
        templates=templates,
        role_groups=role_groups(ctx),
        role_labels=role_labels,
        max_days=MAX_DURATION_DAYS,
        auto_extend_days=AUTO_EXTEND_DAYS,
        breadcrumbs=[(None, ctx.t("GDAP templates"))],
    )


@router.get("/gdap-templates")
def templates_page(ctx: SignedIn) -> Response:
    return _render_list(ctx, FormState(ctx, {"duration_days": str(MAX_DURATION_DAYS)}))


@router.post("/gdap-templates")
def create_template_form(ctx: SignedIn, form: Form) -> Response:
    state = FormState.from_form(ctx, form)
    name, days, roles, extend = _terms(state)
    if state.ok and days is not None:
        try:
            with ctx.attempt() as session:
                t = create_template(
                    session, ctx.require_actor(), name=name, role_ids=roles, duration_days=days, auto_extend_days=extend
                )
        except DomainError as exc:
            state.domain_error(exc, field_of=TERMS_FIELDS)
        else:
            return ctx.redirect(f"/gdap-templates/{t.id}", flash=ctx.t(TEMPLATE_CREATED, name=t.name))
    return _render_list(ctx, state, 400)


def _template_values(t: GdapTemplate) -> dict[str, object]:
    return {
        "name": t.name,
        "duration_days": str(t.duration_days),
        "roles": list(t.role_ids),
        "auto_extend": "on" if t.auto_extend_days else "",
        "version": str(t.version),
    }


def _render_one(
    ctx: WebCtx,
    template_id: str,
    form: FormState | None = None,
    group_form: FormState | None = None,
    status_code: int = 200,
) -> Response:
    session = ctx.session
    actor = ctx.require_actor()
    t = get_template(session, actor, template_id=template_id)
    names = template_groups(session, t)
    taken = set(names)
    groups = [
        (g.group.id, g.group.display_name) for g in list_security_groups(session, actor) if g.group.id not in taken
    ]
    return ctx.render(
        "gdap/template.html",
        status_code=status_code,
        tpl=t,
        group_names=names,
        form=form or FormState(ctx, _template_values(t)),
        group_form=group_form or FormState(ctx),
        role_groups=role_groups(ctx),
        role_labels=role_labels,
        template_roles=role_options(ctx, list(t.role_ids)),
        group_options=groups,
        max_days=MAX_DURATION_DAYS,
        auto_extend_days=AUTO_EXTEND_DAYS,
        breadcrumbs=[("/gdap-templates", ctx.t("GDAP templates")), (None, t.name)],
    )


@router.get("/gdap-templates/{template_id}")
def template_page(ctx: SignedIn, template_id: str) -> Response:
    return _render_one(ctx, template_id)


@router.post("/gdap-templates/{template_id}")
def update_template_form(ctx: SignedIn, form: Form, template_id: str) -> Response:
    state = FormState.from_form(ctx, form)
    name, days, roles, extend = _terms(state)
    version = state.integer("version", low=1, high=10**9, required=False)
    if state.ok and days is not None:
        try:
            with ctx.attempt() as session:
                t = update_template(
                    session,
                    ctx.require_actor(),
                    template_id=template_id,
                    name=name,
                    role_ids=roles,
                    duration_days=days,
                    auto_extend_days=extend,
                    version=version,
                )
        except DomainError as exc:
            state.domain_error(exc, field_of=TERMS_FIELDS)
        else:
            return ctx.redirect(f"/gdap-templates/{t.id}", flash=ctx.t(TEMPLATE_UPDATED, name=t.name))
    return _render_one(ctx, template_id, form=state, status_code=400)


def _assignments(t: GdapTemplate) -> list[TemplateAssignment]:
    return [TemplateAssignment(a["securityGroupId"], a["roleIds"]) for a in t.assignments]


@router.post("/gdap-templates/{template_id}/groups")
def add_group_form(ctx: SignedIn, form: Form, template_id: str) -> Response:
    state = FormState.from_form(ctx, form)
    group_id = state.text("security_group_id", required=False, limit=64)
    if not group_id:
        state.fail("security_group_id", CHOOSE_A_GROUP)
    roles = state.many("group_roles")
    if not roles:
        state.fail("group_roles", CHOOSE_A_ROLE)
    state.values["group_roles"] = roles
    if state.ok:
        try:
            with ctx.attempt() as session:
                actor = ctx.require_actor()
                t = get_template(session, actor, template_id=template_id)
                t = update_template(
                    session,
                    actor,
                    template_id=t.id,
                    assignments=[*_assignments(t), TemplateAssignment(group_id, roles)],
                )
                group = template_groups(session, t).get(group_id, group_id)
        except DomainError as exc:
            state.domain_error(exc, field_of=GROUP_FIELDS)
        else:
            return ctx.redirect(f"/gdap-templates/{t.id}#groups", flash=ctx.t(GROUP_ADDED, group=group, name=t.name))
    return _render_one(ctx, template_id, group_form=state, status_code=400)


@router.post("/gdap-templates/{template_id}/groups/remove")
def remove_group_form(ctx: SignedIn, form: Form, template_id: str) -> Response:
    state = FormState.from_form(ctx, form)
    group_id = state.text("security_group_id", limit=64)
    session = ctx.session
    actor = ctx.require_actor()
    t = get_template(session, actor, template_id=template_id)
    group = template_groups(session, t).get(group_id, group_id)
    t = update_template(
        session, actor, template_id=t.id, assignments=[a for a in _assignments(t) if a.group != group_id]
    )
    return ctx.redirect(f"/gdap-templates/{t.id}#groups", flash=ctx.t(GROUP_REMOVED, group=group, name=t.name))


@router.post("/gdap-templates/{template_id}/delete")
def delete_template_form(ctx: SignedIn, form: Form, template_id: str) -> Response:
    t = delete_template(ctx.session, ctx.require_actor(), template_id=template_id)
    return ctx.redirect("/gdap-templates", flash=ctx.t(TEMPLATE_DELETED, name=t.name))


# --- from a customer's Admin relationships tab, and a relationship's page ---------------------------------


@router.post("/customers/{customer_id}/admin-relationships/from-template")
def request_from_template_form(ctx: SignedIn, form: Form, customer_id: str) -> Response:
    state = FormState.from_form(ctx, form)
    template_id = state.text("template_id", required=False, limit=100)
    actor = ctx.require_actor()
    customer = customer_admin_relationships(ctx.session, actor, customer_id=customer_id).customer
    base = f"/customers/{customer.id}/admin-relationships"
    if not template_id:
        return ctx.redirect(f"{base}#from-template", flash=ctx.t(CHOOSE_A_TEMPLATE), kind="error")
    try:
        with ctx.attempt() as session:
            rel = request_from_template(session, actor, template_id, customer.id)
            t = get_template(session, actor, template_id=template_id)
    except GdapTemplateNotFound as exc:
        return ctx.redirect(f"{base}#from-template", flash=exc.render(ctx.locale), kind="error")
    except DomainError as exc:
        return ctx.redirect(f"{base}#from-template", flash=exc.render(ctx.locale), kind="error")
    return ctx.redirect(
        f"{base}/{rel.id}",
        flash=ctx.t(REQUESTED, name=rel.display_name, template=t.name, customer=customer.company_name),
    )


@router.post("/customers/{customer_id}/admin-relationships/{relationship_id}/renew")
def renew_form(ctx: SignedIn, form: Form, customer_id: str, relationship_id: str) -> Response:
    actor = ctx.require_actor()
    customer = customer_admin_relationships(ctx.session, actor, customer_id=customer_id).customer
    base = f"/customers/{customer.id}/admin-relationships"
    try:
        with ctx.attempt() as session:
            rel = renew_relationship(session, actor, relationship_id)
    except DomainError as exc:
        return ctx.redirect(f"{base}/{relationship_id}", flash=exc.render(ctx.locale), kind="error")
    return ctx.redirect(f"{base}/{rel.id}", flash=ctx.t(RENEWED, name=rel.display_name, customer=customer.company_name))
