"""At phone width (390×844), in English and in Italian, the customer list and a customer's account fit the
screen: the document never scrolls sideways (wide tables scroll inside their own frame)."""

from __future__ import annotations

from tests.browser.conftest import PHONE, Browsers, LiveSite, expect
from tests.factories import M365_BASIC


def test_phone_width_pages_have_no_horizontal_overflow(browsers: Browsers, live_site: LiveSite, language: str) -> None:
    partner = live_site.partner(name=f"Pocket Partner {language.upper()}")
    company = f"Lungo Nome Della Società Clienti {language.upper()} Srl"
    customer_id, _admin = live_site.customer(partner, name=company, language=language)
    live_site.buy(partner, customer_id, M365_BASIC, friendly_name="Sede principale con un nome piuttosto lungo")

    me = browsers.user(language, viewport=PHONE)
    me.sign_in(partner.admin.email)
    assert me.has_no_horizontal_overflow(), "the dashboard scrolls sideways at phone width"

    me.go("/customers")
    expect(me.page.get_by_role("heading", name=me.t("Customers"), level=1)).to_be_visible()
    expect(me.page.get_by_role("link", name=company)).to_be_attached()
    me.shot("phone-01-customers")
    assert me.has_no_horizontal_overflow(), "the customer list scrolls sideways at phone width"

    me.go(f"/customers/{customer_id}/account")
    expect(me.page.get_by_role("button", name=me.t("Remove reseller relationship"))).to_be_disabled()
    me.shot("phone-02-account")
    assert me.has_no_horizontal_overflow(), "the account page scrolls sideways at phone width"
