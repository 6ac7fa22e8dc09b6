"""GDAP for one customer as a whole, the unit of work of the bulk jobs: end every active admin relationship the
partner holds with it, request one from a template, or renew every active one."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from partnerhub.auth.actor import Actor
from partnerhub.clock import utc_now
from partnerhub.delegated_admin.gdap import terminate_admin_relationship
from partnerhub.delegated_admin.models import (
    REQUEST_STATUSES,
    AdminRelationship,
    AdminRelationshipStatus,
    GdapTemplate,
)
from partnerhub.delegated_admin.queries import require_gdap_manager
from partnerhub.delegated_admin.templates import renew_relationship, request_from_template
from partnerhub.errors import (
    GdapTemplateNotFound,
    NoActiveAdminRelationship,
    NothingToRenew,
    TemplateRequestPending,
)
from partnerhub.ids import normalize_id
from partnerhub.relationships.queries import require_active_relationship

ENDABLE = (AdminRelationshipStatus.ACTIVE, AdminRelationshipStatus.TERMINATION_REQUESTED)


def terminate_customer_admin_relationships(
    session: Session, actor: Actor, *, customer_id: str
) -> list[AdminRelationship]:
    """The partner (Global admin, Admin agent) ends every admin relationship it holds active with the
    customer, each as `terminate_admin_relationship` does (its own activity record and request). Requests not
    yet approved are left alone; a customer with no active relationship (one past its end is expired already)
    is refused, so a bulk report tells it apart from one whose access did end. The rows are locked first, in
    a stable order, so two runs on the same customer end each relationship once."""
    partner_id = require_gdap_manager(actor, "terminate admin relationship")
    customer_id = normalize_id(customer_id)
    now = utc_now()
    rows = session.scalars(
        select(AdminRelationship)
        .where(
            AdminRelationship.partner_id == partner_id,
            AdminRelationship.customer_id == customer_id,
            AdminRelationship.status.in_(ENDABLE),
        )
        .order_by(AdminRelationship.created_at, AdminRelationship.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    open_ones = [r for r in rows if r.status_at(now) in ENDABLE]
    if not open_ones:
        raise NoActiveAdminRelationship(customer_id=customer_id)
    return [terminate_admin_relationship(session, actor, admin_relationship_id=r.id) for r in open_ones]


def _active(session: Session, partner_id: str, customer_id: str, *, lock: bool) -> list[AdminRelationship]:
    """The partner's relationships with the customer that are active as of now, oldest first."""
    stmt = (
        select(AdminRelationship)
        .where(
            AdminRelationship.partner_id == partner_id,
            AdminRelationship.customer_id == customer_id,
            AdminRelationship.status == AdminRelationshipStatus.ACTIVE,
        )
        .order_by(AdminRelationship.created_at, AdminRelationship.id)
    )
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    now = utc_now()
    return [r for r in session.scalars(stmt) if r.status_at(now) == AdminRelationshipStatus.ACTIVE]


def request_for_customer_from_template(
    session: Session, actor: Actor, *, template_id: str, customer_id: str
) -> AdminRelationship:
    """`request_from_template` for one customer of a bulk request (`template_id`: the id the job found when it
    started; a template deleted since is not found), refused while the customer already has a
    request from the same template waiting for its approval (a bulk request sent twice asks each customer
    once). The customer's reseller relationship is locked first (as a single request does), so two bulk jobs
    on the same customer make one request."""
    partner_id = require_gdap_manager(actor, "request admin relationship from template")
    customer_id = normalize_id(customer_id)
    require_active_relationship(session, partner_id=partner_id, customer_id=customer_id, lock=True)
    template = session.scalars(
        select(GdapTemplate).where(GdapTemplate.id == normalize_id(template_id), GdapTemplate.partner_id == partner_id)
    ).first()
    if template is None:  # the job found it when it started: it was deleted since
        raise GdapTemplateNotFound(id=template_id)
    now = utc_now()
    waiting = session.scalars(
        select(AdminRelationship).where(
            AdminRelationship.partner_id == partner_id,
            AdminRelationship.customer_id == customer_id,
            AdminRelationship.template_id == template.id,
            AdminRelationship.status.in_(REQUEST_STATUSES),
        )
    )
    pending = next((r for r in waiting if r.status_at(now) in REQUEST_STATUSES), None)
    if pending is not None:
        raise TemplateRequestPending(customer_id=customer_id, template=template.name, name=pending.display_name)
    return request_from_template(session, actor, template.id, customer_id)


def renew_customer_admin_relationships(
    session: Session, actor: Actor, *, customer_id: str
) -> list[tuple[AdminRelationship, AdminRelationship]]:
    """Renew (`renew_relationship`) every relationship the partner holds active with the customer: each gets a
    new one waiting for the customer's approval, without Global Administrator and with auto-extend on. All or
    nothing for the customer: one already renewed refuses the customer (with that relationship's reason), and
    a customer with no active relationship is refused. Returns (old, new) pairs."""
    partner_id = require_gdap_manager(actor, "renew admin relationship")
    customer_id = normalize_id(customer_id)
    active = _active(session, partner_id, customer_id, lock=True)
    if not active:
        raise NothingToRenew(customer_id=customer_id)
    return [(old, renew_relationship(session, actor, old.id)) for old in active]
