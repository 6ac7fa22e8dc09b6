"""/v1/customers/{id}/users: the customer tenant's users, administered through delegated admin (DAP, GDAP)
or by the customer's own Global admin: list, create, reset a password (shown once)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from partnerhub.auth.models import User
from partnerhub.delegated_admin.customer_users import (
    create_customer_user,
    list_customer_users,
    reset_customer_user_password,
)
from partnerhub.delegated_admin.schemas import customer_user_dict
from partnerhub.http.api import openapi_bodies as bodies
from partnerhub.http.api.context import Ctx, api_router
from partnerhub.http.api.paging import collection
from partnerhub.http.api.shapes import link
from partnerhub.ids import normalize_id

router = api_router(tags=["customer users (delegated admin)"])


def _user(customer_id: str, u: User, password: str | None = None) -> dict[str, Any]:
    out = customer_user_dict(u)
    if password is not None:
        # Partner Center's passwordProfile; partnerhub's passwords are random and never forced to change
        out["passwordProfile"] = {"password": password, "forceChangePassword": True}  # one-time (F1)
    out["links"] = {"self": link(f"/v1/customers/{customer_id}/users/{u.id}")}
    return out


@router.get("/customers/{customer_id}/users")
def get_customer_users(customer_id: str, request: Request, ctx: Ctx) -> Response:
    """The users of the customer tenant (User, Helpdesk or Global Administrator, Global Reader or Directory
    Readers there, through DAP or GDAP; or the customer's own Global admin)."""
    cid = normalize_id(customer_id)
    session = ctx.session
    items = [_user(cid, u) for u in list_customer_users(session, ctx.actor, customer_id=cid)]
    return ctx.respond(200, collection(request, items))


@router.post("/customers/{customer_id}/users", status_code=201, openapi_extra=bodies.CREATE_CUSTOMER_USER)
def post_customer_user(customer_id: str, ctx: Ctx) -> Response:
    """Create a user as Partner Center clients send one (`userPrincipalName`, `displayName` or `firstName`
    and `lastName`, `passwordProfile`, `usageLocation`...). The password is generated: the one-time password
    is in this answer's `passwordProfile` only (a password sent in the request is not used)."""
    b = ctx.body()
    cid = normalize_id(customer_id)
    user_name = b.text("userPrincipalName", required=True, max_length=254) or ""
    display_name = b.text("displayName", max_length=200)  # the column's length
    if not display_name:
        first, last = b.text("firstName", max_length=64) or "", b.text("lastName", max_length=64) or ""
        display_name = f"{first} {last}".strip()
    profile = b.obj("passwordProfile")
    if profile is not None:
        profile.text("password", max_length=256)
        profile.boolean("forceChangePassword")
    session = ctx.session
    user, password = create_customer_user(
        session, ctx.actor, customer_id=cid, user_name=user_name, display_name=display_name
    )
    body = _user(cid, user, password)
    return ctx.respond(201, body)


@router.patch("/customers/{customer_id}/users/{user_id}", openapi_extra=bodies.RESET_CUSTOMER_USER_PASSWORD)
def patch_customer_user(customer_id: str, user_id: str, ctx: Ctx) -> Response:
    """Reset a user's password, as Partner Center does it: PATCH with `passwordProfile` (required); the new
    random password is in this answer only. Other fields are not changed through this route."""
    b = ctx.body()
    cid = normalize_id(customer_id)
    profile = b.obj("passwordProfile", required=True)
    assert profile is not None
    profile.text("password", max_length=256)
    profile.boolean("forceChangePassword")
    session = ctx.session
    user, password = reset_customer_user_password(session, ctx.actor, customer_id=cid, user=user_id)
    body = _user(cid, user, password)
    return ctx.respond(200, body)
