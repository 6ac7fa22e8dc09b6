"""Signing in as the power it grants deserves: generated passwords that work once, the user's own password,
TOTP multi-factor sign-in with recovery codes (set up, renewed, turned off, reset by an administrator), the
tenant's "require MFA for every user" policy, and the end of every other session and token when a password
changes (issue 12: F1, F3, F6)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

import pyotp
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from partnerhub.audit.operations import Operation, ResourceType
from partnerhub.audit.service import record
from partnerhub.auth.actor import Actor
from partnerhub.auth.directory import get_my_user
from partnerhub.auth.models import RecoveryCode, Role, User
from partnerhub.auth.passwords import hash_password, verify_password
from partnerhub.auth.service import _scope_kwargs, end_sessions_and_tokens
from partnerhub.clock import utc_now
from partnerhub.errors import (
    ApprovalNeedsMfa,
    ApprovalNeedsOwnPassword,
    Forbidden,
    InvalidInput,
    MfaAlreadyEnabled,
    MfaConfirmationMissing,
    MfaNotEnabled,
    MfaRequiredByPolicy,
    MfaRequiredForOperator,
    MfaResetByOwnAdmin,
    MfaResetOfOwnAccount,
    PasswordNotChanged,
    PasswordTooWeak,
    UserNotFound,
    WrongCurrentPassword,
    WrongMfaCode,
)
from partnerhub.ids import new_id
from partnerhub.tenants.models import Tenant

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
RECOVERY_CODES = 10
ISSUER = "partnerhub"

# The steps of a sign-in after a right password, in this order: the second factor of an enrolled user (so a
# leaked one-time password alone changes nothing), a new password in place of a generated one, and the
# enrolment that the tenant's policy requires.
STEP_CODE = "code"
STEP_PASSWORD = "password"  # noqa: S105 (the name of a step, not a password)
STEP_ENROL = "enrol"


def mfa_required(session: Session, user: User) -> bool:
    """The operator's accounts always need a second factor; a tenant's users when its policy says so."""
    if Role.OPERATOR in user.roles:
        return True
    tenant = session.get(Tenant, user.tenant_id) if user.tenant_id else None
    return bool(tenant and tenant.requires_mfa)


def next_sign_in_step(session: Session, user: User, *, mfa_done: bool, with_password: bool = True) -> str | None:
    """What the user must still do before a session is opened (None: nothing). A single sign-on
    (`with_password=False`) sets no password, and its provider's second factor (`mfa_done`) meets the policy."""
    if user.has_mfa and not mfa_done:
        return STEP_CODE
    if user.password_is_one_time and with_password:
        return STEP_PASSWORD
    if not user.has_mfa and not mfa_done and mfa_required(session, user):
        return STEP_ENROL
    return None


def password_fingerprint(user: User) -> str:
    """Changes whenever the password does: a half-finished sign-in stops working after a password change."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH or len(set(password)) < 2:
        raise PasswordTooWeak(minimum=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(detail=f"a password has at most {MAX_PASSWORD_LENGTH} characters")


def set_own_password(
    session: Session, user: User, *, actor: Actor, current: str, new: str, keep_session_id: str | None = None
) -> User:
    """The user replaces their password (the generated one at the first sign-in, or their own on My
    account): the current one must be right, the new one at least 12 characters and different. Every other
    session and every API token of the user ends (F3)."""
    if not verify_password(user.password_hash, current):
        raise WrongCurrentPassword()
    check_new_password(new)
    if new == current:
        raise PasswordNotChanged()
    now = utc_now()
    was_one_time = user.password_is_one_time
    user.password_hash = hash_password(new)
    user.password_is_one_time = False
    user.password_changed_at = now
    end_sessions_and_tokens(session, user.id, keep_session_id=keep_session_id, now=now)
    record(
        session,
        actor,
        operation=Operation.UPDATE_USER_PASSWORD,
        resource_type=ResourceType.USER,
        resource_id=user.id,
        **_scope_kwargs(session, user.tenant_id),
        new={"email": user.email, "replacedOneTimePassword": was_one_time},
        now=now,
    )
    return user


def change_my_password(
    session: Session, actor: Actor, *, current: str, new: str, keep_session_id: str | None = None
) -> User:
    """The signed-in user changes their own password (My account)."""
    user = session.get(User, actor.user_id) if actor.user_id else None
    if user is None:
        raise Forbidden(operation="change password")
    return set_own_password(session, user, actor=actor, current=current, new=new, keep_session_id=keep_session_id)


# --- TOTP -------------------------------------------------------------------------------------------


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret)


def mfa_setup_key(session: Session, user: User) -> str:
    """The key an authenticator app is set up with: a new one until enrolment is confirmed (kept between
    page views, so a scanned code stays valid), then never shown again."""
    if user.has_mfa:
        raise MfaAlreadyEnabled()
    if user.mfa_secret is None:
        user.mfa_secret = pyotp.random_base32()
    return user.mfa_secret


def provisioning_uri(user: User, secret: str) -> str:
    return _totp(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def _code_step(secret: str, code: str, *, after: int | None, now: datetime) -> int | None:
    """The time step a 6-digit code belongs to (this one, the one before or after), if it was not used."""
    totp = _totp(secret)
    current = totp.timecode(now)
    for step in (current, current - 1, current + 1):
        if (after is None or step > after) and secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _clean(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _code_hash(code: str) -> str:
    return hashlib.sha256(_clean(code).encode()).hexdigest()


def _new_recovery_codes(session: Session, user: User, *, now: datetime) -> list[str]:
    """Ten new one-time recovery codes (only their SHA-256 is kept); every unused code before stops working."""
    codes = [f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _ in range(RECOVERY_CODES)]
    session.execute(
        update(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)).values(used_at=now)
    )
    for c in codes:
        session.add(RecoveryCode(id=new_id(), user_id=user.id, code_hash=_code_hash(c), created_at=now))
    return codes


def confirm_mfa_enrolment(session: Session, user: User, *, actor: Actor, code: str) -> list[str]:
    """The user proves the authenticator works with one code: multi-factor sign-in is on, and ten one-time
    recovery codes are returned (shown once; only their SHA-256 is kept)."""
    if user.has_mfa:
        raise MfaAlreadyEnabled()
    if user.mfa_secret is None:
        raise WrongMfaCode()
    now = utc_now()
    step = _code_step(user.mfa_secret, _clean(code), after=None, now=now)
    if step is None:
        raise WrongMfaCode()
    user.mfa_enabled_at = now
    user.mfa_last_step = step
    codes = _new_recovery_codes(session, user, now=now)
    record(
        session,
        actor,
        operation=Operation.ENABLE_USER_MFA,
        resource_type=ResourceType.USER,
        resource_id=user.id,
        **_scope_kwargs(session, user.tenant_id),
        new={"email": user.email},
        now=now,
    )
    return codes


def _check_app_code(user: User, code: str, *, now: datetime) -> None:
    """A 6-digit code from the user's authenticator, each time step once (a recovery code is not one)."""
    cleaned = _clean(code)
    step = None
    if user.mfa_secret is not None and cleaned.isdigit() and len(cleaned) == 6:
        step = _code_step(user.mfa_secret, cleaned, after=user.mfa_last_step, now=now)
    if step is None:
        raise WrongMfaCode()
    user.mfa_last_step = step


def verify_second_factor(session: Session, user: User, *, code: str, actor: Actor | None = None) -> None:
    """A code from the authenticator (each time step once) or an unused recovery code (then used up)."""
    if not user.has_mfa or user.mfa_secret is None:
        raise WrongMfaCode()
    now = utc_now()
    cleaned = _clean(code)
    if cleaned.isdigit() and len(cleaned) == 6:
        _check_app_code(user, cleaned, now=now)
        return
    row = session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _code_hash(cleaned),
            RecoveryCode.used_at.is_(None),
        )
    )
    if row is None:
        raise WrongMfaCode()
    row.used_at = now
    if actor is not None:
        record(
            session,
            actor,
            operation=Operation.USE_MFA_RECOVERY_CODE,
            resource_type=ResourceType.USER,
            resource_id=user.id,
            **_scope_kwargs(session, user.tenant_id),
            new={"email": user.email},
            now=now,
        )


def recovery_codes_left(session: Session, user_id: str) -> int:
    rows = session.scalars(
        select(RecoveryCode.id).where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
    )
    return len(list(rows))


def _clear_factor(session: Session, user: User, *, now: datetime) -> None:
    user.mfa_secret = None
    user.mfa_enabled_at = None
    user.mfa_last_step = None
    session.execute(
        update(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)).values(used_at=now)
    )


@dataclass(frozen=True)
class MfaResetTarget:
    user: User
    organisation: str  # the name of the user's tenant; "" for an operator account
    enrols_again: bool  # the next sign-in sets up a new authenticator (the tenant requires it, or an operator)


def mfa_reset_target(session: Session, actor: Actor, *, email: str) -> MfaResetTarget:
    """Whose factor `actor` may reset, checked before the confirmation and again by the reset itself: a Global
    admin resets the users of its own tenant; the operator resets the Global admins of every tenant (and other
    operator accounts), whose users then ask them. Nobody resets their own here (My account turns it off or
    renews the recovery codes, after a code), nor a factor that is not set up. Another tenant's user is "not
    found". The server's shell may reset its own user's factor (an operator who lost the phone)."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    same_tenant = user is not None and actor.tenant_id is not None and user.tenant_id == actor.tenant_id
    if user is None or not (actor.is_operator or same_tenant):
        raise UserNotFound(id=email)
    if not actor.is_operator and Role.GLOBAL_ADMIN not in actor.roles:
        raise Forbidden(operation="reset multi-factor sign-in")
    if user.id == actor.user_id and not actor.via_shell:
        raise MfaResetOfOwnAccount()
    if actor.is_operator and user.tenant_id is not None and Role.GLOBAL_ADMIN not in user.roles:
        raise MfaResetByOwnAdmin()
    if not user.has_mfa:
        raise MfaNotEnabled(email=user.email)
    tenant = session.get(Tenant, user.tenant_id) if user.tenant_id else None
    return MfaResetTarget(user, tenant.name if tenant else "", mfa_required(session, user))


def reset_user_mfa(session: Session, actor: Actor, *, email: str) -> User:
    """A user who lost both the phone and the recovery codes (who may reset whom: `mfa_reset_target`): the
    factor and its recovery codes are cleared and the user's sessions and tokens end. Where the tenant
    requires MFA, the next sign-in sets up a new authenticator right after the password."""
    user = mfa_reset_target(session, actor, email=email).user
    now = utc_now()
    _clear_factor(session, user, now=now)
    end_sessions_and_tokens(session, user.id, keep_session_id=None, now=now)
    record(
        session,
        actor,
        operation=Operation.RESET_USER_MFA,
        resource_type=ResourceType.USER,
        resource_id=user.id,
        **_scope_kwargs(session, user.tenant_id),
        new={"email": user.email},
        now=now,
    )
    return user


def get_my_factor(session: Session, actor: Actor) -> User:
    """The signed-in user, whose multi-factor sign-in is set up (else MfaNotEnabled)."""
    user = get_my_user(session, actor)
    if not user.has_mfa:
        raise MfaNotEnabled(email=user.email)
    return user


def check_may_turn_off_mfa(session: Session, user: User) -> None:
    """An operator's account always keeps its second factor; so does every user whose tenant requires it."""
    if Role.OPERATOR in user.roles:
        raise MfaRequiredForOperator()
    if mfa_required(session, user):
        raise MfaRequiredByPolicy()


def regenerate_recovery_codes(session: Session, actor: Actor, *, code: str) -> list[str]:
    """The signed-in user gets ten new recovery codes, shown once, after a code from the authenticator (a
    recovery code cannot renew them); every code left from before stops working."""
    user = get_my_factor(session, actor)
    now = utc_now()
    _check_app_code(user, code, now=now)
    codes = _new_recovery_codes(session, user, now=now)
    record(
        session,
        actor,
        operation=Operation.REGENERATE_MFA_RECOVERY_CODES,
        resource_type=ResourceType.USER,
        resource_id=user.id,
        **_scope_kwargs(session, user.tenant_id),
        new={"email": user.email, "count": len(codes)},
        now=now,
    )
    return codes


def turn_off_my_mfa(session: Session, actor: Actor, *, code: str = "", password: str = "") -> User:
    """The signed-in user turns their own multi-factor sign-in off, confirming with a code from the
    authenticator or their password; never where the tenant requires it, never an operator. The factor and its
    recovery codes are cleared; sessions and tokens go on (the user chose it, from one of them)."""
    user = get_my_factor(session, actor)
    check_may_turn_off_mfa(session, user)
    now = utc_now()
    if code.strip():
        _check_app_code(user, code, now=now)
        confirmed_with = "code"
    elif password:
        if not verify_password(user.password_hash, password):
            raise WrongCurrentPassword()
        confirmed_with = "password"
    else:
        raise MfaConfirmationMissing()
    _clear_factor(session, user, now=now)
    record(
        session,
        actor,
        operation=Operation.DISABLE_USER_MFA,
        resource_type=ResourceType.USER,
        resource_id=user.id,
        **_scope_kwargs(session, user.tenant_id),
        new={"email": user.email, "confirmedWith": confirmed_with},
        now=now,
    )
    return user


# --- the tenant's policy ----------------------------------------------------------------------------


def set_mfa_policy(session: Session, actor: Actor, *, required: bool) -> Tenant:
    """The tenant's Global admin decides whether every user of the tenant must sign in with MFA."""
    if actor.tenant_id is None or Role.GLOBAL_ADMIN not in actor.roles:
        raise Forbidden(operation="set the MFA policy")
    tenant = session.get(Tenant, actor.tenant_id)
    assert tenant is not None
    if tenant.requires_mfa != required:
        old = tenant.requires_mfa
        tenant.requires_mfa = required
        kind = ResourceType.PARTNER if tenant.kind == "partner" else ResourceType.CUSTOMER
        record(
            session,
            actor,
            operation=Operation.UPDATE_TENANT_MFA_POLICY,
            resource_type=kind,
            resource_id=tenant.id,
            **_scope_kwargs(session, tenant.id),
            old={"requireMfa": old},
            new={"requireMfa": required},
        )
    return tenant


def tenant_requires_mfa(session: Session, tenant_id: str | None) -> bool:
    tenant = session.get(Tenant, tenant_id) if tenant_id else None
    return bool(tenant and tenant.requires_mfa)


def require_own_sign_in(session: Session, actor: Actor) -> None:
    """F1: a power as large as approving GDAP needs a user who signed in with their own password (never a
    generated one, which someone else saw), and with a second factor where the tenant requires it. The
    trusted shell on the server counts as a second factor; the one-time password rule holds there too."""
    user = session.get(User, actor.user_id) if actor.user_id else None
    if user is None or user.password_is_one_time:
        raise ApprovalNeedsOwnPassword()
    if mfa_required(session, user) and not (actor.mfa or actor.via_shell):
        raise ApprovalNeedsMfa()
