"""Tenants stay apart in a real browser, in English and in Italian: another partner's customer pages answer a
"Not found" page that shows nothing of that customer, and a customer's Global admin cannot open the partner
pages at all."""

from __future__ import annotations

from tests.browser.conftest import Browsers, LiveSite, User, expect
from tests.factories import M365_BASIC


def refused(me: User, path: str, *, status: int, title: str, hidden: list[str]) -> None:
    """Open `path`: the error page of `status`, titled `title`, that shows none of `hidden`."""
    answer = me.page.goto(me.site.base_url + path)
    assert answer is not None and answer.status == status, (path, answer and answer.status)
    expect(me.page.get_by_role("heading", name=me.t(title), level=1)).to_be_visible()
    expect(me.page.locator("html")).to_have_attribute("lang", me.language)
    text = me.page.locator("body").inner_text()
    for secret in hidden:
        assert secret not in text, f"{path} shows {secret!r} to another tenant"


def test_forbidden_across_tenants(browsers: Browsers, live_site: LiveSite, language: str) -> None:
    owner = live_site.partner(name=f"Alpine Owner {language.upper()}")
    company = f"Secret Client {language.upper()} SpA"
    customer_id, customer_admin = live_site.customer(owner, name=company, language=language)
    subscription_id = live_site.buy(owner, customer_id, M365_BASIC, friendly_name="Confidential seats")
    intruder = live_site.partner(name=f"Bravo Intruder {language.upper()}")
    hidden = [company, "Confidential seats", customer_admin.split("@")[1]]

    other = browsers.user(language)
    other.sign_in(intruder.admin.email)
    for path in (
        f"/customers/{customer_id}/subscriptions",
        f"/customers/{customer_id}/account",
        f"/customers/{customer_id}/subscriptions/{subscription_id}",
        f"/customers/{customer_id}/remove",
    ):
        refused(other, path, status=404, title="Not found", hidden=hidden)
    other.shot("forbidden-01-other-partners-customer")
    other.go("/customers")
    expect(other.page.get_by_role("link", name=company)).to_have_count(0)

    # A customer's Global admin is no partner: the partner pages refuse it
    admin = browsers.user(language)
    admin.sign_in(customer_admin)
    refused(admin, "/customers", status=403, title="Not allowed", hidden=[])
    admin.shot("forbidden-02-customer-admin-on-customers")
