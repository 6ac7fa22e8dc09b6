"""The seed's pages: Customers (search, paging, export), a customer's Subscriptions (suspend with
Suspended + Submit), and Account with Remove reseller relationship (disabled with the reason while a
subscription is active, then a confirmation stating the four effects)."""

from __future__ import annotations

import csv
import io

from partnerhub.db import read_session, transaction
from partnerhub.subscriptions.models import Subscription
from tests.activity import operation_names
from tests.factories import M365_E3, TEAMS_PHONE_ADDON, PartnerWorld, buy
from tests.web.conftest import Site


def _with_subscriptions(
    site: Site, partner: PartnerWorld, *, name: str = "Fabrikam", count: int = 2
) -> tuple[str, list[str]]:
    customer_id, _ = site.customer(partner, name=name)
    with transaction(site.engine) as session:
        ids = [buy(session, partner.admin, customer_id, friendly_name=f"Seats {n}").id for n in range(1, count + 1)]
    return customer_id, ids


def _status(site: Site, subscription_id: str) -> str:
    with read_session(site.engine) as session:
        sub = session.get(Subscription, subscription_id)
        assert sub is not None
        return sub.status


def _suspend(browser: object, customer_id: str, sub_id: str, *, quantity: str = "5", name: str = "Seats") -> object:
    page = browser.get(f"/customers/{customer_id}/subscriptions/{sub_id}")  # type: ignore[attr-defined]
    assert page.status_code == 200
    return browser.post(
        f"/customers/{customer_id}/subscriptions/{sub_id}",  # type: ignore[attr-defined]
        {"status": "suspended", "quantity": quantity, "friendly_name": name},
    )


# --- Customers -------------------------------------------------------------------------------------


def test_the_customer_list_shows_only_the_partners_customers(site: Site) -> None:
    partner, other = site.partner(), site.partner()
    site.customer(partner, name="Fabrikam")
    site.customer(other, name="Northwind")
    page = site.signed_in(partner.admin.email).get("/customers")
    assert "Fabrikam" in page.text
    assert "Northwind" not in page.text


def test_the_customer_list_offers_bulk_offboarding_only_to_roles_that_may_remove(site: Site) -> None:
    partner = site.partner()
    _with_subscriptions(site, partner, count=1)
    admin = site.signed_in(partner.admin.email).get("/customers")
    assert 'action="/offboarding/bulk"' in admin.text and 'name="customer_id"' in admin.text
    sales = site.signed_in(partner.sales_agent.email).get("/customers")
    assert sales.status_code == 200 and "Fabrikam" in sales.text
    assert 'action="/offboarding/bulk"' not in sales.text and 'name="customer_id"' not in sales.text
    assert "Offboard selected customers" not in sales.text


def test_the_customer_list_searches_by_company_name_domain_or_id(site: Site) -> None:
    partner = site.partner()
    fabrikam, _ = site.customer(partner, name="Fabrikam", domain="fabrikam.example")
    site.customer(partner, name="Contoso Italia", domain="contoso-it.example")
    browser = site.signed_in(partner.admin.email)
    by_name = browser.get("/customers", params={"q": "fab"})
    assert "Fabrikam" in by_name.text and "Contoso Italia" not in by_name.text
    by_domain = browser.get("/customers", params={"q": "contoso-it", "field": "domain"})
    assert "Contoso Italia" in by_domain.text and "Fabrikam" not in by_domain.text
    by_id = browser.get("/customers", params={"q": fabrikam})
    assert "Fabrikam" in by_id.text and "Contoso Italia" not in by_id.text
    nothing = browser.get("/customers", params={"q": "zzz"})
    assert "No customer matches “zzz”." in nothing.text


def test_the_customer_list_pages_forward(site: Site) -> None:
    partner = site.partner()
    for n in range(30):
        site.customer(partner, name=f"Customer {n:02d}")
    browser = site.signed_in(partner.admin.email)
    first = browser.get("/customers", params={"size": 25})
    assert "Customer 00" in first.text and "Customer 25" not in first.text
    next_link = first.text.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    second = browser.get(next_link)
    assert "Customer 25" in second.text and "Customer 29" in second.text and "Customer 00" not in second.text
    assert 'rel="next"' not in second.text


def test_a_page_size_that_is_not_offered_is_refused(site: Site) -> None:
    partner = site.partner()
    page = site.signed_in(partner.admin.email).get("/customers", params={"size": 7})
    assert page.status_code == 400
    assert "size must be one of" in page.text


def test_the_customer_list_exports_csv_with_formula_cells_defused(site: Site) -> None:
    partner = site.partner()
    site.customer(partner, name="=HYPERLINK(evil)")
    site.customer(partner, name="Fabrikam")
    answer = site.signed_in(partner.admin.email).get("/customers/export.csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows[0][:3] == ["customerId", "companyName", "domain"]
    names = sorted(r[1] for r in rows[1:])
    assert names == ["'=HYPERLINK(evil)", "Fabrikam"]


# --- Subscriptions ---------------------------------------------------------------------------------


def test_the_subscriptions_tab_lists_add_ons_under_their_base(site: Site) -> None:
    partner = site.partner()
    customer_id, _ = site.customer(partner, name="Fabrikam")
    with transaction(site.engine) as session:
        base = buy(session, partner.admin, customer_id, M365_E3, friendly_name="E3 seats")
        buy(session, partner.admin, customer_id, TEAMS_PHONE_ADDON, parent_id=base.id, friendly_name="Phone")
    page = site.signed_in(partner.admin.email).get(f"/customers/{customer_id}/subscriptions")
    assert page.text.index("E3 seats") < page.text.index("Phone")
    assert "Customers</a>" in page.text  # the breadcrumb: Customers > Fabrikam > Subscriptions


def test_suspending_a_subscription_with_suspended_and_submit(site: Site) -> None:
    partner = site.partner()
    customer_id, (sub_id, _) = _with_subscriptions(site, partner)
    browser = site.signed_in(partner.admin.email)
    page = _suspend(browser, customer_id, sub_id, name="Seats 1")
    assert page.status_code == 200  # type: ignore[attr-defined]
    assert "Subscription Seats 1 is suspended." in page.text  # type: ignore[attr-defined]
    assert _status(site, sub_id) == "suspended"
    assert operation_names(site.engine, resource_id=sub_id).count("suspend_subscription") == 1


def test_suspending_the_last_active_subscription_says_removal_is_now_possible(site: Site) -> None:
    partner = site.partner()
    customer_id, (first, second) = _with_subscriptions(site, partner)
    browser = site.signed_in(partner.admin.email)
    assert "No active subscription remains" not in _suspend(browser, customer_id, first).text  # type: ignore[attr-defined]
    assert "No active subscription remains" in _suspend(browser, customer_id, second).text  # type: ignore[attr-defined]


def test_a_quantity_that_is_not_a_number_is_refused_next_to_the_field(site: Site) -> None:
    partner = site.partner()
    customer_id, (sub_id, _) = _with_subscriptions(site, partner)
    browser = site.signed_in(partner.admin.email)
    browser.get(f"/customers/{customer_id}/subscriptions/{sub_id}")
    page = browser.post(
        f"/customers/{customer_id}/subscriptions/{sub_id}",
        {"status": "suspended", "quantity": "lots", "friendly_name": "Renamed"},
    )
    assert page.status_code == 400
    assert 'id="f-quantity-error">Enter a whole number.' in page.text
    assert 'value="lots"' in page.text and 'value="Renamed"' in page.text  # what the user typed is kept
    assert _status(site, sub_id) == "active"  # nothing changed


def test_a_quantity_outside_the_offer_range_is_refused_by_the_service(site: Site) -> None:
    partner = site.partner()
    customer_id, (sub_id, _) = _with_subscriptions(site, partner)
    browser = site.signed_in(partner.admin.email)
    browser.get(f"/customers/{customer_id}/subscriptions/{sub_id}")
    page = browser.post(
        f"/customers/{customer_id}/subscriptions/{sub_id}",
        {"status": "active", "quantity": "100000", "friendly_name": "Seats 1"},
    )
    assert page.status_code == 400
    assert 'id="f-quantity-error">' in page.text


def test_an_empty_friendly_name_and_no_status_are_refused(site: Site) -> None:
    partner = site.partner()
    customer_id, (sub_id, _) = _with_subscriptions(site, partner)
    browser = site.signed_in(partner.admin.email)
    browser.get(f"/customers/{customer_id}/subscriptions/{sub_id}")
    page = browser.post(f"/customers/{customer_id}/subscriptions/{sub_id}", {"quantity": "5", "friendly_name": " "})
    assert page.status_code == 400
    assert 'id="f-friendly_name-error">This field is required.' in page.text
    assert 'id="f-status-error">This field is required.' in page.text


def test_a_sales_agent_cannot_suspend_and_is_told_why(site: Site) -> None:
    partner = site.partner()
    customer_id, (sub_id, _) = _with_subscriptions(site, partner)
    browser = site.signed_in(partner.sales_agent.email)
    page = _suspend(browser, customer_id, sub_id, name="Seats 1")
    assert page.status_code == 400  # type: ignore[attr-defined]
    assert "Your role does not allow this operation" in page.text  # type: ignore[attr-defined]
    assert _status(site, sub_id) == "active"


# --- Account and removal ---------------------------------------------------------------------------


def test_remove_is_disabled_with_the_reason_while_a_subscription_is_active(site: Site) -> None:
    partner = site.partner()
    customer_id, (first, second) = _with_subscriptions(site, partner)
    browser = site.signed_in(partner.admin.email)
    page = browser.get(f"/customers/{customer_id}/account")
    assert 'class="button danger" disabled aria-describedby="remove-reason"' in page.text
    assert "suspend every active subscription first" in page.text
    assert f"/customers/{customer_id}/subscriptions/{first}" in page.text
    assert f"/customers/{customer_id}/subscriptions/{second}" in page.text
    assert customer_id in page.text  # the customer id is on the Account page
    refused = browser.get(f"/customers/{customer_id}/remove")
    assert refused.url.path == f"/customers/{customer_id}/account"


def test_a_role_that_may_not_remove_is_not_offered_the_removal(site: Site) -> None:
    """A Sales agent sees the relationship but no Remove button, and the confirmation page sends it back."""
    partner = site.partner()
    customer_id, subs = _with_subscriptions(site, partner, count=1)
    with transaction(site.engine) as session:
        session.get(Subscription, subs[0]).status = "suspended"  # type: ignore[union-attr]
    browser = site.signed_in(partner.sales_agent.email)
    page = browser.get(f"/customers/{customer_id}/account")
    zone = page.text.split('id="remove-heading"')[1]
    assert "Only your Global admin, or an Admin agent" in zone
    assert f'href="/customers/{customer_id}/remove"' not in zone
    assert browser.get(f"/customers/{customer_id}/remove").url.path == f"/customers/{customer_id}/account"
    admin_page = site.signed_in(partner.admin.email).get(f"/customers/{customer_id}/account")
    assert f'href="/customers/{customer_id}/remove"' in admin_page.text


def test_removal_after_the_last_suspension_states_the_four_effects_then_removes(site: Site) -> None:
    partner = site.partner()
    customer_id, subs = _with_subscriptions(site, partner, name="Fabrikam")
    browser = site.signed_in(partner.admin.email)
    for sub_id in subs:
        _suspend(browser, customer_id, sub_id)
    account = browser.get(f"/customers/{customer_id}/account")
    assert "disabled" not in account.text.split('id="remove-heading"')[1]
    confirm = browser.get(f"/customers/{customer_id}/remove")
    for effect in (
        "remove the customer from your list of customers",
        "list of available support contacts",
        "delegated admin privileges",
        "purchases on behalf of the customer",
        "No notice is sent to the customer",
    ):
        assert effect in confirm.text
    done = browser.post(f"/customers/{customer_id}/remove")
    assert done.url.path == "/customers"
    assert "The reseller relationship with Fabrikam was removed" in done.text
    assert "request a reseller relationship again" in done.text
    assert f"/customers/{customer_id}/subscriptions" not in done.text  # gone from the list
    assert browser.get(f"/customers/{customer_id}/account").status_code == 404
    assert "remove_partner_customer_relationship" in operation_names(site.engine, customer_id=customer_id)


def test_a_removal_refused_by_the_server_goes_back_to_account_with_the_reason(site: Site) -> None:
    partner = site.partner()
    customer_id, subs = _with_subscriptions(site, partner, count=1)
    browser = site.signed_in(partner.admin.email)
    _suspend(browser, customer_id, subs[0])
    browser.get(f"/customers/{customer_id}/remove")
    with transaction(site.engine) as session:  # meanwhile someone buys again
        buy(session, partner.admin, customer_id)
    answer = browser.post(f"/customers/{customer_id}/remove")
    assert answer.url.path == f"/customers/{customer_id}/account"
    assert "active" in answer.text and "flash-error" in answer.text


def test_another_partners_customer_is_not_found(site: Site) -> None:
    owner, stranger = site.partner(), site.partner()
    customer_id, subs = _with_subscriptions(site, owner, name="Fabrikam")
    browser = site.signed_in(stranger.admin.email)
    for path in (
        f"/customers/{customer_id}/subscriptions",
        f"/customers/{customer_id}/account",
        f"/customers/{customer_id}/subscriptions/{subs[0]}",
        f"/customers/{customer_id}/remove",
    ):
        page = browser.get(path)
        assert page.status_code == 404, path
        assert "Fabrikam" not in page.text
    assert browser.post(f"/customers/{customer_id}/remove").status_code == 404
    assert _status(site, subs[0]) == "active"


def test_a_customer_admin_cannot_open_the_partner_pages(site: Site) -> None:
    partner = site.partner()
    _customer_id, admin_email = site.customer(partner, name="Fabrikam")
    browser = site.signed_in(admin_email)
    page = browser.get("/customers")
    assert page.status_code == 403
    assert "Not allowed" in page.text


def test_an_unknown_address_is_a_page_not_json(site: Site) -> None:
    page = site.browser().get("/nowhere")
    assert page.status_code == 404
    assert "There is no page at this address." in page.text
    assert site.browser().get("/v1/nowhere").json()["code"] == 404


def test_the_account_page_in_italian(site: Site) -> None:
    partner = site.partner()
    customer_id, _ = _with_subscriptions(site, partner, count=1)
    browser = site.signed_in(partner.admin.email, language="it")
    page = browser.get(f"/customers/{customer_id}/account")
    assert "Rimuovi la relazione con il rivenditore" in page.text
    assert "Clienti</a>" in page.text and "Sottoscrizioni" in page.text
    assert "Attiva" in page.text
