"""Single sign-on matches users by verified e-mail within the tenant's domains: for a partner, every domain the
operator verified for it (F5), not only the domain it was created with."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from partnerhub.auth.actor import Actor
from partnerhub.auth.models import Role
from partnerhub.auth.oidc import find_sign_in_provider, set_single_sign_on
from partnerhub.auth.oidc_sign_in import identify
from partnerhub.auth.service import add_partner_user
from partnerhub.errors.sso import SsoUnknownUser
from partnerhub.tenants.domains import add_partner_domain
from tests.factories import make_partner


def test_a_user_in_a_second_verified_domain_signs_in_with_the_partners_provider(session: Session) -> None:
    partner = make_partner(session, domain="contoso.example")
    other = make_partner(session, domain="fabrikam-partner.example")
    add_partner_domain(session, Actor.system(), partner_id=partner.partner_id, domain="contoso-emea.example")
    set_single_sign_on(
        session,
        partner.admin,
        tenant_id=partner.partner_id,
        issuer="https://idp.contoso.example",
        client_id="partnerhub",
        client_secret="s3cr3t",
        enabled=True,
        secret_key="key",
    )
    user, _ = add_partner_user(session, partner.admin, email="lena@contoso-emea.example", roles=[Role.SALES_AGENT])

    found = find_sign_in_provider(session, email="lena@contoso-emea.example")
    assert found is not None and found.tenant_id == partner.partner_id
    identity = identify(
        session, tenant_id=partner.partner_id, claims={"email": "LENA@contoso-emea.example", "email_verified": True}
    )
    assert identity.user.id == user.id
    # another partner's provider never signs this user in, whatever its token says
    set_single_sign_on(
        session,
        other.admin,
        tenant_id=other.partner_id,
        issuer="https://idp.fabrikam.example",
        client_id="partnerhub",
        client_secret="s3cr3t",
        enabled=True,
        secret_key="key",
    )
    with pytest.raises(SsoUnknownUser):
        identify(session, tenant_id=other.partner_id, claims={"email": user.email, "email_verified": True})
    assert find_sign_in_provider(session, email="someone@unverified.example") is None
