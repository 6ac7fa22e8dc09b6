"""The Webhooks page in a real browser, in English and Italian: a Global admin registers an endpoint on a
local receiver, copies the secret shown once, sends a test event and sees it delivered in the log (the live
server's own dispatcher sends it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Locator, Page

from tests.browser.conftest import Browsers, expect
from tests.webhooks.receiver import Receiver, running_receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as r:
        yield r


def reload_until_visible(page: Page, locator: Locator, attempts: int = 40) -> None:
    for _ in range(attempts):
        page.reload()
        if locator.count():
            break
        page.wait_for_timeout(250)
    expect(locator).to_be_visible()


def test_register_test_and_read_the_log(browsers: Browsers, language: str, receiver: Receiver) -> None:
    partner = browsers.site.partner()
    user = browsers.user(language)
    user.sign_in(partner.admin.email)
    user.nav("Webhooks").click()
    page = user.page
    expect(page.get_by_role("heading", name=user.t("Webhooks"), exact=True)).to_be_visible()
    page.get_by_label(user.t("Endpoint URL")).fill(receiver.url)
    page.get_by_label("customer-created").check()
    page.get_by_label("subscription-updated").check()
    user.shot("webhooks-register")
    page.get_by_role("button", name=user.t("Register endpoint")).click()
    secret = page.locator("#secret").inner_text()
    assert secret.startswith("whsec_")
    user.shot("webhooks-secret")
    page.get_by_role("link", name=user.t("Done")).click()
    page.get_by_role("button", name=user.t("Send test event")).click()
    expect(user.flash()).to_contain_text(
        user.t("A test event is on its way: its result appears in the delivery log below.")
    )
    received = receiver.wait_for(1, timeout=20)[0]
    assert received.verified_with(secret)["EventName"] == "test-created"
    # The receiver has its copy; the dispatcher records the answer in the log a moment later.
    reload_until_visible(page, page.locator("table.data").get_by_text(user.t("Succeeded")))
    page.locator("details.changes summary").first.click()
    user.shot("webhooks-endpoint")
    user.go("/webhooks")
    expect(page.get_by_text(user.t("Partner Center registration"))).to_be_visible()
    assert user.has_no_horizontal_overflow()
    user.shot("webhooks-list")
