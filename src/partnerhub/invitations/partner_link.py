"""The partner's reusable invitation link (Partner Center's `GET /v1/customers/relationshiprequests`): derived,
never stored, and rotatable.

The link's code is the partner's nonce (random, kept in the database) followed by an HMAC of the instance's
secret key over the partner id and that nonce. Partner Center answers the link on every read, so the server
derives it again each time; a dump of the database alone holds the nonce but not the key, so it cannot make a
code that accepts. Rotating gives the partner a new nonce: the old link stops working at once. A changed
instance key changes every partner's link the same way. (docs/adr/0001-partner-link-derived-from-the-key.md)"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from partnerhub.audit.operations import Operation, ResourceType
from partnerhub.audit.service import record
from partnerhub.auth.actor import Actor
from partnerhub.auth.models import Role
from partnerhub.tenants.models import NONCE_LENGTH, Partner, new_link_nonce

TAG_BYTES = 18  # 144 bits of HMAC-SHA-256...
TAG_LENGTH = 24  # ...in 24 URL-safe characters
LINK_INVITERS = (Role.ADMIN_AGENT, Role.SALES_AGENT)
LINK_ROTATORS = (Role.ADMIN_AGENT,)  # and the Global admin, who may do everything


def invitation_url(base_url: str, code: str) -> str:
    return f"{base_url.rstrip('/')}/invitations/{code}"


def hash_code(code: str) -> str:
    """What the database keeps of a bearer code: its SHA-256 (codes are random, 128 bits or more)."""
    return hashlib.sha256(code.encode()).hexdigest()


def _tag(secret_key: str, partner_id: str, nonce: str) -> str:
    mac = hmac.new(
        secret_key.encode(), f"partnerhub:partner-invitation-link:{partner_id}:{nonce}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(mac[:TAG_BYTES]).decode()


def partner_link_code(secret_key: str, partner: Partner) -> str:
    """The code of the partner's reusable link under the instance's key: its nonce, then the HMAC tag."""
    return partner.invitation_nonce + _tag(secret_key, partner.id, partner.invitation_nonce)


def may_rotate_link(actor: Actor) -> bool:
    return actor.is_partner_user and (Role.GLOBAL_ADMIN in actor.roles or actor.has_any(*LINK_ROTATORS))


@dataclass(frozen=True)
class PartnerLink:
    url: str
    partner_id: str


def partner_invitation_link(session: Session, actor: Actor, *, base_url: str, secret_key: str) -> PartnerLink:
    """Partner Center's reusable invitation link of the acting partner (no delegated admin): the same on
    every read until the partner rotates it. Only the roles that may invite see it."""
    partner_id = actor.require_partner("request relationship", *LINK_INVITERS)
    partner = session.get(Partner, partner_id)
    assert partner is not None
    return PartnerLink(invitation_url(base_url, partner_link_code(secret_key, partner)), partner_id)


def rotate_partner_link(session: Session, actor: Actor, *, base_url: str, secret_key: str) -> PartnerLink:
    """Replace the acting partner's reusable link (Global admin or Admin agent): the old link, and a clear
    code kept from before migration 0007, stop working at once. The activity record holds no code."""
    partner_id = actor.require_partner("rotate invitation link", *LINK_ROTATORS)
    partner = session.scalars(select(Partner).where(Partner.id == partner_id).with_for_update()).one()
    had_legacy = partner.legacy_invitation_code_hash is not None
    partner.invitation_nonce = new_link_nonce()
    partner.legacy_invitation_code_hash = None
    record(
        session,
        actor,
        operation=Operation.ROTATE_PARTNER_INVITATION_LINK,
        resource_type=ResourceType.PARTNER,
        resource_id=partner_id,
        partner_id=partner_id,
        old={"legacyLinkEnded": had_legacy},
        new={"rotated": True},
    )
    session.flush()
    return PartnerLink(invitation_url(base_url, partner_link_code(secret_key, partner)), partner_id)


def find_partner_by_link_code(session: Session, code: str, *, secret_key: str | None) -> Partner | None:
    """The partner whose reusable link carries `code`: a derived code (checked against the instance's key), or
    the clear code a partner had before migration 0007, by its hash. None if no partner's link carries it."""
    if secret_key is not None and len(code) == NONCE_LENGTH + TAG_LENGTH:
        partner = session.scalars(select(Partner).where(Partner.invitation_nonce == code[:NONCE_LENGTH])).first()
        if partner is not None and hmac.compare_digest(code.encode(), partner_link_code(secret_key, partner).encode()):
            return partner
    return session.scalars(select(Partner).where(Partner.legacy_invitation_code_hash == hash_code(code))).first()
