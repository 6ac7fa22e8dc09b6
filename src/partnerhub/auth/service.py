"""Users, roles and API tokens: who may sign in, and the Actor a credential stands for."""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from partnerhub.audit.operations import Operation, ResourceType
from partnerhub.audit.service import record
from partnerhub.auth.actor import Actor
from partnerhub.auth.models import CUSTOMER_ROLES, PARTNER_ROLES, ApiToken, Role, User, WebSession
from partnerhub.auth.passwords import hash_password, verify_against_dummy, verify_password
from partnerhub.clock import utc_now
from partnerhub.errors import (
    DuplicateEmail,
    Forbidden,
    InvalidInput,
    InvalidRole,
    LastGlobalAdmin,
    PasswordChangeRequired,
    TokenExpired,
    TokenNotFound,
    TokenRevoked,
    Unauthenticated,
    UnknownUser,
    UserNotFound,
)
from partnerhub.ids import new_id, new_password
from partnerhub.tenants.domains import require_partner_email_domain
from partnerhub.tenants.models import Partner, Tenant


def _scope_kwargs(session: Session, tenant_id: str | None) -> dict[str, Any]:
    partner_id, customer_id = _scope_of(session, tenant_id)
    return {"partner_id": partner_id, "customer_id": customer_id}


def _scope_of(session: Session, tenant_id: str | None) -> tuple[str | None, str | None]:
    """The partner_id/customer_id an activity record about a user of `tenant_id` belongs to, so that the
    user's own tenant sees it in its activity log whoever acted (the operator included)."""
    tenant = session.get(Tenant, tenant_id) if tenant_id else None
    if tenant is None:
        return None, None
    if tenant.kind == "partner":
        return tenant.id, None
    return None, tenant.id


def normalize_email(email: str) -> str:
    email = email.strip().lower()
    if (
        "@" not in email
        or email.startswith("@")
        or email.endswith("@")
        or len(email) > 320
        or any(c.isspace() or not c.isprintable() for c in email)
    ):  # a CR/LF could forge a mail header
        raise InvalidInput(detail=f"{email!r} is not an e-mail address")
    return email


def parse_roles(values: list[str], *, tenant_kind: str) -> list[str]:
    """Validate role names for a tenant kind (accepts `admin-agent`, `Admin agent`, `admin_agent`)."""
    allowed = PARTNER_ROLES if tenant_kind == "partner" else CUSTOMER_ROLES
    out: list[str] = []
    for raw in values:
        key = raw.strip().lower().replace(" ", "-").replace("_", "-")
        if key not in {r.value for r in allowed}:
            raise InvalidRole(role=raw, allowed=", ".join(r.value for r in allowed))
        if key not in out:
            out.append(key)
    if not out:
        raise InvalidInput(detail="a user needs at least one role")
    return out


def new_user(
    session: Session,
    *,
    tenant_id: str | None,
    email: str,
    roles: list[str],
    display_name: str = "",
    locale: str = "",
) -> tuple[User, str]:
    """Create a user with a random one-time password; returns the user and the password (shown once).
    `locale` "" means no setting yet: pages follow the browser, messages default to English."""
    email = normalize_email(email)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise DuplicateEmail(email=email)
    password = new_password()
    user = User(
        id=new_id(),
        tenant_id=tenant_id,
        email=email,
        display_name=display_name or email.split("@")[0],
        password_hash=hash_password(password),
        roles=roles,
        locale=locale,
        created_at=utc_now(),
        password_is_one_time=True,
    )
    session.add(user)
    return user, password


def actor_for_user(session: Session, user: User, *, application: str = "cli") -> Actor:
    tenant_kind: str | None = None
    partner_type: str | None = None
    if user.tenant_id is not None:
        tenant = session.get(Tenant, user.tenant_id)
        assert tenant is not None
        tenant_kind = tenant.kind
        if tenant_kind == "partner":
            partner = session.get(Partner, user.tenant_id)
            partner_type = partner.partner_type if partner else None
    return Actor(
        user_id=user.id,
        email=user.email,
        tenant_id=user.tenant_id,
        tenant_kind=tenant_kind,
        roles=frozenset(user.roles),
        partner_type=partner_type,
        application=application,
        locale=user.locale,
    )


def actor_for_email(session: Session, email: str, *, application: str = "cli") -> Actor:
    """The actor for a local user (the CLI's `--as`): the shell on the server is trusted."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.is_active:
        raise UnknownUser(email=email)
    return dataclasses.replace(actor_for_user(session, user, application=application), via_shell=True)


def check_password(session: Session, *, email: str, password: str) -> User:
    """The active user an e-mail and password belong to; the same error whatever was wrong. An unknown
    e-mail is verified against a dummy hash, so both answers cost the same (F6)."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        verify_against_dummy(password)
        raise Unauthenticated()
    if not verify_password(user.password_hash, password) or not user.is_active:
        raise Unauthenticated()
    return user


def authenticate_password(session: Session, *, email: str, password: str) -> Actor:
    """The actor for an e-mail and password; the same error whatever was wrong."""
    return actor_for_user(session, check_password(session, email=email, password=password), application="web")


def end_sessions_and_tokens(session: Session, user_id: str, *, keep_session_id: str | None, now: datetime) -> None:
    """F3: every web session and API token of the user stops working, but the session making the change."""
    ended = update(WebSession).where(WebSession.user_id == user_id, WebSession.ended_at.is_(None)).values(ended_at=now)
    if keep_session_id is not None:
        ended = ended.where(WebSession.id != keep_session_id)
    session.execute(ended)
    session.execute(
        update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None)).values(revoked_at=now)
    )


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    id: str
    token: str
    expires_at: datetime


def create_token(session: Session, actor: Actor, *, expires_days: int = 90, name: str = "") -> IssuedToken:
    """Issue an API token for the acting user: 256 random bits, only its SHA-256 stored, shown once. A user
    who still has a generated (one-time) password gets none (F1), except from the trusted shell on the server
    (the operator's CLI). A token made by a session signed in with MFA carries that second factor."""
    if actor.user_id is None:
        raise Forbidden(operation="create API token")
    user = session.get(User, actor.user_id)
    if user is None or (user.password_is_one_time and not actor.via_shell):
        raise PasswordChangeRequired()
    if not 1 <= expires_days <= 730:
        raise InvalidInput(detail="a token lives 1 to 730 days")
    now = utc_now()
    token = "ph_" + secrets.token_urlsafe(32)
    row = ApiToken(
        id=new_id(),
        user_id=actor.user_id,
        token_hash=_token_hash(token),
        name=name,
        created_at=now,
        expires_at=now + timedelta(days=expires_days),
        is_mfa=actor.mfa,
    )
    session.add(row)
    record(
        session,
        actor,
        operation=Operation.CREATE_API_TOKEN,
        resource_type=ResourceType.API_TOKEN,
        resource_id=row.id,
        **_scope_kwargs(session, actor.tenant_id),
        new={"id": row.id, "expiresAt": row.expires_at.isoformat(), "name": name},
        now=now,
    )
    return IssuedToken(row.id, token, row.expires_at)


def revoke_token(session: Session, actor: Actor, *, token_id: str) -> ApiToken:
    """Revoke a token: the owner, a Global admin of the owner's tenant, or the operator."""
    row = session.get(ApiToken, token_id)
    if row is None:
        raise TokenNotFound(id=token_id)
    owner = session.get(User, row.user_id)
    assert owner is not None
    same_user = owner.id == actor.user_id
    tenant_admin = (
        actor.tenant_id is not None and owner.tenant_id == actor.tenant_id and actor.has_any(Role.GLOBAL_ADMIN)
    )
    if not (same_user or tenant_admin or actor.is_operator):
        raise TokenNotFound(id=token_id)
    if row.revoked_at is None:
        row.revoked_at = utc_now()
        record(
            session,
            actor,
            operation=Operation.REVOKE_API_TOKEN,
            resource_type=ResourceType.API_TOKEN,
            resource_id=row.id,
            **_scope_kwargs(session, owner.tenant_id),
            new={"revokedAt": row.revoked_at.isoformat()},
        )
    return row


def list_tokens(session: Session, actor: Actor) -> list[ApiToken]:
    """The acting user's tokens (never their secrets)."""
    if actor.user_id is None:
        return []
    stmt = select(ApiToken).where(ApiToken.user_id == actor.user_id).order_by(ApiToken.created_at.desc())
    return list(session.scalars(stmt))


# One statement, built once: this runs on every API request. Its columns (not entities) are all the actor
# needs, and a statement built once also computes its cache key once.
_TOKEN_ACTOR = (
    select(
        ApiToken.id,
        ApiToken.revoked_at,
        ApiToken.expires_at,
        ApiToken.is_mfa,
        User.id,
        User.email,
        User.tenant_id,
        User.roles,
        User.is_active,
        User.locale,
        Tenant.kind,
        Partner.partner_type,
    )
    .join(User, User.id == ApiToken.user_id)
    .outerjoin(Tenant, Tenant.id == User.tenant_id)
    .outerjoin(Partner, Partner.id == User.tenant_id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
)


def authenticate_token(session: Session, token: str, *, application: str = "api") -> Actor:
    """The actor a bearer token stands for; expired or revoked tokens stop working at once."""
    found = session.execute(_TOKEN_ACTOR, {"token_hash": _token_hash(token)}).first()
    if found is None:
        raise Unauthenticated()
    (
        token_id,
        revoked_at,
        expires_at,
        is_mfa,
        user_id,
        email,
        tenant_id,
        roles,
        is_active,
        locale,
        kind,
        partner_type,
    ) = found
    if revoked_at is not None:
        raise TokenRevoked()
    if expires_at <= utc_now():
        raise TokenExpired()
    if not is_active:
        raise Unauthenticated()
    return Actor(
        user_id=user_id,
        email=email,
        tenant_id=tenant_id,
        tenant_kind=kind,
        roles=frozenset(roles),
        partner_type=partner_type,
        application=f"{application}:{token_id}",
        locale=locale,
        mfa=is_mfa,
    )


# --- partner users ---------------------------------------------------------------------------------


def _tenant_user(session: Session, actor: Actor, email: str) -> User:
    user = session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None or (not actor.is_operator and user.tenant_id != actor.tenant_id):
        raise UserNotFound(id=email)
    return user


def add_partner_user(
    session: Session, actor: Actor, *, email: str, roles: list[str], display_name: str = "", locale: str = ""
) -> tuple[User, str]:
    """A partner Global admin adds a user to its own tenant with roles; returns the one-time password. The
    e-mail address is in one of the partner's verified domains (F5), checked before anything else about it,
    so that the answer never tells whether an address of another tenant exists."""
    partner_id = actor.require_partner("add user")
    if Role.GLOBAL_ADMIN not in actor.roles:
        raise Forbidden(operation="add user")
    require_partner_email_domain(session, partner_id, normalize_email(email))
    parsed = parse_roles(roles, tenant_kind="partner")
    user, password = new_user(
        session, tenant_id=partner_id, email=email, roles=parsed, display_name=display_name, locale=locale
    )
    record(
        session,
        actor,
        operation=Operation.ADD_USER,
        resource_type=ResourceType.USER,
        resource_id=user.id,
        partner_id=partner_id,
        new={"email": user.email, "roles": parsed},
    )
    return user, password


def set_user_roles(session: Session, actor: Actor, *, email: str, roles: list[str]) -> User:
    """A partner Global admin changes a user's roles; the tenant keeps at least one Global admin."""
    partner_id = actor.require_partner("set roles")
    if Role.GLOBAL_ADMIN not in actor.roles:
        raise Forbidden(operation="set roles")
    user = _tenant_user(session, actor, email)
    parsed = parse_roles(roles, tenant_kind="partner")
    old = list(user.roles)
    if Role.GLOBAL_ADMIN in old and Role.GLOBAL_ADMIN not in parsed:
        admins = session.scalars(select(User).where(User.tenant_id == partner_id, User.is_active.is_(True)))
        if sum(1 for u in admins if Role.GLOBAL_ADMIN in u.roles) <= 1:
            raise LastGlobalAdmin()
    if old != parsed:
        user.roles = parsed
        record(
            session,
            actor,
            operation=Operation.UPDATE_USER_ROLES,
            resource_type=ResourceType.USER,
            resource_id=user.id,
            partner_id=partner_id,
            old={"roles": old},
            new={"roles": parsed},
        )
    return user


def reset_user_password(session: Session, actor: Actor, *, email: str) -> tuple[User, str]:
    """A partner Global admin (or the operator) sets a new random password, shown once: it works for one
    sign-in, which must set a new one; every session and API token of the user ends (F1, F3)."""
    user = _tenant_user(session, actor, email)
    if not (actor.is_operator or user.id == actor.user_id or Role.GLOBAL_ADMIN in actor.roles):
        raise Forbidden(operation="reset password")
    password = new_password()
    user.password_hash = hash_password(password)
    user.password_is_one_time = True
    end_sessions_and_tokens(session, user.id, keep_session_id=None, now=utc_now())
    record(
        session,
        actor,
        operation=Operation.RESET_USER_PASSWORD,
        resource_type=ResourceType.USER,
        resource_id=user.id,
        **_scope_kwargs(session, user.tenant_id),
        new={"email": user.email},
    )
    return user, password


def list_users(session: Session, actor: Actor) -> list[User]:
    """The users of the actor's own tenant (all users for the operator)."""
    stmt = select(User).order_by(User.email)
    if not actor.is_operator:
        if actor.tenant_id is None:
            return []
        stmt = stmt.where(User.tenant_id == actor.tenant_id)
    return list(session.scalars(stmt))
