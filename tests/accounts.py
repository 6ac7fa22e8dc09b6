"""Test users as real users are: their own password set at the first sign-in (F1), their authenticator
set up where the tenant requires it, and what that authenticator shows now. Shared by the web and browser
test helpers; everything goes through the services."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyotp
from sqlalchemy import Engine, select

from partnerhub.auth.actor import Actor
from partnerhub.auth.models import User
from partnerhub.auth.service import actor_for_user, reset_user_password
from partnerhub.auth.sign_in import confirm_mfa_enrolment, mfa_required, mfa_setup_key, set_mfa_policy
from partnerhub.clock import utc_now
from partnerhub.db import transaction
from tests.factories import OWN_PASSWORD, PartnerWorld, take_over


@dataclass
class Accounts:
    engine: Engine
    recovery_codes: dict[str, list[str]] = field(default_factory=dict)

    def own_password(self, email: str) -> str:
        """The user's own password: a user who still has a generated one sets it, as at a first sign-in."""
        with transaction(self.engine) as session:
            user = session.scalar(select(User).where(User.email == email.lower()))
            assert user is not None, email
            if user.password_is_one_time:
                _user, generated = reset_user_password(session, Actor.system(), email=email)
                take_over(session, user, generated)
        return OWN_PASSWORD

    def password_only(self, partner: PartnerWorld) -> str:
        """The partner's Global admin signs in with a password alone: the partner's Global admin has turned
        the MFA policy off and set their own password. Returns that password."""
        with transaction(self.engine) as session:
            set_mfa_policy(session, partner.admin, required=False)
        return self.own_password(partner.admin.email)

    def enrolled(self, email: str) -> None:
        """The user's authenticator is set up (as on My account) if the tenant's policy requires one."""
        with transaction(self.engine) as session:
            user = session.scalar(select(User).where(User.email == email.lower()))
            assert user is not None, email
            if user.has_mfa or not mfa_required(session, user):
                return
            secret = mfa_setup_key(session, user)
            self.recovery_codes[email.lower()] = confirm_mfa_enrolment(
                session, user, actor=actor_for_user(session, user), code=pyotp.TOTP(secret).now()
            )

    def code_of(self, email: str) -> str:
        """What the user's authenticator shows now: a code of a time step not used yet, else a recovery code
        (each time step signs in once)."""
        with transaction(self.engine) as session:
            user = session.scalar(select(User).where(User.email == email.lower()))
            assert user is not None and user.mfa_secret is not None
            totp = pyotp.TOTP(user.mfa_secret)
            now = totp.timecode(utc_now())
            for step in (now - 1, now, now + 1):
                if user.mfa_last_step is None or step > user.mfa_last_step:
                    return str(totp.generate_otp(step))
        return self.recovery_codes[email.lower()].pop()
