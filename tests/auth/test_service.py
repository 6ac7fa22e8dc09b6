"""Authentication and users: argon2 passwords, API tokens stored only as SHA-256, partner users and their
roles, and partner onboarding by the operator."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from partnerhub.auth.actor import Actor
from partnerhub.auth.models import ApiToken, Role, User
from partnerhub.auth.passwords import hash_password, verify_password
from partnerhub.auth.service import (
    actor_for_user,
    add_partner_user,
    authenticate_password,
    authenticate_token,
    create_token,
    list_tokens,
    reset_user_password,
    revoke_token,
    set_user_roles,
)
from partnerhub.clock import frozen_at
from partnerhub.errors import (
    DuplicateEmail,
    EmailOutsideVerifiedDomains,
    Forbidden,
    InvalidInput,
    InvalidRole,
    LastGlobalAdmin,
    TokenExpired,
    TokenNotFound,
    TokenRevoked,
    Unauthenticated,
    UserNotFound,
)
from partnerhub.tenants.models import Partner, PartnerType, Tenant, TenantKind
from partnerhub.tenants.service import create_partner, parse_partner_type
from tests.activity import activity
from tests.conftest import World

T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def _user(session: Session, actor: Actor) -> User:
    assert actor.user_id is not None
    user = session.get(User, actor.user_id)
    assert user is not None
    return user


# --- passwords -------------------------------------------------------------------------------------------


def test_passwords_are_hashed_with_argon2_and_verified() -> None:
    hashed = hash_password("correct horse battery staple")
    assert hashed.startswith("$argon2")
    assert "correct horse" not in hashed
    assert verify_password(hashed, "correct horse battery staple")
    assert not verify_password(hashed, "correct horse battery stapl")
    assert not verify_password(hashed, "")


def test_the_same_password_hashes_differently_each_time() -> None:
    assert hash_password("secret-1") != hash_password("secret-1")


def test_a_malformed_hash_never_verifies() -> None:
    assert not verify_password("not-a-hash", "anything")
    assert not verify_password(hashlib.sha256(b"pw").hexdigest(), "pw")


def test_users_are_stored_with_argon2_hashes(session: Session, world: World) -> None:
    assert _user(session, world.partner.sales_agent).password_hash.startswith("$argon2")
    assert _user(session, world.customer_admin).password_hash.startswith("$argon2")


# --- tokens ----------------------------------------------------------------------------------------------


def test_create_token_stores_only_the_sha256_of_a_ph_token(session: Session, world: World) -> None:
    actor = world.partner.admin_agent
    with frozen_at(T0):
        issued = create_token(session, actor, name="ci")
    assert issued.token.startswith("ph_")
    assert len(issued.token) >= 3 + 43  # 256 random bits, URL-safe base64
    assert issued.expires_at == T0 + timedelta(days=90)

    row = session.get(ApiToken, issued.id)
    assert row is not None
    assert row.user_id == actor.user_id
    assert row.name == "ci"
    assert row.token_hash == hashlib.sha256(issued.token.encode()).hexdigest()
    session.flush()
    raw = session.execute(select(ApiToken.__table__)).mappings().all()
    assert len(raw) == 1
    for value in raw[0].values():
        assert issued.token not in str(value)
        assert issued.token[3:] not in str(value)

    (rec,) = activity(session, operation="create_api_token", resource_id=issued.id)
    assert rec.partner_id == world.partner.partner_id
    assert rec.resource_type == "api_token"
    assert rec.user_id == actor.user_id
    assert rec.new_value == {"id": issued.id, "expiresAt": (T0 + timedelta(days=90)).isoformat(), "name": "ci"}
    assert issued.token not in str(rec.new_value)


def test_tokens_are_unique(session: Session, world: World) -> None:
    tokens = {create_token(session, world.partner.admin).token for _ in range(3)}
    assert len(tokens) == 3


def test_a_token_authenticates_as_its_user(session: Session, world: World) -> None:
    issued = create_token(session, world.partner.helpdesk_agent)
    actor = authenticate_token(session, issued.token)
    assert actor.user_id == world.partner.helpdesk_agent.user_id
    assert actor.tenant_id == world.partner.partner_id
    assert actor.is_partner_user
    assert actor.roles == frozenset({Role.HELPDESK_AGENT.value})
    assert actor.partner_type == "direct"
    assert actor.application == f"api:{issued.id}"


def test_a_customer_global_admin_can_get_a_token(session: Session, world: World) -> None:
    issued = create_token(session, world.customer_admin, expires_days=1)
    actor = authenticate_token(session, issued.token, application="web")
    assert actor.is_customer_user
    assert actor.tenant_id == world.customer_id
    (rec,) = activity(session, operation="create_api_token", resource_id=issued.id)
    assert (rec.partner_id, rec.customer_id) == (None, world.customer_id)  # in the customer's own log


def test_an_unknown_token_is_unauthenticated(session: Session, world: World) -> None:
    issued = create_token(session, world.partner.admin)
    stored_hash = hashlib.sha256(issued.token.encode()).hexdigest()
    for wrong in ("ph_nope", "", issued.token + "x", issued.token[3:], stored_hash):
        with pytest.raises(Unauthenticated) as err:
            authenticate_token(session, wrong)
        assert type(err.value) is Unauthenticated


def test_a_revoked_token_stops_working_at_once(session: Session, world: World) -> None:
    issued = create_token(session, world.partner.sales_agent)
    with frozen_at(T0):
        row = revoke_token(session, world.partner.sales_agent, token_id=issued.id)
    assert row.revoked_at == T0
    with pytest.raises(TokenRevoked) as err:
        authenticate_token(session, issued.token)
    assert err.value.kind == "unauthenticated"

    (rec,) = activity(session, operation="revoke_api_token", resource_id=issued.id)
    assert rec.partner_id == world.partner.partner_id
    assert rec.user_id == world.partner.sales_agent.user_id
    assert rec.new_value == {"revokedAt": T0.isoformat()}


def test_revoking_twice_writes_one_record(session: Session, world: World) -> None:
    issued = create_token(session, world.partner.sales_agent)
    revoke_token(session, world.partner.sales_agent, token_id=issued.id)
    revoke_token(session, world.partner.sales_agent, token_id=issued.id)
    assert len(activity(session, operation="revoke_api_token", resource_id=issued.id)) == 1


def test_a_token_expires(session: Session, world: World) -> None:
    with frozen_at(T0) as clock:
        issued = create_token(session, world.partner.admin, expires_days=30)
        clock.move(timedelta(days=30) - timedelta(seconds=1))
        assert authenticate_token(session, issued.token).user_id == world.partner.admin.user_id
        clock.move(timedelta(seconds=1))
        with pytest.raises(TokenExpired):
            authenticate_token(session, issued.token)


@pytest.mark.parametrize("days", [0, 731, -1])
def test_a_token_lifetime_outside_1_to_730_days_is_refused(session: Session, world: World, days: int) -> None:
    with pytest.raises(InvalidInput):
        create_token(session, world.partner.admin, expires_days=days)
    assert activity(session, operation="create_api_token") == []


def test_the_system_actor_cannot_create_a_token(session: Session, world: World) -> None:
    with pytest.raises(Forbidden):
        create_token(session, Actor.system())


def test_a_token_of_a_deactivated_user_is_unauthenticated(session: Session, world: World) -> None:
    issued = create_token(session, world.partner.sales_agent)
    _user(session, world.partner.sales_agent).is_active = False
    with pytest.raises(Unauthenticated):
        authenticate_token(session, issued.token)


def test_another_tenants_user_cannot_revoke_a_token(session: Session, world: World) -> None:
    issued = create_token(session, world.partner.sales_agent)
    for actor in (world.other.admin, world.other.sales_agent, world.customer_admin):
        with pytest.raises(TokenNotFound):
            revoke_token(session, actor, token_id=issued.id)
    assert authenticate_token(session, issued.token).user_id == world.partner.sales_agent.user_id
    assert activity(session, operation="revoke_api_token") == []


def test_a_colleague_without_global_admin_cannot_revoke_a_token(session: Session, world: World) -> None:
    issued = create_token(session, world.partner.sales_agent)
    with pytest.raises(TokenNotFound):
        revoke_token(session, world.partner.admin_agent, token_id=issued.id)


def test_the_tenants_global_admin_and_the_operator_can_revoke_a_token(session: Session, world: World) -> None:
    first = create_token(session, world.partner.sales_agent)
    second = create_token(session, world.partner.sales_agent)
    revoke_token(session, world.partner.admin, token_id=first.id)
    revoke_token(session, Actor.system(), token_id=second.id)
    (rec,) = activity(session, operation="revoke_api_token", resource_id=first.id)
    assert rec.user_id == world.partner.admin.user_id
    (rec,) = activity(session, operation="revoke_api_token", resource_id=second.id)
    assert rec.user_id is None
    assert rec.partner_id == world.partner.partner_id  # the partner sees what the operator did to its token
    for issued in (first, second):
        with pytest.raises(TokenRevoked):
            authenticate_token(session, issued.token)


def test_revoking_an_unknown_token_is_not_found(session: Session, world: World) -> None:
    with pytest.raises(TokenNotFound):
        revoke_token(session, world.partner.admin, token_id="00000000-0000-0000-0000-000000000000")


def test_list_tokens_shows_only_the_users_own(session: Session, world: World) -> None:
    mine = create_token(session, world.partner.admin, name="mine")
    create_token(session, world.partner.sales_agent, name="theirs")
    assert [t.id for t in list_tokens(session, world.partner.admin)] == [mine.id]
    assert list_tokens(session, Actor.system()) == []


# --- passwords sign-in ------------------------------------------------------------------------------------


def test_a_user_signs_in_with_the_one_time_password(session: Session, world: World) -> None:
    user, password = add_partner_user(
        session, world.partner.admin, email="New.User@Contoso-Direct.example", roles=["sales-agent"]
    )
    actor = authenticate_password(session, email=" NEW.USER@contoso-direct.example ", password=password)
    assert actor.user_id == user.id
    assert actor.application == "web"
    assert actor.roles == frozenset({"sales-agent"})


def test_a_wrong_password_is_unauthenticated(session: Session, world: World) -> None:
    user, password = add_partner_user(
        session, world.partner.admin, email="pw@contoso-direct.example", roles=["sales-agent"]
    )
    with pytest.raises(Unauthenticated) as wrong:
        authenticate_password(session, email=user.email, password=password + "!")
    with pytest.raises(Unauthenticated) as unknown:
        authenticate_password(session, email="nobody@contoso-direct.example", password=password)
    assert str(wrong.value) == str(unknown.value)  # the same error whatever was wrong
    user.is_active = False
    with pytest.raises(Unauthenticated):
        authenticate_password(session, email=user.email, password=password)


# --- users and roles -------------------------------------------------------------------------------------


def test_a_global_admin_adds_a_user_with_roles(session: Session, world: World) -> None:
    admin = world.partner.admin
    user, password = add_partner_user(
        session,
        admin,
        email=" Mario.Verdi@Contoso-Direct.example ",
        roles=["Admin agent", "sales_agent", "admin-agent"],
        display_name="Mario",
    )
    assert user.email == "mario.verdi@contoso-direct.example"
    assert user.tenant_id == world.partner.partner_id
    assert user.roles == ["admin-agent", "sales-agent"]
    assert user.display_name == "Mario"
    assert verify_password(user.password_hash, password)
    actor = actor_for_user(session, user)
    assert actor.has_any(Role.ADMIN_AGENT) and actor.has_any(Role.SALES_AGENT)
    assert not actor.has_any(Role.GLOBAL_ADMIN)

    (rec,) = activity(session, operation="add_user", resource_id=user.id)
    assert rec.partner_id == world.partner.partner_id
    assert rec.resource_type == "user"
    assert rec.user_id == admin.user_id
    assert rec.new_value == {"email": "mario.verdi@contoso-direct.example", "roles": ["admin-agent", "sales-agent"]}
    assert password not in str(rec.new_value)


@pytest.mark.parametrize("role", ["admin_agent", "helpdesk_agent", "sales_agent"])
def test_a_non_admin_cannot_add_users(session: Session, world: World, role: str) -> None:
    actor = getattr(world.partner, role)
    with pytest.raises(Forbidden):
        add_partner_user(session, actor, email="sneaky@contoso-direct.example", roles=["global-admin"])
    assert session.scalar(select(User).where(User.email == "sneaky@contoso-direct.example")) is None
    assert all(
        r.new_value and r.new_value["email"] != "sneaky@contoso-direct.example"
        for r in activity(session, operation="add_user")
    )


def test_a_customer_global_admin_cannot_add_partner_users(session: Session, world: World) -> None:
    with pytest.raises(Forbidden):
        add_partner_user(session, world.customer_admin, email="x@fabrikam.example", roles=["global-admin"])


@pytest.mark.parametrize("role", ["operator", "superuser", "customer-admin", ""])
def test_an_unknown_role_is_refused(session: Session, world: World, role: str) -> None:
    with pytest.raises(InvalidRole) as err:
        add_partner_user(session, world.partner.admin, email="r@contoso-direct.example", roles=["sales-agent", role])
    assert err.value.code == 800141
    assert session.scalar(select(User).where(User.email == "r@contoso-direct.example")) is None


def test_a_user_needs_at_least_one_role(session: Session, world: World) -> None:
    with pytest.raises(InvalidInput):
        add_partner_user(session, world.partner.admin, email="r@contoso-direct.example", roles=[])


def test_a_duplicate_email_is_refused_and_another_tenants_is_outside_the_domains(
    session: Session, world: World
) -> None:
    existing = _user(session, world.partner.sales_agent).email
    with pytest.raises(DuplicateEmail) as err:
        add_partner_user(session, world.partner.admin, email=existing.upper(), roles=["sales-agent"])
    assert err.value.kind == "conflict"
    # F5: another tenant's address is outside the partner's verified domains: its existence is never told
    with pytest.raises(EmailOutsideVerifiedDomains):
        add_partner_user(session, world.other.admin, email="admin@fabrikam.example", roles=["sales-agent"])


@pytest.mark.parametrize("email", ["no-at-sign", "@contoso.example", "user@", ""])
def test_an_invalid_email_is_refused(session: Session, world: World, email: str) -> None:
    with pytest.raises(InvalidInput):
        add_partner_user(session, world.partner.admin, email=email, roles=["sales-agent"])


def test_a_global_admin_sets_roles(session: Session, world: World) -> None:
    target = _user(session, world.partner.helpdesk_agent)
    user = set_user_roles(session, world.partner.admin, email=target.email, roles=["helpdesk-agent", "Global admin"])
    assert user.roles == ["helpdesk-agent", "global-admin"]
    (rec,) = activity(session, operation="update_user_roles", resource_id=target.id)
    assert rec.partner_id == world.partner.partner_id
    assert rec.old_value == {"roles": ["helpdesk-agent"]}
    assert rec.new_value == {"roles": ["helpdesk-agent", "global-admin"]}

    # the now second Global admin may lose the role again
    set_user_roles(session, world.partner.admin, email=target.email, roles=["helpdesk-agent"])
    assert target.roles == ["helpdesk-agent"]
    assert len(activity(session, operation="update_user_roles", resource_id=target.id)) == 2


def test_setting_the_same_roles_writes_no_record(session: Session, world: World) -> None:
    target = _user(session, world.partner.sales_agent)
    set_user_roles(session, world.partner.admin, email=target.email, roles=["sales-agent"])
    assert activity(session, operation="update_user_roles") == []


def test_the_last_global_admin_cannot_lose_the_role(session: Session, world: World) -> None:
    admin = _user(session, world.partner.admin)
    with pytest.raises(LastGlobalAdmin):
        set_user_roles(session, world.partner.admin, email=admin.email, roles=["admin-agent"])
    assert admin.roles == ["global-admin"]
    assert activity(session, operation="update_user_roles") == []


def test_a_global_admin_may_step_down_when_another_remains(session: Session, world: World) -> None:
    add_partner_user(session, world.partner.admin, email="second.admin@contoso-direct.example", roles=["global-admin"])
    admin = _user(session, world.partner.admin)
    set_user_roles(session, world.partner.admin, email=admin.email, roles=["admin-agent"])
    assert admin.roles == ["admin-agent"]


def test_a_deactivated_global_admin_does_not_count(session: Session, world: World) -> None:
    second, _pw = add_partner_user(
        session, world.partner.admin, email="second.admin@contoso-direct.example", roles=["global-admin"]
    )
    second.is_active = False
    admin = _user(session, world.partner.admin)
    with pytest.raises(LastGlobalAdmin):
        set_user_roles(session, world.partner.admin, email=admin.email, roles=["admin-agent"])


def test_roles_of_another_tenants_user_cannot_be_set(session: Session, world: World) -> None:
    foreign = _user(session, world.other.sales_agent)
    with pytest.raises(UserNotFound):
        set_user_roles(session, world.partner.admin, email=foreign.email, roles=["global-admin"])
    assert foreign.roles == ["sales-agent"]


def test_a_non_admin_cannot_set_roles(session: Session, world: World) -> None:
    me = _user(session, world.partner.admin_agent)
    with pytest.raises(Forbidden):
        set_user_roles(session, world.partner.admin_agent, email=me.email, roles=["global-admin"])
    assert me.roles == ["admin-agent"]


def test_an_unknown_role_cannot_be_set(session: Session, world: World) -> None:
    target = _user(session, world.partner.sales_agent)
    with pytest.raises(InvalidRole):
        set_user_roles(session, world.partner.admin, email=target.email, roles=["operator"])


def test_reset_password_changes_the_hash_and_returns_a_new_password(session: Session, world: World) -> None:
    target = _user(session, world.partner.sales_agent)
    old_hash = target.password_hash
    user, password = reset_user_password(session, world.partner.admin, email=target.email)
    assert user.id == target.id
    assert user.password_hash != old_hash
    assert user.password_hash.startswith("$argon2")
    assert verify_password(user.password_hash, password)
    assert authenticate_password(session, email=target.email, password=password).user_id == target.id

    (rec,) = activity(session, operation="reset_user_password", resource_id=target.id)
    assert rec.partner_id == world.partner.partner_id
    assert rec.user_id == world.partner.admin.user_id
    assert rec.new_value == {"email": target.email}
    assert password not in str(rec.new_value)


def test_a_user_may_reset_its_own_password(session: Session, world: World) -> None:
    me = _user(session, world.partner.helpdesk_agent)
    _user_row, password = reset_user_password(session, world.partner.helpdesk_agent, email=me.email)
    assert verify_password(me.password_hash, password)
    assert len(activity(session, operation="reset_user_password", resource_id=me.id)) == 1


def test_a_non_admin_cannot_reset_a_colleagues_password(session: Session, world: World) -> None:
    target = _user(session, world.partner.sales_agent)
    old_hash = target.password_hash
    with pytest.raises(Forbidden):
        reset_user_password(session, world.partner.helpdesk_agent, email=target.email)
    assert target.password_hash == old_hash
    assert activity(session, operation="reset_user_password") == []


def test_another_tenants_password_cannot_be_reset(session: Session, world: World) -> None:
    target = _user(session, world.other.sales_agent)
    old_hash = target.password_hash
    with pytest.raises(UserNotFound):
        reset_user_password(session, world.partner.admin, email=target.email)
    with pytest.raises(UserNotFound):
        reset_user_password(session, world.customer_admin, email=target.email)
    assert target.password_hash == old_hash


# --- partners ------------------------------------------------------------------------------------------


def test_the_operator_creates_a_partner_with_a_global_admin(session: Session) -> None:
    created = create_partner(
        session,
        Actor.system(),
        name=" Litware ",
        partner_type="Indirect Provider",
        domain="Litware.example",
        admin_email="Boss@Litware.example",
        mpn_id="7654321",
    )
    assert created.tenant.kind == TenantKind.PARTNER
    assert created.tenant.name == "Litware"
    assert created.tenant.domain == "litware.example"
    assert created.partner.partner_type == "indirect-provider"
    assert created.partner.mpn_id == "7654321"
    assert len(created.partner.invitation_nonce) == 16
    assert created.admin.email == "boss@litware.example"
    assert created.admin.roles == ["global-admin"]
    assert created.admin.tenant_id == created.tenant.id
    assert verify_password(created.admin.password_hash, created.password)
    assert session.get(Partner, created.tenant.id) is not None

    (rec,) = activity(session, operation="add_partner", resource_id=created.tenant.id)
    assert rec.partner_id == created.tenant.id
    assert rec.user_id is None
    assert rec.new_value == {
        "name": "Litware",
        "type": "indirect-provider",
        "domain": "litware.example",
        "mpnId": "7654321",
        "adminEmail": "boss@litware.example",
    }


def test_a_partner_gets_a_generated_mpn_id(session: Session) -> None:
    created = create_partner(
        session,
        Actor.system(),
        name="Gen",
        partner_type="direct",
        domain="gen.example",
        admin_email="admin@gen.example",
    )
    assert created.partner.mpn_id.isdigit()
    assert len(created.partner.mpn_id) == 7


def test_a_taken_mpn_id_is_refused(session: Session) -> None:
    create_partner(
        session,
        Actor.system(),
        name="One",
        partner_type="direct",
        domain="one.example",
        admin_email="admin@one.example",
        mpn_id="1234567",
    )
    with pytest.raises(InvalidInput):
        create_partner(
            session,
            Actor.system(),
            name="Two",
            partner_type="direct",
            domain="two.example",
            admin_email="admin@two.example",
            mpn_id="1234567",
        )


@pytest.mark.parametrize("role", ["admin", "admin_agent", "sales_agent", "helpdesk_agent"])
def test_a_partner_user_cannot_create_a_partner(session: Session, world: World, role: str) -> None:
    with pytest.raises(Forbidden):
        create_partner(
            session,
            getattr(world.partner, role),
            name="Rogue",
            partner_type="direct",
            domain="rogue.example",
            admin_email="admin@rogue.example",
        )
    assert session.scalar(select(Tenant).where(Tenant.domain == "rogue.example")) is None
    assert all(r.new_value and r.new_value["name"] != "Rogue" for r in activity(session, operation="add_partner"))


def test_a_customer_user_cannot_create_a_partner(session: Session, world: World) -> None:
    with pytest.raises(Forbidden):
        create_partner(
            session,
            world.customer_admin,
            name="Rogue",
            partner_type="direct",
            domain="rogue.example",
            admin_email="admin@rogue.example",
        )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("direct", PartnerType.DIRECT),
        ("Direct-Bill", PartnerType.DIRECT),
        ("indirect-provider", PartnerType.INDIRECT_PROVIDER),
        ("Indirect_Provider", PartnerType.INDIRECT_PROVIDER),
        ("provider", PartnerType.INDIRECT_PROVIDER),
        ("indirect-reseller", PartnerType.INDIRECT_RESELLER),
        (" indirect reseller ", PartnerType.INDIRECT_RESELLER),
        ("reseller", PartnerType.INDIRECT_RESELLER),
    ],
)
def test_partner_types_are_parsed(raw: str, expected: PartnerType) -> None:
    assert parse_partner_type(raw) == expected


@pytest.mark.parametrize("raw", ["distributor", "", "indirect", "direct-provider"])
def test_an_unknown_partner_type_is_refused(raw: str) -> None:
    with pytest.raises(InvalidInput):
        parse_partner_type(raw)


def test_creating_a_partner_with_a_bad_type_writes_nothing(session: Session) -> None:
    with pytest.raises(InvalidInput):
        create_partner(
            session,
            Actor.system(),
            name="Bad",
            partner_type="wholesaler",
            domain="bad.example",
            admin_email="admin@bad.example",
        )
    assert session.scalar(select(Tenant).where(Tenant.domain == "bad.example")) is None
    assert activity(session, operation="add_partner") == []


def test_a_line_break_inside_a_users_e_mail_address_is_refused(session: Session, world: World) -> None:
    with pytest.raises(InvalidInput):
        add_partner_user(
            session,
            world.partner.admin,
            email="new.user@contoso-direct.example\r\nBcc: x@y.example",
            roles=["sales-agent"],
        )
