"""Indirect partnerships on the pages: a provider invites a reseller (by MPN ID or tenant ID) and ends a
partnership after a confirmation; the reseller's Global admin accepts or declines; other partners are
refused, and another partner's partnership is not found."""

from __future__ import annotations

from sqlalchemy import select

from partnerhub.db import read_session, transaction
from partnerhub.partnerships.models import Partnership
from partnerhub.partnerships.service import accept_partnership, invite_reseller
from tests.activity import operation_names
from tests.factories import PartnerWorld
from tests.web.conftest import Site


def _indirect(site: Site) -> tuple[PartnerWorld, PartnerWorld]:
    return (
        site.partner(name="Tailspin Distribution", partner_type="indirect-provider"),
        site.partner(name="Adatum Rivendita", partner_type="indirect-reseller"),
    )


def _partnerships(site: Site) -> list[Partnership]:
    with read_session(site.engine) as session:
        return list(session.scalars(select(Partnership).order_by(Partnership.created_at)))


def test_a_provider_invites_a_reseller_by_mpn_id(site: Site) -> None:
    provider, reseller = _indirect(site)
    browser = site.signed_in(provider.admin.email)
    page = browser.get("/indirect-resellers")
    assert page.status_code == 200 and "You have no indirect resellers yet." in page.text
    page = browser.post("/indirect-resellers", {"reseller": reseller.mpn_id})
    assert str(page.url).endswith("/indirect-resellers")
    assert "Adatum Rivendita was invited." in page.text
    assert "Adatum Rivendita" in page.text.split("<table")[1] and "badge-invited" in page.text
    [p] = _partnerships(site)
    assert (p.provider_id, p.reseller_id, p.status) == (provider.partner_id, reseller.partner_id, "invited")
    assert operation_names(site.engine, partner_id=reseller.partner_id, resource_type="partnership") == [
        "create_partnership"
    ]


def test_inviting_by_tenant_id_works_too(site: Site) -> None:
    provider, reseller = _indirect(site)
    browser = site.signed_in(provider.admin_agent.email)
    browser.get("/indirect-resellers")
    browser.post("/indirect-resellers", {"reseller": reseller.partner_id})
    assert [p.reseller_id for p in _partnerships(site)] == [reseller.partner_id]


def test_a_bad_reference_is_refused_next_to_the_field_and_kept(site: Site) -> None:
    provider, _reseller = _indirect(site)
    direct = site.partner(name="Direct Only")
    browser = site.signed_in(provider.admin.email)
    browser.get("/indirect-resellers")
    page = browser.post("/indirect-resellers", {"reseller": "adatum"})
    assert page.status_code == 400
    assert 'id="f-reseller-error">Enter the reseller&#39;s MPN ID' in page.text and 'value="adatum"' in page.text
    page = browser.post("/indirect-resellers", {"reseller": "9999999"})
    assert page.status_code == 400 and 'id="f-reseller-error">Partner 9999999 was not found.' in page.text
    page = browser.post("/indirect-resellers", {"reseller": direct.mpn_id})
    assert page.status_code == 400 and "is not an indirect reseller." in page.text
    page = browser.post("/indirect-resellers", {"reseller": ""})
    assert 'id="f-reseller-error">This field is required.' in page.text
    assert _partnerships(site) == []


def test_inviting_twice_is_refused(site: Site) -> None:
    provider, reseller = _indirect(site)
    browser = site.signed_in(provider.admin.email)
    browser.get("/indirect-resellers")
    browser.post("/indirect-resellers", {"reseller": reseller.mpn_id})
    page = browser.post("/indirect-resellers", {"reseller": reseller.mpn_id})
    assert page.status_code == 400
    assert "There is already an invited or active partnership with indirect reseller Adatum Rivendita." in page.text


def test_the_reseller_accepts_an_invitation(site: Site) -> None:
    provider, reseller = _indirect(site)
    with transaction(site.engine) as session:
        invite_reseller(session, provider.admin, reseller_id=reseller.partner_id)
    browser = site.signed_in(reseller.admin.email)
    page = browser.get("/indirect-providers")
    assert "Tailspin Distribution" in page.text and "badge-invited" in page.text
    [p] = _partnerships(site)
    page = browser.post(f"/indirect-providers/{p.id}/accept")
    assert "The partnership with Tailspin Distribution is active." in page.text
    assert _partnerships(site)[0].status == "active"
    assert sorted(operation_names(site.engine, partner_id=provider.partner_id, resource_type="partnership")) == [
        "accept_partnership",
        "create_partnership",
    ]


def test_only_a_global_admin_of_the_reseller_accepts(site: Site) -> None:
    provider, reseller = _indirect(site)
    with transaction(site.engine) as session:
        p = invite_reseller(session, provider.admin, reseller_id=reseller.partner_id)
    browser = site.signed_in(reseller.admin_agent.email)
    page = browser.get("/indirect-providers")
    assert f"/indirect-providers/{p.id}/accept" not in page.text
    assert "Only a Global admin can accept an invitation." in page.text
    assert browser.post(f"/indirect-providers/{p.id}/accept").status_code == 403
    assert _partnerships(site)[0].status == "invited"


def test_ending_a_partnership_asks_for_confirmation_first(site: Site) -> None:
    provider, reseller = _indirect(site)
    with transaction(site.engine) as session:
        p = invite_reseller(session, provider.admin, reseller_id=reseller.partner_id)
        accept_partnership(session, reseller.admin, partnership_id=p.id)
    browser = site.signed_in(provider.admin.email)
    listing = browser.get("/indirect-resellers")
    assert f'href="/indirect-resellers/{p.id}/end"' in listing.text
    confirm = browser.get(f"/indirect-resellers/{p.id}/end")
    assert "End the partnership with Adatum Rivendita?" in confirm.text
    assert "delegated admin privileges stay as they are" in confirm.text
    assert _partnerships(site)[0].status == "active"
    page = browser.post(f"/indirect-resellers/{p.id}/end")
    assert "The partnership with Adatum Rivendita has ended." in page.text
    assert _partnerships(site)[0].status == "ended"
    again = browser.get(f"/indirect-resellers/{p.id}/end")
    assert "The partnership with Adatum Rivendita has already ended." in again.text


def test_the_reseller_declines_an_invitation(site: Site) -> None:
    provider, reseller = _indirect(site)
    with transaction(site.engine) as session:
        p = invite_reseller(session, provider.admin, reseller_id=reseller.partner_id)
    browser = site.signed_in(reseller.admin.email)
    confirm = browser.get(f"/indirect-providers/{p.id}/end")
    assert "Decline the invitation from Tailspin Distribution?" in confirm.text
    page = browser.post(f"/indirect-providers/{p.id}/end")
    assert "The invitation from Tailspin Distribution was declined." in page.text
    assert _partnerships(site)[0].status == "ended"


def test_partners_of_the_wrong_type_are_not_allowed(site: Site) -> None:
    provider, reseller = _indirect(site)
    direct = site.partner()
    assert site.signed_in(direct.admin.email).get("/indirect-resellers").status_code == 403
    assert site.signed_in(direct.admin.email).get("/indirect-providers").status_code == 403
    assert site.signed_in(reseller.admin.email).get("/indirect-resellers").status_code == 403
    assert site.signed_in(provider.admin.email).get("/indirect-providers").status_code == 403


def test_a_sales_agent_sees_resellers_but_cannot_invite(site: Site) -> None:
    provider, reseller = _indirect(site)
    browser = site.signed_in(provider.sales_agent.email)
    page = browser.get("/indirect-resellers")
    assert page.status_code == 200 and 'action="/indirect-resellers"' not in page.text
    assert browser.post("/indirect-resellers", {"reseller": reseller.mpn_id}).status_code == 403
    assert _partnerships(site) == []


def test_another_partners_partnership_is_not_found(site: Site) -> None:
    provider, reseller = _indirect(site)
    other_provider = site.partner(partner_type="indirect-provider")
    with transaction(site.engine) as session:
        p = invite_reseller(session, provider.admin, reseller_id=reseller.partner_id)
    browser = site.signed_in(other_provider.admin.email)
    assert browser.get(f"/indirect-resellers/{p.id}/end").status_code == 404
    browser.get("/indirect-resellers")
    assert browser.post(f"/indirect-resellers/{p.id}/end").status_code == 404
    assert _partnerships(site)[0].status == "invited"


def test_the_partnership_pages_speak_italian(site: Site) -> None:
    provider, reseller = _indirect(site)
    with transaction(site.engine) as session:
        invite_reseller(session, provider.admin, reseller_id=reseller.partner_id)
    page = site.signed_in(provider.admin.email, language="it").get("/indirect-resellers")
    assert "Rivenditori indiretti" in page.text and "Invita un rivenditore indiretto" in page.text
    assert "Ritira l&#39;invito" in page.text or "Ritira l'invito" in page.text
