"""The operator's page of a partner's verified domains (issue 12, F5): listed, added and removed with activity
records in the partner's log; refusals beside the field; partners are not allowed; English and Italian."""

from __future__ import annotations

from partnerhub.auth.actor import Actor
from partnerhub.db import read_session, transaction
from partnerhub.tenants.domains import verified_domains
from partnerhub.tenants.service import create_operator_account
from tests.activity import activity
from tests.web.conftest import Browser, Site


def _operator(site: Site, language: str | None = None) -> Browser:
    with transaction(site.engine) as session:
        user, _ = create_operator_account(session, Actor.system(), email="ops@platform.example")
    return site.signed_in(user.email, language=language)


def _domains(site: Site, partner_id: str) -> list[str]:
    with read_session(site.engine) as session:
        return verified_domains(session, partner_id)


def test_the_operator_adds_and_removes_a_partners_domains(site: Site) -> None:
    partner = site.partner(name="Contoso Direct", domain="contoso-direct.example")
    browser = _operator(site)
    listing = browser.get("/operator/partners")
    assert f'href="/operator/partners/{partner.partner_id}/domains"' in listing.text
    page = browser.get(f"/operator/partners/{partner.partner_id}/domains")
    assert page.status_code == 200
    assert "Verified domains of Contoso Direct" in page.text and "contoso-direct.example" in page.text

    added = browser.post(f"/operator/partners/{partner.partner_id}/domains", {"domain": " Contoso.COM "})
    assert added.status_code == 200 and added.url.path == f"/operator/partners/{partner.partner_id}/domains"
    assert "contoso.com is now a verified domain of Contoso Direct." in added.text
    assert _domains(site, partner.partner_id) == ["contoso-direct.example", "contoso.com"]

    removed = browser.post(f"/operator/partners/{partner.partner_id}/domains/remove", {"domain": "contoso.com"})
    assert "contoso.com is no longer a verified domain of Contoso Direct." in removed.text
    assert _domains(site, partner.partner_id) == ["contoso-direct.example"]
    records = activity(site.engine, resource_type="partner_domain", partner_id=partner.partner_id)
    assert [(r.operation_type, r.user_principal_name) for r in records] == [
        ("add_partner_domain", "ops@platform.example"),
        ("remove_partner_domain", "ops@platform.example"),
    ]


def test_refusals_are_shown_beside_the_field_and_nothing_changes(site: Site) -> None:
    partner, other = site.partner(), site.partner(domain="taken-by-other.example")
    browser = _operator(site)
    path = f"/operator/partners/{partner.partner_id}/domains"
    browser.get(path)
    for typed, message in (
        ("not a domain", "Enter a domain name such as contoso.onmicrosoft.com."),
        (
            "taken-by-other.example",
            "The domain taken-by-other.example is already a tenant&#39;s domain or verified for a partner.",
        ),
    ):
        page = browser.post(path, {"domain": typed})
        assert page.status_code == 400
        assert f'id="f-domain-error">{message}' in page.text
        assert f'value="{typed}"' in page.text
    last = browser.post(f"{path}/remove", {"domain": partner.admin.email.split("@")[1]})
    assert "is the partner&#39;s last verified domain" in last.text
    assert _domains(site, partner.partner_id) == [partner.admin.email.split("@")[1]]
    assert _domains(site, other.partner_id) == ["taken-by-other.example"]


def test_partners_are_not_allowed_on_the_domains_page(site: Site) -> None:
    partner = site.partner()
    browser = site.signed_in(partner.admin.email)
    path = f"/operator/partners/{partner.partner_id}/domains"
    assert browser.get(path).status_code == 403
    browser.get("/account")
    assert browser.post(path, {"domain": "mine.example"}).status_code == 403
    assert "mine.example" not in _domains(site, partner.partner_id)


def test_the_domains_page_speaks_italian(site: Site) -> None:
    partner = site.partner(name="Contoso Direct")
    browser = _operator(site, language="it")
    page = browser.get(f"/operator/partners/{partner.partner_id}/domains")
    assert "Domini verificati di Contoso Direct" in page.text and "Verifica il dominio" in page.text


def test_the_operators_read_of_the_activity_page_is_in_each_shown_partners_log(site: Site) -> None:
    partner = site.partner(name="Contoso Direct")
    browser = _operator(site)
    page = browser.get("/activity")
    assert page.status_code == 200
    assert "Contoso Direct" in page.text or partner.admin.email in page.text
    reads = activity(site.engine, operation="operator_read", partner_id=partner.partner_id)
    assert [(r.user_principal_name, r.new_value) for r in reads] == [("ops@platform.example", {"read": "activity log"})]
