"""The dispatcher against a real local receiver: events arrive signed as Standard Webhooks 1.0 (verified by
the `standardwebhooks` library), in Partner Center's body, in commit order, once per endpoint; retries keep
the `webhook-id` and follow the schedule under a controlled clock; 410 and exhausted retries disable the
endpoint; the attempt limits hold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Connection

from partnerhub.clock import frozen_at
from partnerhub.db import transaction
from partnerhub.subscriptions.service import SubscriptionChange, update_subscription
from partnerhub.usecases.remove_reseller_relationship import remove_reseller_relationship
from partnerhub.webhooks.delivery import Limits, post
from partnerhub.webhooks.dispatcher import RETRY_DELAYS, retry_delay
from partnerhub.webhooks.service import rotate_secret
from tests.activity import activity, operation_names
from tests.factories import buy, make_customer
from tests.webhooks.helpers import CONFIG, PUBLIC_URL, attempts, deliveries, dispatch, endpoint, subscribe
from tests.webhooks.receiver import Receiver

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def test_an_event_reaches_the_receiver_signed_and_in_partner_centers_shape(
    connection: Connection, receiver: Receiver
) -> None:
    sub = subscribe(connection, receiver.url, ["customer-created", "order-created"])
    with transaction(connection) as session:
        customer = make_customer(session, sub.world.admin, name="Fabrikam Srl").customer
    assert dispatch(connection) > 0
    [got] = receiver.wait_for(1)
    body = got.verified_with(sub.secret)  # raises unless the signature verifies
    audit_id = activity(connection, operation="add_customer", customer_id=customer.id)[0].id
    assert body == {
        "EventName": "customer-created",
        "ResourceUri": f"{PUBLIC_URL}/v1/customers/{customer.id}",
        "ResourceName": "Customer",
        "AuditUri": f"{PUBLIC_URL}/v1/auditrecords/{audit_id}",
        "ResourceChangeUtcDate": body["ResourceChangeUtcDate"],
    }
    assert body["ResourceChangeUtcDate"].endswith("Z")
    [delivery] = deliveries(connection, sub.endpoint_id)
    assert got.headers["webhook-id"] == delivery.id and delivery.status == "succeeded"
    assert got.headers["webhook-signature"].startswith("v1,") and " " not in got.headers["webhook-signature"]
    assert got.headers["content-type"] == "application/json"


def test_events_arrive_in_commit_order_and_only_those_subscribed(connection: Connection, receiver: Receiver) -> None:
    sub = subscribe(connection, receiver.url, ["subscription-updated", "order-created"])
    with transaction(connection) as session:
        customer = make_customer(session, sub.world.admin).customer
        s = buy(session, sub.world.admin, customer.id)
    with transaction(connection) as session:
        update_subscription(
            session,
            sub.world.admin,
            customer_id=customer.id,
            subscription_id=s.id,
            change=SubscriptionChange(quantity=7),
        )
    with transaction(connection) as session:
        update_subscription(
            session,
            sub.world.admin,
            customer_id=customer.id,
            subscription_id=s.id,
            change=SubscriptionChange(status="suspended"),
        )
    while dispatch(connection):
        pass
    got = receiver.wait_for(3)
    assert [r.json["EventName"] for r in got] == ["order-created", "subscription-updated", "subscription-updated"]
    assert got[1].json["ResourceUri"] == f"{PUBLIC_URL}/v1/customers/{customer.id}/subscriptions/{s.id}"
    assert len({r.headers["webhook-id"] for r in got}) == 3


def test_a_run_of_one_endpoint_goes_in_order_and_stops_at_the_first_failure(
    connection: Connection, receiver: Receiver
) -> None:
    receiver.answer(204, 204, 503)
    with frozen_at(T0) as clock:
        sub = subscribe(connection, receiver.url, ["customer-created"])
        for _ in range(5):
            with transaction(connection) as session:
                make_customer(session, sub.world.admin)
        dispatch(connection)  # fans out the five events, then sends one run: three attempts
        assert len(receiver.wait_for(3)) == 3
        statuses = [(d.status, d.attempts, d.lease_owner) for d in deliveries(connection, sub.endpoint_id)]
        assert statuses == [
            ("succeeded", 1, None),
            ("succeeded", 1, None),
            ("pending", 1, None),
            ("pending", 0, None),
            ("pending", 0, None),
        ]  # the last two wait behind the retry
        assert dispatch(connection) == 0
        clock.move(timedelta(seconds=5))
        assert dispatch(connection) == 3
    got = receiver.wait_for(6)
    ids = [d.id for d in deliveries(connection, sub.endpoint_id)]
    assert [r.headers["webhook-id"] for r in got] == ids[:3] + ids[2:]
    assert all(d.status == "succeeded" for d in deliveries(connection, sub.endpoint_id))


def test_a_full_body_adds_the_old_and_new_values(connection: Connection, receiver: Receiver) -> None:
    sub = subscribe(connection, receiver.url, ["subscription-updated"], full_body=True)
    with transaction(connection) as session:
        customer = make_customer(session, sub.world.admin).customer
        s = buy(session, sub.world.admin, customer.id, quantity=5)
        update_subscription(
            session,
            sub.world.admin,
            customer_id=customer.id,
            subscription_id=s.id,
            change=SubscriptionChange(quantity=9),
        )
    dispatch(connection)
    body = receiver.wait_for(1)[0].verified_with(sub.secret)
    assert body["OldValues"]["quantity"] == 5 and body["NewValues"]["quantity"] == 9
    state = body["ResourceState"]  # the subscription as the API answers it, not only the changed fields
    assert (state["id"], state["quantity"], state["status"]) == (s.id, 9, "active")
    assert state["offerId"] == s.offer_id and state["attributes"]["objectType"] == "Subscription"


def test_a_full_body_shows_the_customer_as_the_partner_reads_it(connection: Connection, receiver: Receiver) -> None:
    sub = subscribe(connection, receiver.url, ["customer-created"], full_body=True)
    with transaction(connection) as session:
        customer = make_customer(session, sub.world.admin, name="Fabrikam Srl").customer
    dispatch(connection)
    state = receiver.wait_for(1)[0].verified_with(sub.secret)["ResourceState"]
    assert state["id"] == customer.id and state["companyProfile"]["companyName"] == "Fabrikam Srl"
    assert state["relationshipToPartner"] == "reseller" and state["attributes"]["objectType"] == "Customer"


def test_a_full_body_never_shows_a_customer_the_partner_no_longer_has(
    connection: Connection, receiver: Receiver
) -> None:
    sub = subscribe(connection, receiver.url, ["subscription-updated"], full_body=True)
    with transaction(connection) as session:
        customer = make_customer(session, sub.world.admin, name="Fabrikam Srl").customer
        s = buy(session, sub.world.admin, customer.id)
    with transaction(connection) as session:
        update_subscription(
            session,
            sub.world.admin,
            customer_id=customer.id,
            subscription_id=s.id,
            change=SubscriptionChange(status="suspended"),
        )
    with transaction(connection) as session:  # removed before the dispatcher fans the suspension out
        remove_reseller_relationship(session, sub.world.admin, customer_id=customer.id)
    dispatch(connection)
    state = receiver.wait_for(1)[0].verified_with(sub.secret)["ResourceState"]
    # the API no longer shows the former customer's subscription to the partner: the record's own view only
    assert (state["id"], state["status"]) == (s.id, "suspended")
    assert "offerId" not in state and "attributes" not in state


def test_retries_keep_the_webhook_id_and_follow_the_schedule(connection: Connection, receiver: Receiver) -> None:
    receiver.answer(500, 503)
    with frozen_at(T0) as clock:
        sub = subscribe(connection, receiver.url, ["customer-created"])
        with transaction(connection) as session:
            make_customer(session, sub.world.admin)
        dispatch(connection)
        [d] = deliveries(connection, sub.endpoint_id)
        assert (d.status, d.attempts, d.next_attempt_at) == ("pending", 1, T0 + timedelta(seconds=5))
        clock.move(timedelta(seconds=4))
        dispatch(connection)
        assert len(receiver.requests) == 1  # not due yet
        clock.move(timedelta(seconds=1))
        dispatch(connection)
        [d] = deliveries(connection, sub.endpoint_id)
        assert d.next_attempt_at == T0 + timedelta(seconds=5) + timedelta(minutes=5)
        clock.move(timedelta(minutes=5))
        dispatch(connection)
    got = receiver.wait_for(3)
    assert len({r.headers["webhook-id"] for r in got}) == 1
    assert [int(r.headers["webhook-timestamp"]) for r in got] == [
        int(T0.timestamp()),
        int(T0.timestamp()) + 5,
        int(T0.timestamp()) + 305,
    ]
    [d] = deliveries(connection, sub.endpoint_id)
    assert d.status == "succeeded" and [a.status_code for a in attempts(connection, d.id)] == [500, 503, 204]


def test_the_schedule_is_5s_5min_30min_2h_5h_10h_then_daily_for_3_days_with_jitter() -> None:
    assert [retry_delay(n, rng=lambda: 0.5) for n in range(1, 11)] == [
        timedelta(seconds=5),
        timedelta(minutes=5),
        timedelta(minutes=30),
        timedelta(hours=2),
        timedelta(hours=5),
        timedelta(hours=10),
        timedelta(days=1),
        timedelta(days=1),
        timedelta(days=1),
        None,
    ]
    assert retry_delay(2, rng=lambda: 0.0) == timedelta(minutes=4, seconds=30)
    assert retry_delay(2, rng=lambda: 1.0) == timedelta(minutes=5, seconds=30)


def test_an_endpoint_failing_after_every_retry_is_disabled(connection: Connection, receiver: Receiver) -> None:
    receiver.script.default = (500, {}, b"down", 0.0)
    with frozen_at(T0) as clock:
        sub = subscribe(connection, receiver.url, ["customer-created"])
        with transaction(connection) as session:
            make_customer(session, sub.world.admin)
        dispatch(connection)
        for delay in RETRY_DELAYS:
            clock.move(delay)
            dispatch(connection)
    assert len(receiver.wait_for(10)) == 10
    [d] = deliveries(connection, sub.endpoint_id)
    assert (d.status, d.attempts, d.last_status_code) == ("failed", 10, 500)
    e = endpoint(connection, sub.endpoint_id)
    assert (e.is_enabled, e.disabled_reason) == (False, "failing")
    assert operation_names(connection, resource_id=sub.endpoint_id) == [
        "create_webhook_endpoint",
        "disable_webhook_endpoint",
    ]


def test_410_disables_the_endpoint_at_once(connection: Connection, receiver: Receiver) -> None:
    receiver.answer(410)
    sub = subscribe(connection, receiver.url, ["customer-created"])
    with transaction(connection) as session:
        make_customer(session, sub.world.admin)
        make_customer(session, sub.world.admin)
    dispatch(connection)
    dispatch(connection)
    assert len(receiver.requests) == 1  # the second event is not sent to a disabled endpoint
    first, second = deliveries(connection, sub.endpoint_id)
    assert (first.status, second.status) == ("failed", "pending")
    assert endpoint(connection, sub.endpoint_id).disabled_reason == "gone"


@pytest.mark.parametrize("status", [400, 401, 404])
def test_other_client_errors_fail_without_retry(connection: Connection, receiver: Receiver, status: int) -> None:
    receiver.answer(status)
    sub = subscribe(connection, receiver.url, ["customer-created"])
    with transaction(connection) as session:
        make_customer(session, sub.world.admin)
    dispatch(connection)
    [d] = deliveries(connection, sub.endpoint_id)
    assert (d.status, d.attempts, d.next_attempt_at) == ("failed", 1, None)
    assert endpoint(connection, sub.endpoint_id).is_enabled


def test_429_honours_retry_after(connection: Connection, receiver: Receiver) -> None:
    receiver.answer((429, {"Retry-After": "120"}))
    with frozen_at(T0):
        sub = subscribe(connection, receiver.url, ["customer-created"])
        with transaction(connection) as session:
            make_customer(session, sub.world.admin)
        dispatch(connection)
    [d] = deliveries(connection, sub.endpoint_id)
    assert (d.status, d.next_attempt_at) == ("pending", T0 + timedelta(seconds=120))


def test_an_endpoint_gets_its_events_one_at_a_time_in_order(connection: Connection, receiver: Receiver) -> None:
    receiver.answer(503)
    with frozen_at(T0) as clock:
        sub = subscribe(connection, receiver.url, ["customer-created"])
        with transaction(connection) as session:
            make_customer(session, sub.world.admin, name="First")
        clock.move(timedelta(seconds=1))
        with transaction(connection) as session:
            make_customer(session, sub.world.admin, name="Second")
        dispatch(connection)
        dispatch(connection)
        assert len(receiver.requests) == 1  # the second waits behind the first's retry
        clock.move(timedelta(seconds=6))
        dispatch(connection)
        dispatch(connection)
    got = receiver.wait_for(3)
    ids = [r.headers["webhook-id"] for r in got]
    assert ids[0] == ids[1] != ids[2]


def test_during_a_rotation_both_secrets_sign_for_24_hours(connection: Connection, receiver: Receiver) -> None:
    sub = subscribe(connection, receiver.url, ["customer-created"])
    with transaction(connection) as session:
        new = rotate_secret(session, sub.world.admin, endpoint_id=sub.endpoint_id, config=CONFIG).secret
        make_customer(session, sub.world.admin)
    dispatch(connection)
    [got] = receiver.wait_for(1)
    assert len(got.headers["webhook-signature"].split(" ")) == 2
    got.verified_with(sub.secret)
    got.verified_with(new)
    with frozen_at(datetime.now(UTC) + timedelta(hours=24, seconds=1)):
        with transaction(connection) as session:
            make_customer(session, sub.world.admin)
        dispatch(connection)
    later = receiver.wait_for(2)[1]
    assert len(later.headers["webhook-signature"].split(" ")) == 1


def test_an_attempt_reads_at_most_64_kib_follows_no_redirect_and_stops_at_its_deadline(receiver: Receiver) -> None:
    receiver.answer(
        (200, {}, b"x" * (1024 * 1024), 0.0), (302, {"Location": "http://127.0.0.1:1/elsewhere"}), (204, {}, b"", 2.0)
    )
    big = post(receiver.url, b"{}", {}, allow_private=True)
    assert big.status_code == 200 and big.answer_bytes == 64 * 1024
    moved = post(receiver.url, b"{}", {}, allow_private=True)
    assert moved.status_code == 302 and "not followed" in (moved.error or "")
    slow = post(receiver.url, b"{}", {}, allow_private=True, limits=Limits(total_seconds=0.5))
    assert slow.status_code is None and (slow.error or "").startswith("timeout")
    assert len(receiver.wait_for(3)) == 3  # the redirect was not followed: one request each
