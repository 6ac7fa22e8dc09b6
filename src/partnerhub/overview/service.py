"""The partner's dashboard: how many customers, subscriptions by status, pending relationship requests and
GDAP relationships that end soon — counted in the database, one query each, whatever the portfolio's size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from partnerhub.auth.actor import Actor
from partnerhub.auth.models import Role
from partnerhub.clock import utc_now
from partnerhub.delegated_admin.models import AdminRelationship, AdminRelationshipStatus
from partnerhub.invitations.models import InvitationStatus, RelationshipRequest
from partnerhub.relationships.models import RelationshipStatus, ResellerRelationship
from partnerhub.subscriptions.models import Subscription
from partnerhub.subscriptions.queries import belongs_to_partner

EXPIRING_WITHIN = timedelta(days=30)


@dataclass(frozen=True)
class PartnerOverview:
    customers: int
    active_subscriptions: int
    suspended_subscriptions: int
    pending_invitations: int
    gdap_expiring_soon: int  # active GDAP relationships ending within 30 days (auto-extending ones excluded)


def partner_overview(session: Session, actor: Actor, *, now: datetime | None = None) -> PartnerOverview:
    """The acting partner's figures; subscriptions count only for customers it still has a relationship
    with, so a removed customer's suspended subscriptions do not linger on the dashboard."""
    partner_id = actor.require_partner("dashboard", *Role)
    now = now or utc_now()
    active_rel = and_(
        ResellerRelationship.partner_id == partner_id, ResellerRelationship.status == RelationshipStatus.ACTIVE
    )
    customers = session.scalar(select(func.count()).select_from(ResellerRelationship).where(active_rel)) or 0
    related = select(ResellerRelationship.customer_id).where(active_rel)
    by_status: dict[str, int] = {
        str(status): int(count)
        for status, count in session.execute(
            select(Subscription.status, func.count())
            .where(
                belongs_to_partner(partner_id),
                Subscription.customer_id.in_(related),
                Subscription.status.in_(("active", "suspended")),
            )
            .group_by(Subscription.status)
        )
    }
    pending = (
        session.scalar(
            select(func.count())
            .select_from(RelationshipRequest)
            .where(
                RelationshipRequest.partner_id == partner_id,
                RelationshipRequest.status == InvitationStatus.SENT,
                RelationshipRequest.expires_at > now,
            )
        )
        or 0
    )
    expiring = (
        session.scalar(
            select(func.count())
            .select_from(AdminRelationship)
            .where(
                AdminRelationship.partner_id == partner_id,
                AdminRelationship.status == AdminRelationshipStatus.ACTIVE,
                AdminRelationship.auto_extend_days == 0,
                AdminRelationship.end_at > now,
                AdminRelationship.end_at <= now + EXPIRING_WITHIN,
            )
        )
        or 0
    )
    return PartnerOverview(
        customers=customers,
        active_subscriptions=by_status.get("active", 0),
        suspended_subscriptions=by_status.get("suspended", 0),
        pending_invitations=pending,
        gdap_expiring_soon=expiring,
    )
