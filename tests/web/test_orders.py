"""Orders pages: the Orders tab lists each order with its line items and the subscriptions they created; New
order takes several line items from the catalog (add-ons under a parent subscription), checks each field
against its offer, and is refused with 20002 once the relationship is gone."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from partnerhub.audit.models import ActivityRecord
from partnerhub.db import read_session, transaction
from partnerhub.subscriptions.models import Subscription
from partnerhub.usecases.remove_reseller_relationship import remove_reseller_relationship
from tests.factories import M365_BASIC, M365_E3, TEAMS_PHONE_ADDON, PartnerWorld, buy
from tests.web.conftest import Browser, Site

EXCHANGE = "CFQ7TTC0LH16:0001"


def _customer(site: Site, partner: PartnerWorld, *, with_e3: bool = False) -> tuple[str, str | None]:
    customer_id, _ = site.customer(partner, name="Fabrikam")
    e3 = None
    if with_e3:
        with transaction(site.engine) as session:
            e3 = buy(session, partner.admin, customer_id, M365_E3, friendly_name="Head office E3").id
    return customer_id, e3


def _subscriptions(site: Site, customer_id: str) -> dict[str, tuple[str, int, str, str | None]]:
    with read_session(site.engine) as session:
        subs = session.scalars(select(Subscription).where(Subscription.customer_id == customer_id)).all()
        return {s.friendly_name: (s.offer_id, s.quantity, s.term_duration, s.parent_subscription_id) for s in subs}


def _order_count(site: Site, customer_id: str) -> int:
    with read_session(site.engine) as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(ActivityRecord)
                .where(ActivityRecord.customer_id == customer_id, ActivityRecord.operation_type == "create_order")
            )
            or 0
        )


def _post_order(browser: Browser, customer_id: str, data: dict[str, Any]) -> Any:
    page = browser.get(f"/customers/{customer_id}/orders/new")
    assert page.status_code == 200
    return browser.post(f"/customers/{customer_id}/orders/new", {"lines": "3", **data})


def test_the_orders_tab_lists_each_order_with_links_to_its_subscriptions(site: Site) -> None:
    partner = site.partner()
    customer_id, e3 = _customer(site, partner, with_e3=True)
    page = site.signed_in(partner.admin.email).get(f"/customers/{customer_id}/orders")
    assert page.status_code == 200
    assert 'aria-current="page">Orders</a>' in page.text
    assert f'href="/customers/{customer_id}/subscriptions/{e3}">Head office E3</a>' in page.text
    assert "Microsoft 365 E3" in page.text
    assert "New order" in page.text


def test_an_order_without_orders_invites_to_place_one(site: Site) -> None:
    partner = site.partner()
    customer_id, _ = _customer(site, partner)
    page = site.signed_in(partner.admin.email).get(f"/customers/{customer_id}/orders")
    assert "No order was placed for this customer through you yet." in page.text


def test_the_new_order_form_offers_three_line_items_from_the_catalog(site: Site) -> None:
    partner = site.partner()
    customer_id, e3 = _customer(site, partner, with_e3=True)
    page = site.signed_in(partner.admin.email).get(f"/customers/{customer_id}/orders/new")
    assert page.status_code == 200
    for i in range(3):
        assert f'name="offer_{i}"' in page.text and f'name="quantity_{i}"' in page.text
        assert f'name="parent_{i}"' in page.text and f'name="term_{i}"' in page.text
    assert 'name="offer_3"' not in page.text
    assert "Microsoft Teams Phone Standard (add-on of Microsoft 365 E3)" in page.text
    assert f'<option value="{e3}">Head office E3 — Microsoft 365 E3</option>' in page.text


def test_placing_an_order_of_three_line_items_with_an_add_on(site: Site) -> None:
    partner = site.partner()
    customer_id, e3 = _customer(site, partner, with_e3=True)
    browser = site.signed_in(partner.sales_agent.email)
    done = _post_order(
        browser,
        customer_id,
        {
            "offer_0": M365_BASIC,
            "quantity_0": "12",
            "friendly_name_0": "Sales team",
            "term_0": "P1Y",
            "offer_1": TEAMS_PHONE_ADDON,
            "quantity_1": "4",
            "parent_1": e3,
            "friendly_name_1": "Phones",
            "offer_2": EXCHANGE,
            "quantity_2": "2",
            "friendly_name_2": "",
            "billing_cycle": "monthly",
        },
    )
    assert done.status_code == 200
    assert str(done.url).endswith(f"/customers/{customer_id}/orders")
    assert "Order placed: 3 subscriptions created." in done.text
    subs = _subscriptions(site, customer_id)
    assert subs["Sales team"] == (M365_BASIC, 12, "P1Y", None)
    assert subs["Phones"] == (TEAMS_PHONE_ADDON, 4, "P1M", e3)
    assert subs["Exchange Online (Plan 1)"][:2] == (EXCHANGE, 2)
    assert "Sales team</a>" in done.text and "Phones</a>" in done.text
    assert _order_count(site, customer_id) == 2  # the E3 bought before, and this one


def test_empty_lines_are_ignored(site: Site) -> None:
    partner = site.partner()
    customer_id, _ = _customer(site, partner)
    browser = site.signed_in(partner.admin.email)
    done = _post_order(
        browser,
        customer_id,
        {"offer_0": "", "quantity_0": "1", "offer_2": M365_BASIC, "quantity_2": "3", "friendly_name_2": "Kiosk"},
    )
    assert "Order placed: 1 subscriptions created." in done.text
    assert list(_subscriptions(site, customer_id)) == ["Kiosk"]


def test_a_quantity_outside_the_offers_range_is_shown_next_to_the_field(site: Site) -> None:
    partner = site.partner()
    customer_id, _ = _customer(site, partner)
    browser = site.signed_in(partner.admin.email)
    page = _post_order(
        browser,
        customer_id,
        {
            "offer_0": M365_BASIC,
            "quantity_0": "5",
            "friendly_name_0": "Ok",
            "offer_1": M365_BASIC,
            "quantity_1": "301",
            "friendly_name_1": "Too many",
        },
    )
    assert page.status_code == 400
    assert (
        '<p class="field-error" id="f-quantity_1-error">Quantity must be between 1 and 300; got 301.</p>' in page.text
    )  # the service's rule and words, next to the field
    assert 'id="f-quantity_0-error"' not in page.text
    assert 'value="301"' in page.text and 'value="Too many"' in page.text  # what was typed is kept
    assert f'<option value="{M365_BASIC}" selected>' in page.text
    assert _subscriptions(site, customer_id) == {}


def test_an_add_on_needs_a_parent_and_a_base_offer_takes_none(site: Site) -> None:
    partner = site.partner()
    customer_id, e3 = _customer(site, partner, with_e3=True)
    browser = site.signed_in(partner.admin.email)
    page = _post_order(
        browser,
        customer_id,
        {"offer_0": TEAMS_PHONE_ADDON, "quantity_0": "1", "offer_1": M365_BASIC, "quantity_1": "1", "parent_1": e3},
    )
    assert page.status_code == 400
    assert f"is an add-on of {M365_E3}" in page.text.split('id="f-parent_0-error"')[1].split("</p>")[0]
    assert "cannot be the parent of offer" in page.text.split('id="f-parent_1-error"')[1].split("</p>")[0]
    assert list(_subscriptions(site, customer_id)) == ["Head office E3"]


def test_a_term_or_billing_cycle_the_offer_is_not_sold_with_is_refused(site: Site) -> None:
    partner = site.partner()
    customer_id, _ = _customer(site, partner)
    browser = site.signed_in(partner.admin.email)
    page = _post_order(
        browser, customer_id, {"offer_0": M365_BASIC, "quantity_0": "1", "term_0": "P3Y", "billing_cycle": "triennial"}
    )
    assert page.status_code == 400
    assert "not sold with termDuration P3Y; choose one of: P1M, P1Y" in page.text.split('id="f-term_0-error"')[1]
    assert "not sold with billingCycle triennial" in page.text.split('id="f-billing_cycle-error"')[1]
    assert _subscriptions(site, customer_id) == {}


def test_an_order_without_any_offer_is_refused(site: Site) -> None:
    partner = site.partner()
    customer_id, _ = _customer(site, partner)
    browser = site.signed_in(partner.admin.email)
    page = _post_order(browser, customer_id, {"friendly_name_1": "Forgot the offer"})
    assert page.status_code == 400
    assert "Choose an offer for this line, or clear the line." in page.text.split('id="f-offer_1-error"')[1]
    page = browser.post(f"/customers/{customer_id}/orders/new", {"lines": "3"})
    assert page.status_code == 400
    assert "Choose an offer for at least one line item." in page.text
    assert _order_count(site, customer_id) == 0


def test_add_a_line_item_keeps_what_was_typed(site: Site) -> None:
    partner = site.partner()
    customer_id, _ = _customer(site, partner)
    browser = site.signed_in(partner.admin.email)
    page = _post_order(browser, customer_id, {"offer_0": M365_BASIC, "quantity_0": "7", "add_line": "1"})
    assert page.status_code == 200
    assert 'name="offer_3"' in page.text and 'name="lines" value="4"' in page.text
    assert 'value="7"' in page.text
    assert _subscriptions(site, customer_id) == {}


def test_after_the_relationship_is_removed_orders_are_refused_with_20002(site: Site) -> None:
    partner = site.partner()
    customer_id, _ = _customer(site, partner)
    browser = site.signed_in(partner.admin.email)
    browser.get(f"/customers/{customer_id}/orders/new")
    with transaction(site.engine) as session:
        remove_reseller_relationship(session, partner.admin, customer_id=customer_id)
    refused = browser.post(
        f"/customers/{customer_id}/orders/new", {"lines": "3", "offer_0": M365_BASIC, "quantity_0": "1"}
    )
    assert refused.status_code == 403
    assert (
        f"There is no active reseller relationship with customer {customer_id}: purchases are refused." in refused.text
    )
    assert browser.get(f"/customers/{customer_id}/orders").status_code == 403
    assert _subscriptions(site, customer_id) == {}


def test_another_partners_customer_has_no_orders_pages(site: Site) -> None:
    partner, other = site.partner(), site.partner()
    customer_id, _ = _customer(site, other, with_e3=True)
    browser = site.signed_in(partner.admin.email)
    assert browser.get(f"/customers/{customer_id}/orders").status_code == 404
    assert browser.get(f"/customers/{customer_id}/orders/new").status_code == 404
    browser.get("/customers")
    page = browser.post(f"/customers/{customer_id}/orders/new", {"offer_0": M365_BASIC, "quantity_0": "1"})
    assert page.status_code == 404
    assert list(_subscriptions(site, customer_id)) == ["Head office E3"]


def test_a_helpdesk_agent_may_not_place_orders(site: Site) -> None:
    partner = site.partner()
    customer_id, _ = _customer(site, partner)
    browser = site.signed_in(partner.helpdesk_agent.email)
    page = _post_order(browser, customer_id, {"offer_0": M365_BASIC, "quantity_0": "1"})
    assert page.status_code == 403
    assert "Your role does not allow this operation" in page.text
    assert _subscriptions(site, customer_id) == {}


def test_the_new_order_page_in_italian(site: Site) -> None:
    partner = site.partner()
    customer_id, _ = _customer(site, partner)
    browser = site.signed_in(partner.admin.email)
    browser.client.cookies.set("ph_lang", "it")
    page = browser.get(f"/customers/{customer_id}/orders/new")
    assert "Nuovo ordine" in page.text and "Riga 1" in page.text
    page = browser.post(
        f"/customers/{customer_id}/orders/new", {"lines": "3", "offer_0": TEAMS_PHONE_ADDON, "quantity_0": "1"}
    )
    assert page.status_code == 400
    assert f"è un componente aggiuntivo di {M365_E3}" in page.text  # the service's message, in Italian
