"""Relationship-request shapes shared by the doors: a partner's sent invitation (never with its code) and a
request in a customer's inbox, with the links that answer it."""

from __future__ import annotations

from typing import Any

from partnerhub.clock import iso_utc
from partnerhub.customers.schemas import content_etag
from partnerhub.invitations.inbox import ReceivedInvitation
from partnerhub.invitations.models import InvitationStatus, RelationshipRequest

REQUESTS = "/v1/relationshiprequests"


def _post(uri: str) -> dict[str, Any]:
    return {"uri": uri, "method": "POST", "headers": []}


def invitation_etag(r: RelationshipRequest, status: str) -> str:
    """A sent invitation's etag: what its answer shows that can change (its effective status and expiry), so a
    resend or revoke sent with an older one (If-Match) is refused with 2055."""
    return content_etag({"id": r.id.lower(), "status": status, "expiresAt": iso_utc(r.expires_at)})


def sent_invitation_dict(r: RelationshipRequest, status: str, *, may_resend: bool) -> dict[str, Any]:
    """An invitation as its partner lists it, without its code (shown once, by create and resend). For the roles
    that may invite, `links.resend` says how to get a new code while the invitation is sent or expired."""
    links = {"links": {"resend": _post(f"{REQUESTS}/{r.id}/resend")}} if may_resend else {}
    return {
        "id": r.id,
        "status": status,
        "customerId": r.customer_id,
        "language": r.language,
        "includeDelegatedAdmin": r.include_delegated_admin,
        "createdAt": iso_utc(r.created_at),
        "expiresAt": iso_utc(r.expires_at),
        **links,
        "attributes": {"objectType": "RelationshipRequest", "etag": invitation_etag(r, status)},
    }


def received_invitation_dict(received: ReceivedInvitation) -> dict[str, Any]:
    """A request in the customer's inbox: who asks, for what, until when; while it is pending, `links.accept`
    and `links.decline` answer it by its id (the customer never needs the code it was sent)."""
    r = received.request
    pending = received.status == InvitationStatus.SENT
    links = (
        {"links": {"accept": _post(f"{REQUESTS}/{r.id}/accept"), "decline": _post(f"{REQUESTS}/{r.id}/decline")}}
        if pending
        else {}
    )
    return {
        "id": r.id,
        "status": received.status,
        "partnerId": received.partner_id,
        "partnerName": received.partner_name,
        "partnerType": received.partner_type,
        "customerId": r.customer_id,
        "includeDelegatedAdmin": r.include_delegated_admin,
        "createdAt": iso_utc(r.created_at),
        "expiresAt": iso_utc(r.expires_at),
        "declinedAt": iso_utc(r.declined_at),
        **links,
        "attributes": {"objectType": "RelationshipRequest"},
    }
