"""GDAP templates: a partner's recipe of roles, duration, auto-extend and security groups with their roles;
requesting a relationship from one (its access assignments are created when the customer approves), and
renewing a relationship before it ends, without Global Administrator and with auto-extend on."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from partnerhub.audit.operations import Operation, ResourceType
from partnerhub.audit.service import record
from partnerhub.auth.actor import Actor
from partnerhub.clock import utc_now
from partnerhub.delegated_admin.gdap import (
    MAX_DURATION_DAYS,
    create_admin_relationship,
    lock_for_approval,
    validate_terms,
)
from partnerhub.delegated_admin.models import (
    REQUEST_STATUSES,
    AccessAssignment,
    AdminRelationship,
    AdminRelationshipStatus,
    GdapTemplate,
    SecurityGroup,
)
from partnerhub.delegated_admin.queries import get_admin_relationship_scoped, require_gdap_manager
from partnerhub.delegated_admin.role_catalog import refresh_role_catalog
from partnerhub.delegated_admin.roles import (
    GLOBAL_ADMINISTRATOR,
    current_catalog,
    require_requestable,
    resolve_roles,
    role_name,
)
from partnerhub.delegated_admin.schemas import iso_days
from partnerhub.errors import (
    AdminRelationshipNotRenewable,
    AdminRelationshipRenewalPending,
    GdapTemplateAssignmentInvalid,
    GdapTemplateGroupRepeated,
    GdapTemplateNameInvalid,
    GdapTemplateNameTaken,
    GdapTemplateNotFound,
    SecurityGroupNotFound,
    StaleEtag,
)
from partnerhub.ids import new_id, normalize_id

RENEWAL_AUTO_EXTEND_DAYS = 180


@dataclass(frozen=True)
class TemplateAssignment:
    """A security group (its id or its name) and the template's roles (ids or names) its members get."""

    group: str
    role_ids: Sequence[str]


# --- reading -------------------------------------------------------------------------------------------


def _template(session: Session, partner_id: str, template_id: str, *, lock: bool = False) -> GdapTemplate:
    """One of the partner's templates, by id or by name (case-insensitive); any other is not found."""
    key = " ".join(template_id.split())
    stmt = select(GdapTemplate).where(
        GdapTemplate.partner_id == partner_id,
        (GdapTemplate.id == normalize_id(key)) | (GdapTemplate.name_key == key.lower()),
    )
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    found = session.scalars(stmt.limit(1)).first()
    if found is None:
        raise GdapTemplateNotFound(id=template_id)
    return found


def get_template(session: Session, actor: Actor, *, template_id: str) -> GdapTemplate:
    """One of the partner's templates (Global admin, Admin agent), by id or name."""
    partner_id = require_gdap_manager(actor, "get GDAP template")
    refresh_role_catalog(session)
    return _template(session, partner_id, template_id)


def list_templates(session: Session, actor: Actor) -> list[GdapTemplate]:
    """The partner's templates (Global admin, Admin agent), by name."""
    partner_id = require_gdap_manager(actor, "list GDAP templates")
    refresh_role_catalog(session)
    stmt = select(GdapTemplate).where(GdapTemplate.partner_id == partner_id)
    return list(session.scalars(stmt.order_by(GdapTemplate.name_key, GdapTemplate.id)))


def template_groups(session: Session, template: GdapTemplate) -> dict[str, str]:
    """The names of the security groups a template gives roles to, by id."""
    ids = [a["securityGroupId"] for a in template.assignments]
    if not ids:
        return {}
    rows = session.execute(select(SecurityGroup.id, SecurityGroup.display_name).where(SecurityGroup.id.in_(ids)))
    return {gid: name for gid, name in rows}


# --- writing ---------------------------------------------------------------------------------------------


def _group(session: Session, partner_id: str, group: str) -> SecurityGroup:
    key = group.strip()
    stmt = select(SecurityGroup).where(
        SecurityGroup.partner_id == partner_id,
        (SecurityGroup.id == normalize_id(key)) | (func.lower(SecurityGroup.display_name) == key.lower()),
    )
    found = session.scalars(stmt.limit(1)).first()
    if found is None:
        raise SecurityGroupNotFound(id=group)
    return found


def _assignments(
    session: Session, partner_id: str, roles: list[str], assignments: Iterable[TemplateAssignment]
) -> list[dict[str, Any]]:
    """The stored form of the template's groups: each one of the partner's, once, with a non-empty subset of
    the template's roles."""
    out: list[dict[str, Any]] = []
    for a in assignments:
        group = _group(session, partner_id, a.group)
        if any(o["securityGroupId"] == group.id for o in out):
            raise GdapTemplateGroupRepeated(group=group.display_name)
        group_roles = resolve_roles(a.role_ids)
        outside = [r for r in group_roles if r not in roles]
        if not group_roles or outside:
            raise GdapTemplateAssignmentInvalid(
                group=group.display_name, roles=", ".join(role_name(r) for r in outside) or "-"
            )
        out.append({"securityGroupId": group.id, "roleIds": group_roles})
    return out


def _name(name: str) -> str:
    clean = " ".join(name.split())
    if not 1 <= len(clean) <= 100:
        raise GdapTemplateNameInvalid()
    return clean


def _require_free_name(session: Session, partner_id: str, name: str, template_id: str | None = None) -> None:
    stmt = select(GdapTemplate.id).where(GdapTemplate.partner_id == partner_id, GdapTemplate.name_key == name.lower())
    if template_id is not None:
        stmt = stmt.where(GdapTemplate.id != template_id)
    if session.scalars(stmt.limit(1)).first() is not None:
        raise GdapTemplateNameTaken(name=name)


def template_summary(t: GdapTemplate) -> dict[str, Any]:
    """What the activity log keeps of a template."""
    return {
        "name": t.name,
        "roles": list(t.role_ids),
        "duration": iso_days(t.duration_days),
        "autoExtendDuration": iso_days(t.auto_extend_days),
        "assignments": list(t.assignments),
    }


def _record(
    session: Session,
    actor: Actor,
    t: GdapTemplate,
    operation: Operation,
    *,
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
) -> None:
    record(
        session,
        actor,
        operation=operation,
        resource_type=ResourceType.GDAP_TEMPLATE,
        resource_id=t.id,
        partner_id=t.partner_id,
        old=old,
        new=new,
        now=t.last_modified_at,
    )


def create_template(
    session: Session,
    actor: Actor,
    *,
    name: str,
    role_ids: Sequence[str],
    duration_days: int = MAX_DURATION_DAYS,
    auto_extend_days: int = 0,
    assignments: Iterable[TemplateAssignment] = (),
) -> GdapTemplate:
    """A partner Global admin or Admin agent saves a template. Rules: a name of 1–100 characters unique among
    the partner's templates (case-insensitive); the terms of a relationship (1–730 days, at least one role of
    the catalog, none retired, auto-extend 0 or 180 days and none with Global Administrator); each security
    group the partner's own, once, with a non-empty subset of the template's roles."""
    partner_id = require_gdap_manager(actor, "create GDAP template")
    refresh_role_catalog(session)
    clean = _name(name)
    roles = validate_terms(duration_days=duration_days, role_ids=list(role_ids), auto_extend_days=auto_extend_days)
    require_requestable(roles)
    planned = _assignments(session, partner_id, roles, assignments)
    _require_free_name(session, partner_id, clean)
    now = utc_now()
    t = GdapTemplate(
        id=new_id(),
        partner_id=partner_id,
        name=clean,
        name_key=clean.lower(),
        role_ids=roles,
        duration_days=duration_days,
        auto_extend_days=auto_extend_days,
        assignments=planned,
        created_at=now,
        last_modified_at=now,
        version=1,
    )
    try:
        with session.begin_nested():  # a concurrent create with the same name loses here, cleanly
            session.add(t)
            session.flush()
    except IntegrityError:
        raise GdapTemplateNameTaken(name=clean) from None
    _record(session, actor, t, Operation.CREATE_GDAP_TEMPLATE, old=None, new=template_summary(t))
    return t


def update_template(
    session: Session,
    actor: Actor,
    *,
    template_id: str,
    name: str | None = None,
    role_ids: Sequence[str] | None = None,
    duration_days: int | None = None,
    auto_extend_days: int | None = None,
    assignments: Iterable[TemplateAssignment] | None = None,
    version: int | None = None,
) -> GdapTemplate:
    """Change a template (the rules of creation hold for the result); a stale `version` (from the client's
    etag) is refused; no change is no change (no activity record, same version). Relationships already
    requested from it keep what they were requested with."""
    partner_id = require_gdap_manager(actor, "update GDAP template")
    refresh_role_catalog(session)
    t = _template(session, partner_id, template_id, lock=True)
    if version is not None and version != t.version:
        raise StaleEtag(resource="delegatedAdminTemplate", id=t.id)
    clean = _name(name) if name is not None else t.name
    duration = duration_days if duration_days is not None else t.duration_days
    extend = auto_extend_days if auto_extend_days is not None else t.auto_extend_days
    roles = validate_terms(
        duration_days=duration, role_ids=list(role_ids if role_ids is not None else t.role_ids), auto_extend_days=extend
    )
    if role_ids is not None:
        require_requestable(roles)
    wanted = (
        assignments
        if assignments is not None
        else [TemplateAssignment(a["securityGroupId"], a["roleIds"]) for a in t.assignments]
    )
    planned = _assignments(session, partner_id, roles, wanted)
    old = template_summary(t)
    new = {
        "name": clean,
        "roles": roles,
        "duration": iso_days(duration),
        "autoExtendDuration": iso_days(extend),
        "assignments": planned,
    }
    changed = sorted(k for k in new if new[k] != old[k])
    if not changed:
        return t
    if clean.lower() != t.name_key:
        _require_free_name(session, partner_id, clean, t.id)
    t.name, t.name_key, t.role_ids = clean, clean.lower(), roles
    t.duration_days, t.auto_extend_days, t.assignments = duration, extend, planned
    t.last_modified_at = utc_now()
    t.version += 1
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise GdapTemplateNameTaken(name=clean) from None
    _record(
        session,
        actor,
        t,
        Operation.UPDATE_GDAP_TEMPLATE,
        old={k: old[k] for k in changed},
        new={k: new[k] for k in changed},
    )
    return t


def delete_template(session: Session, actor: Actor, *, template_id: str, version: int | None = None) -> GdapTemplate:
    """Delete a template; relationships requested from it are unchanged (they keep its id as a record)."""
    partner_id = require_gdap_manager(actor, "delete GDAP template")
    t = _template(session, partner_id, template_id, lock=True)
    if version is not None and version != t.version:
        raise StaleEtag(resource="delegatedAdminTemplate", id=t.id)
    t.last_modified_at = utc_now()
    _record(session, actor, t, Operation.DELETE_GDAP_TEMPLATE, old=template_summary(t), new=None)
    session.delete(t)
    session.flush()
    return t


# --- relationships from a template -------------------------------------------------------------------------


def _display_name(base: str) -> str:
    """A relationship's name from a template's (or the renewed relationship's): unique by a short random tail,
    within Graph's 50 characters."""
    return f"{' '.join(base.split())[:41].rstrip()} {new_id()[:8]}"


def request_from_template(
    session: Session, actor: Actor, template_id: str, customer_id: str, *, display_name: str | None = None
) -> AdminRelationship:
    """A GDAP relationship for a customer with the template's roles, duration and auto-extend, locked for the
    customer's approval at once (→ approvalPending), under every rule of a normal request. It records the
    template and the template's security groups as they are now: when the customer approves, their access
    assignments are created in the approval's transaction."""
    partner_id = require_gdap_manager(actor, "request admin relationship from template")
    t = _template(session, partner_id, template_id)
    rel = create_admin_relationship(
        session,
        actor,
        customer_id=customer_id,
        display_name=display_name or _display_name(t.name),
        role_ids=list(t.role_ids),
        duration_days=t.duration_days,
        auto_extend_days=t.auto_extend_days,
        template_id=t.id,
        planned_assignments=[dict(a) for a in t.assignments],
    )
    return lock_for_approval(session, actor, admin_relationship_id=rel.id)


def _renewal_of(session: Session, rel: AdminRelationship) -> AdminRelationship | None:
    """A renewal of `rel` still waiting for the customer or already active."""
    now = utc_now()
    stmt = select(AdminRelationship).where(
        AdminRelationship.renewed_from_id == rel.id,
        AdminRelationship.status.in_((*REQUEST_STATUSES, AdminRelationshipStatus.ACTIVE)),
    )
    return next((r for r in session.scalars(stmt) if r.status_at(now) != AdminRelationshipStatus.EXPIRED), None)


def renew_relationship(session: Session, actor: Actor, relationship_id: str) -> AdminRelationship:
    """A new relationship for the same customer, so that access goes on after `relationship_id` ends: from its
    template if it came from one that still exists (roles, duration, security groups), else from its own roles,
    duration and live access assignments; WITHOUT Global Administrator and with auto-extend on (180 days), so
    that it stays alive. It is locked for the customer's approval at once and records what it renews.

    Refused unless the old relationship is active (expiring soon included), and while an earlier renewal of it
    is waiting or active. The old relationship is locked, so two renewals at once make one."""
    partner_id = require_gdap_manager(actor, "renew admin relationship")
    old = get_admin_relationship_scoped(
        session,
        actor,
        admin_relationship_id=relationship_id,
        operation="renew admin relationship",
        lock=True,
        partner_only=True,
    )
    status = old.status_at(utc_now())
    if status != AdminRelationshipStatus.ACTIVE:
        raise AdminRelationshipNotRenewable(id=old.id, status=status)
    pending = _renewal_of(session, old)
    if pending is not None:
        raise AdminRelationshipRenewalPending(id=old.id, renewal=pending.display_name, status=pending.status)
    refresh_role_catalog(session)
    template = session.get(GdapTemplate, old.template_id) if old.template_id else None
    if template is not None and template.partner_id != partner_id:
        template = None
    catalog = current_catalog()
    source_roles = template.role_ids if template else old.role_ids
    roles = [
        r for r in source_roles if r != GLOBAL_ADMINISTRATOR and r in catalog.by_id and not catalog.by_id[r].retired
    ]
    if template is not None:
        plans = list(template.assignments)
    else:
        live = session.scalars(
            select(AccessAssignment).where(
                AccessAssignment.admin_relationship_id == old.id, AccessAssignment.status == "active"
            )
        )
        plans = [{"securityGroupId": a.security_group_id, "roleIds": list(a.role_ids)} for a in live]
    planned = [
        {"securityGroupId": p["securityGroupId"], "roleIds": [r for r in p["roleIds"] if r in roles]} for p in plans
    ]
    rel = create_admin_relationship(
        session,
        actor,
        customer_id=old.customer_id,
        display_name=_display_name(template.name if template else old.display_name),
        role_ids=roles,
        duration_days=template.duration_days if template else old.duration_days,
        auto_extend_days=RENEWAL_AUTO_EXTEND_DAYS,
        template_id=template.id if template else None,
        planned_assignments=[p for p in planned if p["roleIds"]],
        renewed_from_id=old.id,
    )
    return lock_for_approval(session, actor, admin_relationship_id=rel.id)
