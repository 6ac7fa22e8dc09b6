"""Webhooks over HTTP beyond the registration: the test event and its validationEvents status, the delivery
log (paged, filtered), redelivery, replay since a time, secret rotation, several endpoints, and the
activity record behind an event's AuditUri (GET /v1/auditrecords/{id})."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from partnerhub.db import transaction
from partnerhub.webhooks.service import WebhookConfig
from tests.activity import operation_names
from tests.api.conftest import Api, ApiPartner
from tests.api.test_webhooks import REG, conforms
from tests.factories import make_customer
from tests.webhooks.helpers import dispatch
from tests.webhooks.receiver import Receiver, running_receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as r:
        yield r


@pytest.fixture
def hooks(make_api: Any) -> Api:
    return make_api(webhook_allow_private=True, public_url="https://partnerhub.example")


def _config(api: Api) -> WebhookConfig:
    return WebhookConfig.from_settings(api.runtime.settings)


def _register(api: Api, p: ApiPartner, url: str, events: list[str]) -> dict[str, Any]:
    r = api.call("POST", REG, p.token, json={"webhookUrl": url, "webhookEvents": events})
    assert r.status_code == 200, r.text
    return dict(r.json())


def _customers(api: Api, p: ApiPartner, n: int) -> None:
    with transaction(api.engine) as session:
        for _ in range(n):
            make_customer(session, p.actors["admin"])


def test_a_test_event_is_sent_at_once_and_its_status_read_back(hooks: Api, receiver: Receiver) -> None:
    p = hooks.partner()
    reg = _register(hooks, p, receiver.url, ["order-created"])
    r = hooks.call("POST", f"{REG}/validationEvents", p.token)
    assert r.status_code == 200 and set(r.json()) == {"correlationId"}
    cid = r.json()["correlationId"]
    pending = hooks.call("GET", f"{REG}/validationEvents/{cid}", p.token).json()
    assert pending["status"] == "pending" and pending["results"] == []
    dispatch(hooks.engine, _config(hooks))
    [got] = receiver.wait_for(1)
    assert got.verified_with(reg["properties"]["signingSecret"])["EventName"] == "test-created"
    status = hooks.call("GET", f"{REG}/validationEvents/{cid}", p.token)
    assert status.status_code == 200
    body = status.json()
    assert conforms(body, "WebhookValidationEvent") == []
    assert (body["status"], body["callbackUrl"], body["partnerId"]) == ("succeeded", receiver.url, p.partner_id)
    assert [(x["responseCode"], x["systemError"]) for x in body["results"]] == [("204", False)]
    assert hooks.call("GET", f"{REG}/validationEvents/nope", p.token).status_code == 404
    assert hooks.call("GET", f"{REG}/validationEvents/{cid}", hooks.partner().token).status_code == 404


def test_a_failed_test_event_shows_the_receivers_status(hooks: Api, receiver: Receiver) -> None:
    receiver.answer((400, {}, b"bad signature?", 0.0))
    p = hooks.partner()
    _register(hooks, p, receiver.url, ["order-created"])
    cid = hooks.call("POST", f"{REG}/validationEvents", p.token).json()["correlationId"]
    dispatch(hooks.engine, _config(hooks))
    body = hooks.call("GET", f"{REG}/validationEvents/{cid}", p.token).json()
    assert body["status"] == "failed"
    assert body["results"][0]["responseCode"] == "400" and body["results"][0]["responseMessage"] == "bad signature?"


def test_the_delivery_log_is_paged_and_filtered(hooks: Api, receiver: Receiver) -> None:
    receiver.answer(204, 204, 400)
    p = hooks.partner()
    reg = _register(hooks, p, receiver.url, ["customer-created", "order-created"])
    _customers(hooks, p, 3)
    hooks.call("POST", f"{REG}/validationEvents", p.token)
    while dispatch(hooks.engine, _config(hooks)):
        pass
    log = f"/webhooks/v1/endpoints/{reg['id']}/deliveries"
    first = hooks.call("GET", log, p.token, params={"size": 2}).json()
    assert first["totalCount"] == 2 and "next" in first["links"]
    nxt = first["links"]["next"]
    second = hooks.call(
        "GET",
        log,
        p.token,
        params={"size": 2, "seekOperation": "Next"},
        headers={nxt["headers"][0]["key"]: nxt["headers"][0]["value"]},
    ).json()
    assert second["totalCount"] == 2 and "next" not in second["links"]
    ids = [d["id"] for d in first["items"] + second["items"]]
    assert len(set(ids)) == 4
    failed = hooks.call("GET", log, p.token, params={"status": "failed"}).json()["items"]
    assert len(failed) == 1 and failed[0]["attempts"][0]["statusCode"] == 400
    tests = hooks.call("GET", log, p.token, params={"eventName": "TEST-CREATED"}).json()["items"]
    assert [d["eventName"] for d in tests] == ["test-created"]
    assert hooks.call("GET", log, p.token, params={"status": "lost"}).status_code == 400


def test_redelivery_sends_the_same_webhook_id_again(hooks: Api, receiver: Receiver) -> None:
    p = hooks.partner()
    reg = _register(hooks, p, receiver.url, ["customer-created"])
    _customers(hooks, p, 1)
    dispatch(hooks.engine, _config(hooks))
    [d] = hooks.call("GET", f"/webhooks/v1/endpoints/{reg['id']}/deliveries", p.token).json()["items"]
    r = hooks.call("POST", f"/webhooks/v1/deliveries/{d['id']}/redeliver", p.token)
    assert r.status_code == 200 and r.json()["status"] == "pending"
    dispatch(hooks.engine, _config(hooks))
    first, again = receiver.wait_for(2)
    assert first.headers["webhook-id"] == again.headers["webhook-id"] == d["id"] and first.body == again.body
    one = hooks.call("GET", f"/webhooks/v1/deliveries/{d['id']}", p.token).json()
    assert one["status"] == "succeeded" and len(one["attempts"]) == 2
    assert hooks.call("POST", f"/webhooks/v1/deliveries/{d['id']}/redeliver", hooks.partner().token).status_code == 404
    assert "redeliver_webhook" in operation_names(hooks.engine, partner_id=p.partner_id)


def test_replay_sends_again_every_event_since_a_time(hooks: Api, receiver: Receiver) -> None:
    p = hooks.partner()
    _customers(hooks, p, 2)
    dispatch(hooks.engine, _config(hooks))  # fanned out before any endpoint existed: never sent
    reg = _register(hooks, p, receiver.url, ["customer-created"])
    r = hooks.call(
        "POST", f"/webhooks/v1/endpoints/{reg['id']}/replay", p.token, json={"since": "2020-01-01T00:00:00Z"}
    )
    assert r.status_code == 200 and r.json()["events"] == 2
    while dispatch(hooks.engine, _config(hooks)):
        pass
    assert [x.json["EventName"] for x in receiver.wait_for(2)] == ["customer-created"] * 2
    again = hooks.call(
        "POST", f"/webhooks/v1/endpoints/{reg['id']}/replay", p.token, json={"since": "2020-01-01T00:00:00Z"}
    )
    assert again.json()["events"] == 2
    while dispatch(hooks.engine, _config(hooks)):
        pass
    got = receiver.wait_for(4)
    assert {x.headers["webhook-id"] for x in got[:2]} == {x.headers["webhook-id"] for x in got[2:]}


def test_rotation_shows_the_new_secret_once_and_both_sign(hooks: Api, receiver: Receiver) -> None:
    p = hooks.partner()
    reg = _register(hooks, p, receiver.url, ["customer-created"])
    r = hooks.call("POST", f"{REG}/rotateSecret", p.token)
    assert r.status_code == 200
    new = r.json()["properties"]["signingSecret"]
    assert new != reg["properties"]["signingSecret"] and r.json()["previousSecretValidUntil"]
    assert new not in hooks.call("GET", REG, p.token).text
    _customers(hooks, p, 1)
    dispatch(hooks.engine, _config(hooks))
    [got] = receiver.wait_for(1)
    got.verified_with(new)
    got.verified_with(reg["properties"]["signingSecret"])
    assert "rotate_webhook_secret" in operation_names(hooks.engine, partner_id=p.partner_id)


def test_several_endpoints_each_with_its_own_events_secret_and_flag(hooks: Api) -> None:
    p = hooks.partner()
    with running_receiver() as a, running_receiver() as b:
        _register(hooks, p, a.url, ["customer-created"])
        made = hooks.call(
            "POST",
            "/webhooks/v1/endpoints",
            p.token,
            json={"webhookUrl": b.url, "webhookEvents": ["customer-created"], "fullBody": True},
        )
        assert made.status_code == 201 and made.json()["fullBody"] is True and not made.json()["isRegistration"]
        listed = hooks.call("GET", "/webhooks/v1/endpoints", p.token).json()["items"]
        assert [e["isRegistration"] for e in listed] == [True, False]
        _customers(hooks, p, 1)
        while dispatch(hooks.engine, _config(hooks)):
            pass
        [to_a], [to_b] = a.wait_for(1), b.wait_for(1)
        assert "OldValues" not in to_a.json and "NewValues" in to_b.json
        to_b.verified_with(made.json()["properties"]["signingSecret"])
        off = hooks.call("PATCH", f"/webhooks/v1/endpoints/{made.json()['id']}", p.token, json={"isEnabled": False})
        assert off.json()["isEnabled"] is False and off.json()["disabledReason"] == "by-user"
        _customers(hooks, p, 1)
        while dispatch(hooks.engine, _config(hooks)):
            pass
        assert len(a.wait_for(2)) == 2 and len(b.requests) == 1
        assert hooks.call("DELETE", f"/webhooks/v1/endpoints/{made.json()['id']}", p.token).status_code == 204
        assert len(hooks.call("GET", "/webhooks/v1/endpoints", p.token).json()["items"]) == 1


def test_an_events_audit_uri_answers_its_activity_record(hooks: Api, receiver: Receiver) -> None:
    p = hooks.partner()
    _register(hooks, p, receiver.url, ["customer-created"])
    _customers(hooks, p, 1)
    dispatch(hooks.engine, _config(hooks))
    audit_uri = receiver.wait_for(1)[0].json["AuditUri"]
    assert audit_uri.startswith("https://partnerhub.example/v1/auditrecords/")
    path = audit_uri.removeprefix("https://partnerhub.example")
    r = hooks.call("GET", path, p.token)
    assert r.status_code == 200 and r.json()["operationType"] == "add_customer"
    assert hooks.call("GET", path, hooks.partner().token).status_code == 404
