"""My account → Single sign-on: a tenant's Global admin connects its identity provider. The client secret is
stored encrypted (never in clear in the database), never shown back, kept when the field is left empty, and
left out of the activity records; other roles and other tenants cannot see or change the settings."""

from __future__ import annotations

import html

from sqlalchemy import select, text

from partnerhub.audit.models import ActivityRecord
from partnerhub.auth.oidc import provider_credentials
from partnerhub.auth.oidc_models import SingleSignOn
from partnerhub.db import transaction
from partnerhub.errors.sso import SsoIssuerInvalid, SsoSecretRequired
from tests.web.conftest import Site

SECRET = "s3cr3t-from-the-provider-Zq9"
ISSUER = "https://login.tailspin.example/tenant"


def _records(site: Site, tenant_id: str) -> list[ActivityRecord]:
    with transaction(site.engine) as session:
        rows = list(
            session.scalars(
                select(ActivityRecord)
                .where(
                    ActivityRecord.operation_type == "update_tenant_single_sign_on",
                    ActivityRecord.partner_id == tenant_id,
                )
                .order_by(ActivityRecord.created_at)
            )
        )
        for row in rows:
            session.expunge(row)
        return rows


def test_a_global_admin_connects_the_identity_provider_and_the_secret_stays_secret(site: Site) -> None:
    partner = site.partner(name="Tailspin Toys", domain="tailspin.example")
    admin = site.signed_in(partner.admin.email)
    page = admin.get("/account")
    assert 'href="/account/sso"' in page.text
    page = admin.get("/account/sso")
    assert page.status_code == 200 and "http://testserver/signin/oidc/callback" in page.text

    no_secret = admin.post("/account/sso", {"issuer": ISSUER, "client_id": "partnerhub", "enabled": "on"})
    assert no_secret.status_code == 400 and SsoSecretRequired().render() in html.unescape(no_secret.text)
    bad_issuer = admin.post(
        "/account/sso",
        {"issuer": "http://idp.example", "client_id": "partnerhub", "client_secret": SECRET, "enabled": "on"},
    )
    assert bad_issuer.status_code == 400 and SsoIssuerInvalid().render() in html.unescape(bad_issuer.text)
    assert SECRET not in bad_issuer.text  # never typed back into the form

    saved = admin.post(
        "/account/sso", {"issuer": ISSUER, "client_id": "partnerhub", "client_secret": SECRET, "enabled": "on"}
    )
    assert saved.status_code == 200 and saved.url.path == "/account/sso"
    assert "Single sign-on is on" in saved.text and SECRET not in saved.text and ISSUER in saved.text
    with transaction(site.engine) as session:
        dump = " ".join(str(v) for row in session.execute(text("SELECT * FROM tenant_single_sign_on")) for v in row)
        assert SECRET not in dump and ISSUER in dump
        assert provider_credentials(session, tenant_id=partner.partner_id, secret_key="test").client_secret == SECRET

    # an empty secret keeps the stored one; turning it off is recorded, still without the secret
    admin.post("/account/sso", {"issuer": ISSUER, "client_id": "partnerhub-2", "client_secret": "", "enabled": "off"})
    with transaction(site.engine) as session:
        row = session.get(SingleSignOn, partner.partner_id)
        assert row is not None and row.client_id == "partnerhub-2" and row.is_enabled is False
    records = _records(site, partner.partner_id)
    assert [r.new_value for r in records] == [
        {"issuer": ISSUER, "clientId": "partnerhub", "enabled": True, "clientSecretChanged": True},
        {"issuer": ISSUER, "clientId": "partnerhub-2", "enabled": False, "clientSecretChanged": False},
    ]
    assert records[1].old_value == {"issuer": ISSUER, "clientId": "partnerhub", "enabled": True}
    assert all(SECRET not in str(r.new_value) + str(r.old_value) for r in records)


def test_other_roles_and_the_italian_page(site: Site) -> None:
    partner = site.partner(name="Tailspin Toys", domain="tailspin.example")
    agent = site.signed_in(partner.admin_agent.email)
    assert 'href="/account/sso"' not in agent.get("/account").text
    assert agent.get("/account/sso").status_code == 403
    refused = agent.post(
        "/account/sso", {"issuer": ISSUER, "client_id": "x", "client_secret": "y", "enabled": "on"}, csrf=None
    )
    assert refused.status_code == 403
    admin = site.signed_in(partner.admin.email, language="it")
    page = admin.get("/account/sso")
    assert page.status_code == 200 and "Provider di identità" in page.text and "Segreto client" in page.text
