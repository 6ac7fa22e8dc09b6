"""Sign-in security (issue 12): one-time passwords (F1), a password change ends the other sessions and the
tokens (F3), unknown e-mails cost a verification too (F6), TOTP multi-factor sign-in and the tenant's policy."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import pyotp
import pytest
from sqlalchemy.orm import Session

from partnerhub.auth import passwords
from partnerhub.auth.actor import Actor
from partnerhub.auth.models import User
from partnerhub.auth.service import (
    actor_for_email,
    actor_for_user,
    add_partner_user,
    authenticate_token,
    check_password,
    create_token,
    reset_user_password,
)
from partnerhub.auth.sign_in import (
    STEP_CODE,
    STEP_ENROL,
    STEP_PASSWORD,
    change_my_password,
    confirm_mfa_enrolment,
    mfa_setup_key,
    next_sign_in_step,
    require_own_sign_in,
    reset_user_mfa,
    set_mfa_policy,
    set_own_password,
    verify_second_factor,
)
from partnerhub.auth.web_sessions import actor_for_web_session, find_web_session_id, open_web_session
from partnerhub.clock import utc_now
from partnerhub.delegated_admin.gdap import approve_admin_relationship, create_admin_relationship, lock_for_approval
from partnerhub.delegated_admin.roles import USER_ADMINISTRATOR
from partnerhub.errors import (
    ApprovalNeedsMfa,
    ApprovalNeedsOwnPassword,
    Forbidden,
    PasswordChangeRequired,
    PasswordTooWeak,
    SessionExpired,
    TokenRevoked,
    Unauthenticated,
    UserNotFound,
    WrongCurrentPassword,
    WrongMfaCode,
)
from partnerhub.tenants.models import Tenant
from partnerhub.tenants.service import create_operator_account
from tests.activity import activity
from tests.conftest import World
from tests.factories import OWN_PASSWORD, make_customer, take_over

NEW_PASSWORD = "a much better passphrase"


def _user(session: Session, actor: Actor) -> User:
    user = session.get(User, actor.user_id)
    assert user is not None
    return user


def _new_agent(session: Session, world: World, local: str = "new.agent") -> tuple[User, str]:
    return add_partner_user(
        session, world.partner.admin, email=f"{local}@contoso-direct.example", roles=["admin-agent"]
    )


# --- F6: an unknown e-mail costs a verification too ---------------------------------------------------------


class CountingHasher:
    """A fake of the outside hashing library (argon2's PasswordHasher): counts verifications."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.verified: list[str] = []

    def hash(self, password: str) -> str:
        return str(self.real.hash(password))

    def verify(self, password_hash: str, password: str) -> bool:
        self.verified.append(password)
        return bool(self.real.verify(password_hash, password))


def test_an_unknown_email_is_verified_against_a_dummy_hash_as_a_known_one_is(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    counting = CountingHasher(passwords._hasher)
    monkeypatch.setattr(passwords, "_hasher", counting)
    with pytest.raises(Unauthenticated):
        check_password(session, email="nobody@contoso-direct.example", password="guess-one")
    with pytest.raises(Unauthenticated):
        check_password(session, email=world.partner.admin.email, password="guess-two")
    assert "guess-one" in counting.verified and "guess-two" in counting.verified


# --- F1: generated passwords work once ----------------------------------------------------------------------


def test_a_new_user_must_set_a_password_before_anything_else(session: Session, world: World) -> None:
    user, generated = _new_agent(session, world)
    assert user.password_is_one_time
    assert next_sign_in_step(session, user, mfa_done=False) == STEP_PASSWORD
    set_own_password(session, user, actor=actor_for_user(session, user), current=generated, new=NEW_PASSWORD)
    assert not user.password_is_one_time
    # the partner's policy (on for new partners) then asks for the authenticator
    assert next_sign_in_step(session, user, mfa_done=False) == STEP_ENROL
    [changed] = activity(session, operation="update_user_password", resource_id=user.id)
    assert changed.new_value == {"email": user.email, "replacedOneTimePassword": True}


def test_the_new_password_must_be_long_and_the_current_one_right(session: Session, world: World) -> None:
    user, generated = _new_agent(session, world)
    actor = actor_for_user(session, user)
    with pytest.raises(WrongCurrentPassword):
        set_own_password(session, user, actor=actor, current="not it", new=NEW_PASSWORD)
    with pytest.raises(PasswordTooWeak):
        set_own_password(session, user, actor=actor, current=generated, new="short")
    assert user.password_is_one_time


def test_no_token_for_a_user_who_still_has_a_generated_password(session: Session, world: World) -> None:
    user, _generated = _new_agent(session, world)
    with pytest.raises(PasswordChangeRequired):
        create_token(session, actor_for_user(session, user, application="web"))


def test_the_operators_shell_still_makes_tokens_for_any_user(session: Session, world: World) -> None:
    """The CLI on the server is the operator's tool (it holds the database anyway); documented."""
    user, _generated = _new_agent(session, world)
    issued = create_token(session, actor_for_email(session, user.email))
    assert authenticate_token(session, issued.token).user_id == user.id


def test_a_reset_makes_the_password_one_time_again(session: Session, world: World) -> None:
    user = _user(session, world.partner.admin_agent)
    assert not user.password_is_one_time
    reset_user_password(session, world.partner.admin, email=user.email)
    assert user.password_is_one_time


def _pending_gdap(session: Session, world: World) -> str:
    rel = create_admin_relationship(
        session,
        world.partner.admin,
        customer_id=world.customer_id,
        display_name="Ops",
        role_ids=[USER_ADMINISTRATOR],
        duration_days=30,
    )
    lock_for_approval(session, world.partner.admin, admin_relationship_id=rel.id)
    return rel.id


def test_gdap_approval_is_refused_with_the_password_the_partner_was_shown(session: Session, world: World) -> None:
    """The review's attack: the partner kept the customer admin's generated password and approved its own
    GDAP request with it."""
    created = make_customer(session, world.partner.admin, own_password=False)
    admin = actor_for_user(session, created.admin, application="web")
    rel = create_admin_relationship(
        session,
        world.partner.admin,
        customer_id=created.customer.id,
        display_name="Ops",
        role_ids=[USER_ADMINISTRATOR],
        duration_days=30,
    )
    lock_for_approval(session, world.partner.admin, admin_relationship_id=rel.id)
    with pytest.raises(ApprovalNeedsOwnPassword):
        approve_admin_relationship(session, admin, admin_relationship_id=rel.id)
    assert rel.status == "approvalPending"


def test_gdap_approval_needs_mfa_where_the_customer_requires_it(session: Session, world: World) -> None:
    rel_id = _pending_gdap(session, world)
    set_mfa_policy(session, world.customer_admin, required=True)
    with pytest.raises(ApprovalNeedsMfa):
        approve_admin_relationship(session, world.customer_admin, admin_relationship_id=rel_id)
    with_mfa = dataclasses.replace(world.customer_admin, mfa=True)
    assert approve_admin_relationship(session, with_mfa, admin_relationship_id=rel_id).status == "active"


def test_the_own_password_rule_holds_in_the_shell_too(session: Session, world: World) -> None:
    user = _user(session, world.customer_admin)
    user.password_is_one_time = True
    with pytest.raises(ApprovalNeedsOwnPassword):
        require_own_sign_in(session, actor_for_email(session, user.email))


# --- F3: a password change ends the other sessions and the tokens -------------------------------------------


def test_a_password_change_ends_every_other_session_and_token(session: Session, world: World) -> None:
    user = _user(session, world.partner.admin_agent)
    here = open_web_session(session, user, is_mfa=True, max_hours=8)
    elsewhere = open_web_session(session, user, is_mfa=True, max_hours=8)
    token = create_token(session, world.partner.admin_agent)
    change_my_password(
        session,
        here.actor,
        current=OWN_PASSWORD,
        new=NEW_PASSWORD,
        keep_session_id=find_web_session_id(session, here.token),
    )
    assert actor_for_web_session(session, here.token, idle_minutes=60).user_id == user.id
    with pytest.raises(SessionExpired):
        actor_for_web_session(session, elsewhere.token, idle_minutes=60)
    with pytest.raises(TokenRevoked):
        authenticate_token(session, token.token)


def test_a_reset_ends_every_session_and_token(session: Session, world: World) -> None:
    user = _user(session, world.partner.admin_agent)
    browser = open_web_session(session, user, is_mfa=True, max_hours=8)
    token = create_token(session, world.partner.admin_agent)
    reset_user_password(session, world.partner.admin, email=user.email)
    with pytest.raises(SessionExpired):
        actor_for_web_session(session, browser.token, idle_minutes=60)
    with pytest.raises(TokenRevoked):
        authenticate_token(session, token.token)


# --- TOTP ---------------------------------------------------------------------------------------------------


def _enrol(session: Session, user: User) -> tuple[pyotp.TOTP, list[str]]:
    totp = pyotp.TOTP(mfa_setup_key(session, user))
    codes = confirm_mfa_enrolment(session, user, actor=actor_for_user(session, user), code=totp.now())
    return totp, codes


def test_enrolment_needs_a_right_code_and_gives_ten_recovery_codes(session: Session, world: World) -> None:
    user = _user(session, world.partner.sales_agent)
    secret = mfa_setup_key(session, user)
    assert mfa_setup_key(session, user) == secret  # the same key until confirmed
    wrong = next(c for c in ("000000", "111111", "222222") if not pyotp.TOTP(secret).verify(c, valid_window=1))
    with pytest.raises(WrongMfaCode):
        confirm_mfa_enrolment(session, user, actor=world.partner.sales_agent, code=wrong)
    assert not user.has_mfa
    _totp, codes = _enrol(session, user)
    assert user.has_mfa and len(set(codes)) == 10
    assert next_sign_in_step(session, user, mfa_done=False) == STEP_CODE
    assert next_sign_in_step(session, user, mfa_done=True) is None


def test_a_code_signs_in_once_and_a_recovery_code_once(session: Session, world: World) -> None:
    user = _user(session, world.partner.sales_agent)
    totp, codes = _enrol(session, user)
    with pytest.raises(WrongMfaCode):  # the enrolment's code was used already
        verify_second_factor(session, user, code=totp.now())
    next_step = totp.at(utc_now() + timedelta(seconds=30))  # the app's next code (the window allows one step)
    verify_second_factor(session, user, code=next_step)
    with pytest.raises(WrongMfaCode):
        verify_second_factor(session, user, code=next_step)
    verify_second_factor(session, user, code=codes[0].upper(), actor=world.partner.sales_agent)
    with pytest.raises(WrongMfaCode):
        verify_second_factor(session, user, code=codes[0])


def test_new_partners_require_mfa_and_only_their_global_admin_changes_it(session: Session, world: World) -> None:
    tenant = session.get(Tenant, world.partner.partner_id)
    assert tenant is not None and tenant.requires_mfa
    with pytest.raises(Forbidden):
        set_mfa_policy(session, world.partner.admin_agent, required=False)
    set_mfa_policy(session, world.partner.admin, required=False)
    assert not tenant.requires_mfa
    [rec] = activity(session, operation="update_tenant_mfa_policy")
    assert rec.old_value == {"requireMfa": True} and rec.new_value == {"requireMfa": False}


def test_the_operator_always_needs_mfa(session: Session) -> None:
    user, generated = create_operator_account(session, Actor.system(), email="ops@partnerhub.example")
    take_over(session, user, generated)
    assert next_sign_in_step(session, user, mfa_done=False) == STEP_ENROL


def test_a_global_admin_resets_the_mfa_of_a_user_who_lost_the_phone(session: Session, world: World) -> None:
    user = _user(session, world.partner.sales_agent)
    _totp, codes = _enrol(session, user)
    token = create_token(session, world.partner.sales_agent)
    with pytest.raises(Forbidden):
        reset_user_mfa(session, world.partner.admin_agent, email=user.email)
    with pytest.raises(UserNotFound):  # another tenant's user is not found, never forbidden
        reset_user_mfa(session, world.other.admin, email=user.email)
    reset_user_mfa(session, world.partner.admin, email=user.email)
    assert not user.has_mfa and next_sign_in_step(session, user, mfa_done=False) == STEP_ENROL
    with pytest.raises(WrongMfaCode):
        verify_second_factor(session, user, code=codes[1])
    with pytest.raises(TokenRevoked):
        authenticate_token(session, token.token)
    [rec] = activity(session, operation="reset_user_mfa")
    assert rec.resource_id == user.id and rec.partner_id == world.partner.partner_id
