"""The Webhooks page (a partner's Global admins): register an endpoint and choose its events (the secret
shown once), refusals beside their field, a test event and its result in the delivery log, redelivery,
rotation, disabling and removal; a dashboard notice when partnerhub disabled an endpoint; Italian."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from partnerhub.db import read_session, transaction
from partnerhub.webhooks.models import DisabledReason, WebhookEndpoint
from partnerhub.webhooks.service import WebhookConfig
from tests.activity import operation_names
from tests.factories import PartnerWorld
from tests.web.conftest import Browser, Site
from tests.webhooks.helpers import dispatch
from tests.webhooks.receiver import Receiver, running_receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as r:
        yield r


@pytest.fixture
def hooks(make_site) -> Site:  # type: ignore[no-untyped-def]
    return make_site(webhook_allow_private=True)  # type: ignore[no-any-return]


def _endpoint(site: Site, partner: PartnerWorld) -> WebhookEndpoint:
    with read_session(site.engine) as session:
        found = session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.partner_id == partner.partner_id)).one()
        session.expunge(found)
        return found


def _register(browser: Browser, url: str, events: list[str]) -> str:
    browser.get("/webhooks")
    page = browser.post("/webhooks", {"url": url, "events": events})
    assert page.status_code == 200, page.text
    secret = page.text.split('id="secret">')[1].split("<")[0]
    assert secret.startswith("whsec_")
    return secret


def test_a_global_admin_registers_an_endpoint_and_sees_its_secret_once(hooks: Site, receiver: Receiver) -> None:
    partner = hooks.partner()
    browser = hooks.signed_in(partner.admin.email)
    assert 'href="/webhooks"' in browser.get("/").text  # the menu
    secret = _register(browser, receiver.url, ["customer-created", "subscription-updated"])
    endpoint = _endpoint(hooks, partner)
    assert endpoint.is_registration and endpoint.events == ["subscription-updated", "customer-created"]
    page = browser.get(f"/webhooks/{endpoint.id}")
    assert page.status_code == 200 and secret not in page.text and receiver.url in page.text
    assert secret not in browser.get("/webhooks").text
    assert operation_names(hooks.engine, resource_id=endpoint.id) == ["create_webhook_endpoint"]


def test_refusals_are_shown_beside_their_field_and_keep_what_was_typed(make_site) -> None:  # type: ignore[no-untyped-def]
    site = make_site()  # private targets not allowed
    partner = site.partner()
    browser = site.signed_in(partner.admin.email)
    browser.get("/webhooks")
    page = browser.post("/webhooks", {"url": "ftp://hooks.example/x", "events": ["order-created"]})
    assert page.status_code == 400 and "ftp://" in page.text and 'aria-invalid="true"' in page.text
    assert 'value="ftp://hooks.example/x"' in page.text
    browser.get("/webhooks")
    none = browser.post("/webhooks", {"url": "https://hooks.example/x"})
    assert none.status_code == 400 and "Choose at least one webhook event." in none.text


def test_a_test_event_its_result_and_a_redelivery(hooks: Site, receiver: Receiver) -> None:
    receiver.answer((500, {}, b"receiver down", 0.0))
    partner = hooks.partner()
    browser = hooks.signed_in(partner.admin.email)
    _register(browser, receiver.url, ["order-created"])
    endpoint = _endpoint(hooks, partner)
    browser.get(f"/webhooks/{endpoint.id}")
    page = browser.post(f"/webhooks/{endpoint.id}/test")
    assert "A test event is on its way" in page.text and "Not sent yet" in page.text
    config = WebhookConfig.from_settings(hooks.runtime.settings)
    dispatch(hooks.engine, config)
    page = browser.get(f"/webhooks/{endpoint.id}")
    assert "test-created" in page.text and "HTTP 500" in page.text and "receiver down" in page.text
    assert "next attempt" in page.text
    with transaction(hooks.engine) as session:  # give up at once: the delivery fails, and may be redelivered
        from partnerhub.webhooks.models import WebhookDelivery

        d = session.scalars(select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)).one()
        d.status, delivery_id = "failed", d.id
    page = browser.get(f"/webhooks/{endpoint.id}?status=failed")
    page = browser.post(f"/webhooks/deliveries/{delivery_id}/redeliver")
    assert "sent again, with the same webhook-id" in page.text
    dispatch(hooks.engine, config)
    got = receiver.wait_for(2)
    assert got[0].headers["webhook-id"] == got[1].headers["webhook-id"] == delivery_id


def test_rotation_disabling_and_removal(hooks: Site, receiver: Receiver) -> None:
    partner = hooks.partner()
    browser = hooks.signed_in(partner.admin.email)
    old = _register(browser, receiver.url, ["order-created"])
    endpoint = _endpoint(hooks, partner)
    browser.get(f"/webhooks/{endpoint.id}")
    rotated = browser.post(f"/webhooks/{endpoint.id}/rotate")
    new = rotated.text.split('id="secret">')[1].split("<")[0]
    assert new.startswith("whsec_") and new != old and "24 hours" in rotated.text
    browser.get(f"/webhooks/{endpoint.id}")
    saved = browser.post(f"/webhooks/{endpoint.id}", {"url": receiver.url, "events": ["order-created"]})
    assert "The endpoint was saved." in saved.text and _endpoint(hooks, partner).disabled_reason == "by-user"
    gone = browser.post(f"/webhooks/{endpoint.id}/delete")
    assert "removed" in gone.text and "No endpoint yet" in gone.text
    assert operation_names(hooks.engine, resource_id=endpoint.id) == [
        "create_webhook_endpoint",
        "rotate_webhook_secret",
        "update_webhook_endpoint",
        "delete_webhook_endpoint",
    ]


def test_only_global_admins_get_the_page(hooks: Site) -> None:
    partner = hooks.partner()
    browser = hooks.signed_in(partner.admin_agent.email)
    assert 'href="/webhooks"' not in browser.get("/").text
    assert browser.get("/webhooks").status_code == 403


def test_another_partners_endpoint_is_not_found(hooks: Site, receiver: Receiver) -> None:
    a, b = hooks.partner(), hooks.partner()
    _register(hooks.signed_in(a.admin.email), receiver.url, ["order-created"])
    assert hooks.signed_in(b.admin.email).get(f"/webhooks/{_endpoint(hooks, a).id}").status_code == 404


def test_the_dashboard_tells_global_admins_about_a_disabled_endpoint(hooks: Site, receiver: Receiver) -> None:
    partner = hooks.partner()
    browser = hooks.signed_in(partner.admin.email)
    _register(browser, receiver.url, ["order-created"])
    assert "webhook endpoint(s)" not in browser.get("/").text
    with transaction(hooks.engine) as session:
        from partnerhub.clock import utc_now

        e = session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.partner_id == partner.partner_id)).one()
        e.disable(DisabledReason.FAILING, now=utc_now())
    page = browser.get("/")
    assert "partnerhub disabled 1 webhook endpoint(s)" in page.text and receiver.url in page.text
    assert "partnerhub disabled" not in hooks.signed_in(partner.admin_agent.email).get("/").text


def test_the_page_speaks_italian(hooks: Site, receiver: Receiver) -> None:
    partner = hooks.partner()
    browser = hooks.signed_in(partner.admin.email, language="it")
    page = browser.get("/webhooks")
    assert "Registra un endpoint" in page.text and "Eventi" in page.text
    _register(browser, receiver.url, ["order-created"])
    assert "Registro delle consegne" in browser.get(f"/webhooks/{_endpoint(hooks, partner).id}").text
