"""Suspension reasons on the subscription page (issue 15 §3): every reason with whose it is, when and the
note; a note when suspending; a party suspends for its own reason beside another's; a reactivation that
leaves another party's reason says so; in English and Italian."""

from __future__ import annotations

from dataclasses import dataclass

from partnerhub.db import read_session, transaction
from partnerhub.orders.schemas import LineItemInput
from partnerhub.orders.service import create_order
from partnerhub.subscriptions.models import Subscription
from tests.factories import M365_E3
from tests.partnerships.world import customer_for_reseller, make_indirect, partner_up
from tests.web.conftest import Browser, Site


@dataclass
class Sold:
    customer_id: str
    sub_id: str
    provider_email: str
    reseller_email: str

    @property
    def path(self) -> str:
        return f"/customers/{self.customer_id}/subscriptions/{self.sub_id}"


def _sold(site: Site) -> Sold:
    with transaction(site.engine) as session:
        indirect = make_indirect(session)
        partner_up(session, indirect.provider, indirect.reseller)
        created = customer_for_reseller(session, indirect.provider.admin, indirect.reseller, name="Wingtip Toys")
        _o, _i, [sub] = create_order(
            session,
            indirect.provider.admin,
            customer_id=created.customer.id,
            line_items=[
                LineItemInput(
                    offer_id=M365_E3, quantity=5, friendly_name="Sede", partner_id_on_record=indirect.reseller.mpn_id
                )
            ],
        )
        return Sold(created.customer.id, sub.id, indirect.provider.admin.email, indirect.reseller.admin.email)


def _form(browser: Browser, sold: Sold, **fields: str) -> object:
    page = browser.get(sold.path)
    assert page.status_code == 200, page.text
    return browser.post(sold.path, {"quantity": "5", "friendly_name": "Sede", **fields})


def _reasons(site: Site, sold: Sold) -> list[str]:
    with read_session(site.engine) as session:
        sub = session.get(Subscription, sold.sub_id)
        assert sub is not None
        return list(sub.suspension_reasons)


def test_the_provider_suspends_with_a_note_and_the_page_shows_whose_reason_it_is(site: Site) -> None:
    sold = _sold(site)
    provider = site.signed_in(sold.provider_email)

    done = _form(provider, sold, status="suspended", suspension_note="Fattura 42 non pagata")

    assert done.status_code == 200  # type: ignore[attr-defined]
    assert _reasons(site, sold) == ["ProviderInitiated"]
    page = provider.get(sold.path)
    assert "Suspension reasons" in page.text
    assert "Suspended by the indirect provider" in page.text
    assert "Tailspin Distribution" in page.text and sold.provider_email in page.text
    assert "Fattura 42 non pagata" in page.text

    italian = site.signed_in(sold.reseller_email, language="it")
    page = italian.get(sold.path)
    assert "Motivi della sospensione" in page.text
    assert "Sospesa dal provider indiretto" in page.text
    assert "Suspension reasons" not in page.text


def test_the_reseller_cannot_lift_the_providers_reason_and_is_told_whose_it_is(site: Site) -> None:
    sold = _sold(site)
    _form(site.signed_in(sold.provider_email), sold, status="suspended")
    reseller = site.signed_in(sold.reseller_email)

    refused = _form(reseller, sold, status="active")

    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert "belong to another party: ProviderInitiated (Tailspin Distribution)" in refused.text  # type: ignore[attr-defined]
    assert _reasons(site, sold) == ["ProviderInitiated"]


def test_a_party_suspends_for_its_own_reason_too_and_a_reactivation_leaves_the_others(site: Site) -> None:
    sold = _sold(site)
    _form(site.signed_in(sold.provider_email), sold, status="suspended")
    reseller = site.signed_in(sold.reseller_email)
    page = reseller.get(sold.path)
    assert "Suspend for your own reason too" in page.text

    _form(reseller, sold, status="suspended", add_own_reason="yes", suspension_note="Chiesto dal cliente")
    assert _reasons(site, sold) == ["ProviderInitiated", "ResellerInitiated"]

    provider = site.signed_in(sold.provider_email)
    after = _form(provider, sold, status="active")
    assert "is still suspended" in after.text  # type: ignore[attr-defined]
    assert "ResellerInitiated (Adatum Rivendita)" in after.text  # type: ignore[attr-defined]
    assert _reasons(site, sold) == ["ResellerInitiated"]


def test_renaming_a_subscription_another_party_suspended_adds_no_reason(site: Site) -> None:
    sold = _sold(site)
    _form(site.signed_in(sold.provider_email), sold, status="suspended")
    reseller = site.signed_in(sold.reseller_email)

    reseller.get(sold.path)
    reseller.post(sold.path, {"status": "suspended", "quantity": "5", "friendly_name": "Sede nuova"})

    assert _reasons(site, sold) == ["ProviderInitiated"]
