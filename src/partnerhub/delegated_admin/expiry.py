"""GDAP relationships that end soon: Microsoft Graph's `expiring` status as a database condition, the
dashboard's list of relationships ending within 30 days, and the warning mails to the partner's Global
admins 30 and 7 days before the end (queued in the mail outbox, once per relationship, mark and admin)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.orm import Session, aliased

from partnerhub.auth.actor import Actor
from partnerhub.auth.models import Role, User
from partnerhub.customers.models import Customer
from partnerhub.delegated_admin.models import (
    EXPIRING_WITHIN,
    REQUEST_LIFETIME,
    REQUEST_STATUSES,
    AdminRelationship,
    AdminRelationshipStatus,
)
from partnerhub.delegated_admin.queries import require_gdap_manager
from partnerhub.delegated_admin.roles import role_name
from partnerhub.locale import N_, gettext, normalize_locale
from partnerhub.mail.outbox import is_mail_address, queue_mail

WARNING_MARKS = (30, 7)  # days before the end: one warning mail each
WARNING_KIND = "gdap-expiry"

IN_ONE_DAY = N_("in 1 day")
IN_DAYS = N_("in {days} days")
SUBJECT = N_("GDAP relationship with {customer} ends on {date}")
BODY = N_(
    "Hello {name},\n\n"
    'The GDAP relationship "{relationship}" with {customer} ends on {date}, {when}. It does not '
    "extend automatically: when it ends, your security groups lose their access to {customer}'s tenant.\n\n"
    "Roles: {roles}\n\n"
    "Renew it from your partnerhub dashboard (the new relationship leaves out Global Administrator and extends "
    "itself every 180 days):\n{url}\n\n"
    "partnerhub"
)


def _expiring(now: datetime) -> ColumnElement[bool]:
    rel = AdminRelationship
    return and_(
        rel.status == AdminRelationshipStatus.ACTIVE,
        rel.auto_extend_days == 0,
        rel.end_at > now,
        rel.end_at <= now + EXPIRING_WITHIN,
    )


def status_condition(status: str, now: datetime) -> ColumnElement[bool]:
    """The relationships whose status as shown (`AdminRelationship.shown_status`) is `status` at `now`: an
    active one ending within 30 days without auto-extend is `expiring`, not `active`; one past its end or an
    unapproved request past 90 days is `expired` before the scheduled clock writes it."""
    rel, s = AdminRelationship, AdminRelationshipStatus
    past_end = and_(rel.status == s.ACTIVE, rel.auto_extend_days == 0, rel.end_at <= now)
    request_over = and_(rel.status.in_(REQUEST_STATUSES), rel.created_at <= now - REQUEST_LIFETIME)
    if status == s.EXPIRING:
        return _expiring(now)
    if status == s.ACTIVE:
        return and_(rel.status == s.ACTIVE, or_(rel.auto_extend_days > 0, rel.end_at > now + EXPIRING_WITHIN))
    if status == s.EXPIRED:
        return or_(rel.status == s.EXPIRED, past_end, request_over)
    if status in REQUEST_STATUSES:
        return and_(rel.status == status, rel.created_at > now - REQUEST_LIFETIME)
    return rel.status == status


@dataclass(frozen=True)
class EndingSoon:
    relationship: AdminRelationship
    customer_name: str
    renewal: AdminRelationship | None  # its renewal, waiting for the customer's approval or active


def list_relationships_ending_soon(
    session: Session, actor: Actor, *, now: datetime, limit: int = 100
) -> list[EndingSoon]:
    """The acting partner's GDAP relationships that end within 30 days and do not extend themselves (Global
    admin, Admin agent), soonest first, each with its renewal if one was asked: what the dashboard asks the
    partner to renew."""
    partner_id = require_gdap_manager(actor, "list admin relationships")
    rows = session.execute(
        select(AdminRelationship, Customer.company_name)
        .join(Customer, Customer.id == AdminRelationship.customer_id)
        .where(AdminRelationship.partner_id == partner_id, _expiring(now))
        .order_by(AdminRelationship.end_at, AdminRelationship.id)
        .limit(limit)
    ).all()
    renewals: dict[str, AdminRelationship] = {}
    if rows:
        for renewal in session.scalars(
            select(AdminRelationship).where(
                AdminRelationship.renewed_from_id.in_([rel.id for rel, _ in rows]),
                status_condition(AdminRelationshipStatus.APPROVAL_PENDING, now)
                | status_condition(AdminRelationshipStatus.CREATED, now)
                | (AdminRelationship.status == AdminRelationshipStatus.ACTIVE),
            )
        ):
            renewals[renewal.renewed_from_id or ""] = renewal
    return [EndingSoon(rel, name, renewals.get(rel.id)) for rel, name in rows]


def _renewed_and_active() -> ColumnElement[bool]:
    """An approved renewal of the relationship exists: access goes on, there is nothing to warn about."""
    renewal = aliased(AdminRelationship)
    return exists(
        select(renewal.id).where(
            renewal.renewed_from_id == AdminRelationship.id, renewal.status == AdminRelationshipStatus.ACTIVE
        )
    )


def warning_mark(rel: AdminRelationship, now: datetime) -> int | None:
    """The last warning mark (30 or 7 days before the end) an expiring relationship has crossed, else None."""
    if not rel.is_expiring_at(now) or rel.end_at is None:
        return None
    left = rel.end_at - now
    return min(m for m in WARNING_MARKS if left <= timedelta(days=m))


def in_days(days: int, locale: str) -> str:
    """ "in 1 day" / "in 7 days", in `locale` (the catalogs have no plural forms)."""
    return gettext(IN_ONE_DAY, locale) if days == 1 else gettext(IN_DAYS, locale).format(days=days)


def warning_text(
    *, rel: AdminRelationship, customer: str, admin: User, now: datetime, dashboard_url: str
) -> tuple[str, str]:
    """The subject and body of a warning, in the admin's language."""
    assert rel.end_at is not None
    lang = normalize_locale(admin.locale)
    date = rel.end_at.strftime("%Y-%m-%d")
    days = max(1, math.ceil((rel.end_at - now) / timedelta(days=1)))
    subject = gettext(SUBJECT, lang).format(customer=customer, date=date)
    body = gettext(BODY, lang).format(
        name=admin.display_name or admin.email,
        relationship=rel.display_name,
        customer=customer,
        date=date,
        when=in_days(days, lang),
        url=dashboard_url,
        roles=", ".join(role_name(r) for r in rel.role_ids),
    )
    return subject, body


def queue_expiry_warnings(session: Session, *, now: datetime, base_url: str, limit: int = 10_000) -> int:
    """Queue a warning to every active Global admin of the partner for each relationship that has crossed the
    30- or 7-day mark (active, no auto-extend, no approved renewal), once per relationship, mark and admin —
    whoever runs it, as often as it runs (the outbox key). A relationship first seen within 7 days gets the
    7-day warning only. Returns how many mails were queued."""
    rows = session.execute(
        select(AdminRelationship, Customer.company_name)
        .join(Customer, Customer.id == AdminRelationship.customer_id)
        .where(_expiring(now), ~_renewed_and_active())
        .order_by(AdminRelationship.end_at, AdminRelationship.id)
        .limit(limit)
    ).all()
    partners = {rel.partner_id for rel, _ in rows}
    admins: dict[str, list[User]] = {}
    if partners:
        for user in session.scalars(
            select(User)
            .where(User.tenant_id.in_(partners), User.is_active.is_(True))
            .order_by(User.created_at, User.id)
        ):
            if Role.GLOBAL_ADMIN in user.roles and user.tenant_id:
                admins.setdefault(user.tenant_id, []).append(user)
    queued = 0
    for rel, customer in rows:
        mark = warning_mark(rel, now)
        if mark is None:
            continue
        for admin in (a for a in admins.get(rel.partner_id, []) if is_mail_address(a.email)):
            subject, body = warning_text(
                rel=rel, customer=customer, admin=admin, now=now, dashboard_url=f"{base_url.rstrip('/')}/"
            )
            mail = queue_mail(
                session,
                key=f"{WARNING_KIND}:{rel.id}:{mark}:{admin.id}",
                kind=WARNING_KIND,
                partner_id=rel.partner_id,
                to=admin.email,
                language=admin.locale,
                subject=subject,
                body=body,
                now=now,
            )
            queued += mail is not None
    return queued
