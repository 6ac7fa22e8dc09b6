"""The partner's delegated admin pages: a customer's Admin relationships tab (GDAP: request one, lock it for
the customer's approval, assign security groups to its roles, terminate it) and the partner's Security groups."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from partnerhub.clock import utc_now
from partnerhub.customers.models import Customer
from partnerhub.customers.schemas import make_etag
from partnerhub.delegated_admin.access import (
    add_group_member,
    create_access_assignment,
    create_security_group,
    delete_access_assignment,
    list_security_groups,
    remove_group_member,
)
from partnerhub.delegated_admin.gdap import (
    MAX_DURATION_DAYS,
    create_admin_relationship,
    lock_for_approval,
    terminate_admin_relationship,
)
from partnerhub.delegated_admin.models import ASSIGNABLE_STATUSES, AdminRelationship, AdminRelationshipStatus
from partnerhub.delegated_admin.read_models import (
    AdminRelationshipDetail,
    admin_relationship_detail,
    customer_admin_relationships,
    security_group_detail,
)
from partnerhub.delegated_admin.role_catalog import refresh_role_catalog
from partnerhub.delegated_admin.templates import list_templates
from partnerhub.errors import (
    AccessAssignmentExists,
    AccessAssignmentNotFound,
    AccessAssignmentRolesNotInRelationship,
    AdminRelationshipDurationInvalid,
    AdminRelationshipInvalidState,
    AdminRelationshipNameInvalid,
    AdminRelationshipNameTaken,
    AdminRelationshipRolesRequired,
    AutoExtendWithGlobalAdministrator,
    DomainError,
    GdapRoleRetired,
    SecurityGroupNameInvalid,
    SecurityGroupNameTaken,
    SecurityGroupNotFound,
    StaleEtag,
    UnknownGdapRole,
    UserNotFound,
)
from partnerhub.http.web.context import Form, SignedIn, WebCtx
from partnerhub.http.web.customer_pages import crumbs
from partnerhub.http.web.errors import WebRoute
from partnerhub.http.web.forms import FormState
from partnerhub.http.web.role_picker import role_groups, role_labels, role_options
from partnerhub.ids import normalize_id
from partnerhub.locale import N_

router = APIRouter(route_class=WebRoute, include_in_schema=False)

AUTO_EXTEND_DAYS = 180
CHOOSE_A_ROLE = N_("Choose at least one role.")
CHOOSE_A_GROUP = N_("Choose a security group.")
CREATED = N_(
    "Admin relationship {name} was created. Assign security groups to its roles if you like, then "
    "request approval from the customer."
)
LOCKED = N_(
    "Admin relationship {name} is waiting for approval: send the approval link to a Global admin of {customer}."
)
TERMINATED = N_("Admin relationship {name} was terminated. Your reseller relationship with {customer} is unchanged.")
ASSIGNED = N_("Security group {group} now has access through {name}.")
UNASSIGNED = N_("Security group {group} no longer has access through {name}.")
GROUP_CREATED = N_("Security group {name} was created.")
MEMBER_ADDED = N_("{email} was added to {group}.")
MEMBER_REMOVED = N_("{email} was removed from {group}.")
RELATIONSHIP_FIELDS: dict[type[DomainError], str] = {
    AdminRelationshipNameTaken: "display_name",
    AdminRelationshipNameInvalid: "display_name",
    AdminRelationshipDurationInvalid: "duration_days",
    AdminRelationshipRolesRequired: "roles",
    UnknownGdapRole: "roles",
    AutoExtendWithGlobalAdministrator: "auto_extend",
    GdapRoleRetired: "roles",
}
ASSIGNMENT_FIELDS: dict[type[DomainError], str] = {
    AccessAssignmentExists: "security_group_id",
    SecurityGroupNotFound: "security_group_id",
    AccessAssignmentRolesNotInRelationship: "roles",
    AdminRelationshipRolesRequired: "roles",
    UnknownGdapRole: "roles",
}


def _base(customer: Customer) -> str:
    return f"/customers/{customer.id}/admin-relationships"


# --- a customer's admin relationships -------------------------------------------------------------------


def _render_list(ctx: WebCtx, customer_id: str, form: FormState, status_code: int = 200) -> Response:
    actor = ctx.require_actor()
    session = ctx.session
    view = customer_admin_relationships(session, actor, customer_id=customer_id)
    refresh_role_catalog(session)
    templates = [(t.id, t.name) for t in list_templates(session, actor)]
    return ctx.render(
        "gdap/relationships.html",
        form=form,
        status_code=status_code,
        customer=view.customer,
        templates=templates,
        relationships=view.relationships,
        role_groups=role_groups(ctx),
        role_labels=role_labels,
        now=utc_now(),
        max_days=MAX_DURATION_DAYS,
        auto_extend_days=AUTO_EXTEND_DAYS,
        breadcrumbs=crumbs(ctx, view.customer, (None, ctx.t("Admin relationships"))),
    )


@router.get("/customers/{customer_id}/admin-relationships")
def relationships_page(ctx: SignedIn, customer_id: str) -> Response:
    return _render_list(ctx, customer_id, FormState(ctx, {"duration_days": str(MAX_DURATION_DAYS)}))


@router.post("/customers/{customer_id}/admin-relationships")
def request_relationship(ctx: SignedIn, form: Form, customer_id: str) -> Response:
    actor = ctx.require_actor()
    session = ctx.session
    customer = customer_admin_relationships(session, actor, customer_id=customer_id).customer
    state = FormState.from_form(ctx, form)
    name = state.text("display_name", limit=50)
    days = state.integer("duration_days", low=1, high=MAX_DURATION_DAYS)
    roles = state.many("roles")
    if not roles:
        state.fail("roles", CHOOSE_A_ROLE)
    state.values["roles"] = roles
    if state.ok and days is not None:
        try:
            with ctx.attempt() as session:
                rel = create_admin_relationship(
                    session,
                    actor,
                    customer_id=customer.id,
                    display_name=name,
                    role_ids=roles,
                    duration_days=days,
                    auto_extend_days=AUTO_EXTEND_DAYS if state.checked("auto_extend") else 0,
                )
        except DomainError as exc:
            state.domain_error(exc, field_of=RELATIONSHIP_FIELDS)
        else:
            return ctx.redirect(f"{_base(customer)}/{rel.id}", flash=ctx.t(CREATED, name=rel.display_name))
    return _render_list(ctx, customer.id, state, 400)


# --- one admin relationship ---------------------------------------------------------------------------


def _detail(ctx: WebCtx, customer_id: str, relationship_id: str) -> AdminRelationshipDetail:
    session = ctx.session
    return admin_relationship_detail(
        session, ctx.require_actor(), customer_id=customer_id, admin_relationship_id=relationship_id
    )


def _render_detail(ctx: WebCtx, view: AdminRelationshipDetail, form: FormState, status_code: int = 200) -> Response:
    rel = view.relationship
    assigned = {a.assignment.security_group_id for a in view.assignments}
    templates = {t.id: t.name for t in list_templates(ctx.session, ctx.require_actor())} if rel.template_id else {}
    return ctx.render(
        "gdap/relationship.html",
        form=form,
        status_code=status_code,
        customer=view.customer,
        rel=rel,
        template_name=templates.get(rel.template_id or ""),
        assignments=view.assignments,
        now=utc_now(),
        role_labels=role_labels,
        group_options=[(g.group.id, g.group.display_name) for g in view.groups if g.group.id not in assigned],
        has_groups=bool(view.groups),
        rel_roles=role_options(ctx, list(rel.role_ids)),
        assignable=rel.status in ASSIGNABLE_STATUSES,
        approval_url=f"{ctx.runtime.settings.base_url.rstrip('/')}/partner-relationships/admin-relationships/{rel.id}",
        breadcrumbs=crumbs(
            ctx, view.customer, (_base(view.customer), ctx.t("Admin relationships")), (None, rel.display_name)
        ),
    )


@router.get("/customers/{customer_id}/admin-relationships/{relationship_id}")
def relationship_page(ctx: SignedIn, customer_id: str, relationship_id: str) -> Response:
    view = _detail(ctx, customer_id, relationship_id)
    return _render_detail(ctx, view, FormState(ctx, {"roles": list(view.relationship.role_ids)}))


def _state_refused(ctx: WebCtx, rel: AdminRelationship, customer: Customer, exc: DomainError) -> Response:
    """The relationship changed since the page was shown (approved, expired...): its page says how it is now."""
    return ctx.redirect(f"{_base(customer)}/{rel.id}", flash=exc.render(ctx.locale), kind="error")


@router.post("/customers/{customer_id}/admin-relationships/{relationship_id}/request-approval")
def request_approval(ctx: SignedIn, form: Form, customer_id: str, relationship_id: str) -> Response:
    view = _detail(ctx, customer_id, relationship_id)
    try:
        with ctx.attempt() as session:
            rel = lock_for_approval(session, ctx.require_actor(), admin_relationship_id=view.relationship.id)
    except AdminRelationshipInvalidState as exc:
        return _state_refused(ctx, view.relationship, view.customer, exc)
    return ctx.redirect(
        f"{_base(view.customer)}/{rel.id}",
        flash=ctx.t(LOCKED, name=rel.display_name, customer=view.customer.company_name),
    )


@router.post("/customers/{customer_id}/admin-relationships/{relationship_id}/assignments")
def assign_group(ctx: SignedIn, form: Form, customer_id: str, relationship_id: str) -> Response:
    view = _detail(ctx, customer_id, relationship_id)
    rel = view.relationship
    state = FormState.from_form(ctx, form)
    group_id = state.text("security_group_id", required=False, limit=64)
    if not group_id:
        state.fail("security_group_id", CHOOSE_A_GROUP)
    roles = state.many("roles")
    state.values["roles"] = roles
    if not roles:
        state.fail("roles", CHOOSE_A_ROLE)
    if state.ok:
        try:
            with ctx.attempt() as session:
                create_access_assignment(
                    session,
                    ctx.require_actor(),
                    admin_relationship_id=rel.id,
                    security_group_id=group_id,
                    role_ids=roles,
                )
        except DomainError as exc:
            state.domain_error(exc, field_of=ASSIGNMENT_FIELDS)
        else:
            group = next(g.group.display_name for g in view.groups if g.group.id == normalize_id(group_id))
            return ctx.redirect(
                f"{_base(view.customer)}/{rel.id}", flash=ctx.t(ASSIGNED, group=group, name=rel.display_name)
            )
    return _render_detail(ctx, view, state, 400)


@router.post("/customers/{customer_id}/admin-relationships/{relationship_id}/assignments/{assignment_id}/delete")
def unassign_group(ctx: SignedIn, form: Form, customer_id: str, relationship_id: str, assignment_id: str) -> Response:
    view = _detail(ctx, customer_id, relationship_id)
    found = [a for a in view.assignments if a.assignment.id == normalize_id(assignment_id)]
    if not found:
        raise AccessAssignmentNotFound(id=assignment_id)
    session = ctx.session
    delete_access_assignment(session, ctx.require_actor(), access_assignment_id=found[0].assignment.id)
    return ctx.redirect(
        f"{_base(view.customer)}/{view.relationship.id}",
        flash=ctx.t(UNASSIGNED, group=found[0].group_name, name=view.relationship.display_name),
    )


@router.get("/customers/{customer_id}/admin-relationships/{relationship_id}/terminate")
def terminate_confirmation(ctx: SignedIn, customer_id: str, relationship_id: str) -> Response:
    view = _detail(ctx, customer_id, relationship_id)
    rel = view.relationship
    if rel.status_at(utc_now()) != AdminRelationshipStatus.ACTIVE:
        return ctx.redirect(f"{_base(view.customer)}/{rel.id}")
    return ctx.render(
        "gdap/terminate.html",
        customer=view.customer,
        rel=rel,
        role_labels=role_labels,
        breadcrumbs=crumbs(
            ctx,
            view.customer,
            (_base(view.customer), ctx.t("Admin relationships")),
            (f"{_base(view.customer)}/{rel.id}", rel.display_name),
            (None, ctx.t("Terminate")),
        ),
    )


@router.post("/customers/{customer_id}/admin-relationships/{relationship_id}/terminate")
def terminate_relationship(ctx: SignedIn, form: Form, customer_id: str, relationship_id: str) -> Response:
    view = _detail(ctx, customer_id, relationship_id)
    try:
        with ctx.attempt() as session:
            rel = terminate_admin_relationship(session, ctx.require_actor(), admin_relationship_id=view.relationship.id)
    except AdminRelationshipInvalidState as exc:
        return _state_refused(ctx, view.relationship, view.customer, exc)
    return ctx.redirect(
        f"{_base(view.customer)}/{rel.id}",
        flash=ctx.t(TERMINATED, name=rel.display_name, customer=view.customer.company_name),
    )


# --- security groups ----------------------------------------------------------------------------------


def _render_groups(ctx: WebCtx, form: FormState, status_code: int = 200) -> Response:
    session = ctx.session
    groups = list_security_groups(session, ctx.require_actor())
    return ctx.render(
        "gdap/security_groups.html",
        form=form,
        groups=groups,
        status_code=status_code,
        breadcrumbs=[(None, ctx.t("Security groups"))],
    )


@router.get("/security-groups")
def security_groups_page(ctx: SignedIn) -> Response:
    return _render_groups(ctx, FormState(ctx))


@router.post("/security-groups")
def create_group(ctx: SignedIn, form: Form) -> Response:
    actor = ctx.require_actor()
    state = FormState.from_form(ctx, form)
    name = state.text("display_name", limit=100)
    if state.ok:
        try:
            with ctx.attempt() as session:
                group = create_security_group(session, actor, display_name=name)
        except DomainError as exc:
            state.domain_error(
                exc, field_of={SecurityGroupNameTaken: "display_name", SecurityGroupNameInvalid: "display_name"}
            )
        else:
            return ctx.redirect(f"/security-groups/{group.id}", flash=ctx.t(GROUP_CREATED, name=group.display_name))
    return _render_groups(ctx, state, 400)


def _render_group(ctx: WebCtx, group_id: str, form: FormState, status_code: int = 200) -> Response:
    session = ctx.session
    found = security_group_detail(session, ctx.require_actor(), security_group_id=group_id)
    return ctx.render(
        "gdap/security_group.html",
        form=form,
        group=found.group,
        members=found.members,
        group_etag=make_etag(found.group.id, found.group.version),
        status_code=status_code,
        breadcrumbs=[("/security-groups", ctx.t("Security groups")), (None, found.group.display_name)],
    )


@router.get("/security-groups/{group_id}")
def security_group_page(ctx: SignedIn, group_id: str) -> Response:
    return _render_group(ctx, group_id, FormState(ctx))


@router.post("/security-groups/{group_id}/members")
def add_member(ctx: SignedIn, form: Form, group_id: str) -> Response:
    actor = ctx.require_actor()
    state = FormState.from_form(ctx, form)
    email = state.text("email", limit=254)
    etag = state.text("etag", required=False, limit=200) or None
    if state.ok:
        try:
            with ctx.attempt() as session:
                group = add_group_member(session, actor, security_group_id=group_id, user=email, etag=etag)
        except (UserNotFound, StaleEtag) as exc:
            state.domain_error(exc, field_of={UserNotFound: "email"})
        else:
            return ctx.redirect(
                f"/security-groups/{group.id}", flash=ctx.t(MEMBER_ADDED, email=email.lower(), group=group.display_name)
            )
    return _render_group(ctx, group_id, state, 400)


@router.post("/security-groups/{group_id}/members/remove")
def remove_member(ctx: SignedIn, form: Form, group_id: str) -> Response:
    actor = ctx.require_actor()
    state = FormState.from_form(ctx, form)
    email = state.text("email", limit=254)
    etag = state.text("etag", required=False, limit=200) or None
    try:
        with ctx.attempt() as session:
            group = remove_group_member(session, actor, security_group_id=group_id, user=email, etag=etag)
    except StaleEtag as exc:  # someone changed the group since the page was shown: show it as it is now
        return ctx.redirect(f"/security-groups/{group_id}", flash=exc.render(ctx.locale), kind="error")
    return ctx.redirect(
        f"/security-groups/{group.id}", flash=ctx.t(MEMBER_REMOVED, email=email.lower(), group=group.display_name)
    )
