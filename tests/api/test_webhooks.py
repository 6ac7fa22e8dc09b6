"""Partner Center's webhook registration API over HTTP (/webhooks/v1): register with a signing secret shown
once, 409 on a second registration, GET/PUT/DELETE, event names in any case, who may manage it, and the
shapes of Partner Center's swagger (partner-center-swagger-Webhooks.json)."""

from __future__ import annotations

import base64
import json
from functools import cache
from typing import Any

import pytest
from jsonschema import Draft7Validator
from sqlalchemy import select

from partnerhub.crypto import decrypt
from partnerhub.db import read_session
from partnerhub.webhooks.events import EVENT_NAMES
from partnerhub.webhooks.models import WebhookEndpoint
from tests.activity import operation_names
from tests.api import swagger
from tests.api.conftest import Api

URL = "https://hooks.contoso.example/pc"
REG = "/webhooks/v1/registration"
PUBLIC = ["93.184.216.34"]


def public_dns(host: str, port: int) -> list[str]:
    """The outside world's DNS, faked: every name is a public address."""
    return PUBLIC


@pytest.fixture
def hooks(make_api: Any) -> Api:
    api = make_api()
    api.client.app.state.webhook_resolver = public_dns  # type: ignore[attr-defined]
    return api


@cache
def _swagger_schema(definition: str) -> dict[str, Any]:
    doc = json.loads((swagger.REFERENCE / "partner-center-swagger-Webhooks.json").read_text())
    return {"allOf": [{"$ref": f"#/definitions/{definition}"}], "definitions": swagger._definitions(doc)}


def conforms(body: Any, definition: str) -> list[str]:
    validator = Draft7Validator(_swagger_schema(definition), format_checker=swagger.format_checker)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(body)]


def test_register_answers_the_registration_with_its_signing_secret_once(hooks: Api) -> None:
    p = hooks.partner()
    r = hooks.call("POST", REG, p.token, json={"WebhookUrl": URL, "WebhookEvents": ["Subscription-Updated"]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert conforms(body, "WebhookRegistration") == []
    assert body["webhookUrl"] == URL and body["webhookEvents"] == ["subscription-updated"]
    assert body["subscriberId"] == p.partner_id
    secret = body["properties"]["signingSecret"]
    assert secret.startswith("whsec_") and len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    again = hooks.call("GET", REG, p.token)
    assert again.status_code == 200 and again.json()["properties"] == {}
    assert secret not in again.text
    assert conforms(again.json(), "WebhookRegistration") == []
    with read_session(hooks.engine) as session:
        stored = session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.partner_id == p.partner_id)).one()
        assert secret.removeprefix("whsec_") not in stored.secret_encrypted  # a dump alone does not reveal it
        assert decrypt("test", "webhook-signing-secret", stored.secret_encrypted) == secret
    assert operation_names(hooks.engine, partner_id=p.partner_id, resource_type="webhook_endpoint") == [
        "create_webhook_endpoint"
    ]


def test_a_second_registration_is_a_conflict_and_put_replaces_it(hooks: Api) -> None:
    p = hooks.partner()
    assert (
        hooks.call("POST", REG, p.token, json={"webhookUrl": URL, "webhookEvents": ["order-created"]}).status_code
        == 200
    )
    second = hooks.call("POST", REG, p.token, json={"webhookUrl": URL, "webhookEvents": ["order-created"]})
    assert second.status_code == 409 and second.json()["code"] == 800700
    put = hooks.call(
        "PUT", REG, p.token, json={"webhookUrl": URL + "/v2", "webhookEvents": ["ORDER-CREATED", "customer-created"]}
    )
    assert put.status_code == 200, put.text
    assert put.json()["webhookUrl"] == URL + "/v2"
    assert put.json()["webhookEvents"] == ["customer-created", "order-created"]
    assert conforms(put.json(), "WebhookRegistration") == []
    assert operation_names(hooks.engine, partner_id=p.partner_id, resource_type="webhook_endpoint") == [
        "create_webhook_endpoint",
        "update_webhook_endpoint",
    ]


def test_get_put_and_delete_without_a_registration_are_not_found(hooks: Api) -> None:
    p = hooks.partner()
    assert hooks.call("GET", REG, p.token).status_code == 404
    put = hooks.call("PUT", REG, p.token, json={"webhookUrl": URL, "webhookEvents": ["order-created"]})
    assert put.status_code == 404 and put.json()["code"] == 800701
    assert hooks.call("DELETE", REG, p.token).status_code == 404


def test_delete_removes_the_registration(hooks: Api) -> None:
    p = hooks.partner()
    hooks.call("POST", REG, p.token, json={"webhookUrl": URL, "webhookEvents": ["order-created"]})
    assert hooks.call("DELETE", REG, p.token).status_code == 204
    assert hooks.call("GET", REG, p.token).status_code == 404
    assert (
        hooks.call("POST", REG, p.token, json={"webhookUrl": URL, "webhookEvents": ["order-created"]}).status_code
        == 200
    )
    assert operation_names(hooks.engine, partner_id=p.partner_id, resource_type="webhook_endpoint") == [
        "create_webhook_endpoint",
        "delete_webhook_endpoint",
        "create_webhook_endpoint",
    ]


def test_the_event_names_are_listed(hooks: Api) -> None:
    p = hooks.partner()
    r = hooks.call("GET", f"{REG}/events", p.token)
    assert r.status_code == 200
    names = r.json()
    assert all(isinstance(n, str) for n in names)  # the swagger's answer: an array of strings
    assert names == list(EVENT_NAMES)
    assert {
        "subscription-updated",
        "reseller-relationship-removed",
        "test-created",
        "granular-admin-relationship-auto-extended",
    } <= set(names)


@pytest.mark.parametrize(("events", "code"), [(["subscription-exploded"], 800704), ([], 800705)])
def test_unknown_or_no_event_names_are_refused(hooks: Api, events: list[str], code: int) -> None:
    p = hooks.partner()
    r = hooks.call("POST", REG, p.token, json={"webhookUrl": URL, "webhookEvents": events})
    assert r.status_code == 400 and r.json()["code"] == code
    if events:
        assert "subscription-exploded" in r.json()["description"]


@pytest.mark.parametrize("role", ["sales_agent", "helpdesk_agent"])
def test_only_global_admins_and_admin_agents_manage_webhooks(hooks: Api, role: str) -> None:
    p = hooks.partner()
    refused = hooks.call("POST", REG, p.tokens[role], json={"webhookUrl": URL, "webhookEvents": ["order-created"]})
    assert refused.status_code == 403
    assert hooks.call("GET", f"{REG}/events", p.tokens[role]).status_code == 403
    ok = hooks.call("POST", REG, p.tokens["admin_agent"], json={"webhookUrl": URL, "webhookEvents": ["order-created"]})
    assert ok.status_code == 200


def test_another_partners_endpoint_is_not_found(hooks: Api) -> None:
    a, b = hooks.partner(), hooks.partner()
    made = hooks.call(
        "POST", "/webhooks/v1/endpoints", a.token, json={"webhookUrl": URL, "webhookEvents": ["order-created"]}
    ).json()
    for method, path in (
        ("GET", f"/webhooks/v1/endpoints/{made['id']}"),
        ("PATCH", f"/webhooks/v1/endpoints/{made['id']}"),
        ("DELETE", f"/webhooks/v1/endpoints/{made['id']}"),
        ("POST", f"/webhooks/v1/endpoints/{made['id']}/rotateSecret"),
        ("GET", f"/webhooks/v1/endpoints/{made['id']}/deliveries"),
    ):
        r = hooks.call(method, path, b.token, json={} if method in ("PATCH", "POST") else None)
        assert r.status_code == 404, (method, path, r.text)
    assert hooks.call("GET", REG, b.token).status_code == 404


def test_a_replayed_registration_does_not_show_the_secret_again(hooks: Api) -> None:
    p = hooks.partner()
    headers = {"MS-RequestId": "reg-1"}
    first = hooks.call(
        "POST", REG, p.token, json={"webhookUrl": URL, "webhookEvents": ["order-created"]}, headers=headers
    )
    replay = hooks.call(
        "POST", REG, p.token, json={"webhookUrl": URL, "webhookEvents": ["order-created"]}, headers=headers
    )
    assert first.status_code == replay.status_code == 200
    secret = first.json()["properties"]["signingSecret"]
    assert secret not in replay.text
    assert replay.json()["id"] == first.json()["id"]


def test_an_unauthenticated_call_is_401(hooks: Api) -> None:
    assert hooks.call("GET", REG).status_code == 401


@pytest.mark.parametrize(
    ("url", "code"),
    [("ftp://hooks.example/x", 800706), ("http://hooks.example/x", 800707), ("file:///etc/passwd", 800706)],
)
def test_unsafe_urls_are_refused_with_400(hooks: Api, url: str, code: int) -> None:
    p = hooks.partner()
    r = hooks.call("POST", REG, p.token, json={"webhookUrl": url, "webhookEvents": ["order-created"]})
    assert r.status_code == 400 and r.json()["code"] == code


def test_a_url_resolving_to_a_private_address_is_refused(make_api: Any) -> None:
    api = make_api()
    api.client.app.state.webhook_resolver = lambda host, port: ["192.168.0.10"]  # type: ignore[attr-defined]
    p = api.partner()
    r = api.call(
        "POST", REG, p.token, json={"webhookUrl": URL, "webhookEvents": ["order-created"]}, headers={"X-Locale": "it"}
    )
    assert r.status_code == 400 and r.json()["code"] == 800708
    assert "192.168.0.10" in r.json()["description"] and "indirizzo" in r.json()["description"]
