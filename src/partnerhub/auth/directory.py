"""Reads for administering a partner's users: the tenant's users and one of them, for its Global admins only,
and the signed-in user's own record (its language setting)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from partnerhub.auth.actor import Actor
from partnerhub.auth.models import Role, User
from partnerhub.errors import Forbidden, UserNotFound
from partnerhub.ids import normalize_id


def _require_partner_global_admin(actor: Actor, operation: str) -> str:
    partner_id = actor.require_partner(operation)
    if Role.GLOBAL_ADMIN not in actor.roles:
        raise Forbidden(operation=operation)
    return partner_id


def list_partner_users(session: Session, actor: Actor) -> list[User]:
    """The users of the acting partner's tenant, by e-mail: only a partner Global admin may see them."""
    partner_id = _require_partner_global_admin(actor, "list users")
    return list(session.scalars(select(User).where(User.tenant_id == partner_id).order_by(User.email)))


def get_partner_user(session: Session, actor: Actor, *, user_id: str) -> User:
    """One user of the acting partner's tenant (partner Global admins only); a user of another tenant, or
    no user at all, is "not found"."""
    partner_id = _require_partner_global_admin(actor, "get user")
    user = session.get(User, normalize_id(user_id))
    if user is None or user.tenant_id != partner_id:
        raise UserNotFound(id=user_id)
    return user


def get_my_user(session: Session, actor: Actor) -> User:
    """The signed-in user's own record (an actor without a user, such as the system, has none)."""
    user = session.get(User, actor.user_id) if actor.user_id else None
    if user is None:
        raise UserNotFound(id=actor.email)
    return user
