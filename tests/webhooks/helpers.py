"""The common moves of the webhook tests: a partner with an endpoint on the test's receiver, and the
dispatcher run by hand over the test's connection."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Engine, select

from partnerhub.db import read_session, transaction
from partnerhub.webhooks.delivery import DEFAULT_LIMITS, Limits
from partnerhub.webhooks.dispatcher import dispatch_once
from partnerhub.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from partnerhub.webhooks.service import WebhookConfig, create_endpoint
from tests.factories import PartnerWorld, make_partner

PUBLIC_URL = "https://partnerhub.example"
CONFIG = WebhookConfig("test", allow_private=True, public_url=PUBLIC_URL)
NO_JITTER = 0.5  # rng() = 0.5: the delay is exactly the schedule's


@dataclass
class Subscribed:
    world: PartnerWorld
    endpoint_id: str
    secret: str


def subscribe(
    bind: Connection | Engine,
    url: str,
    events: list[str],
    *,
    full_body: bool = False,
    config: WebhookConfig = CONFIG,
    world: PartnerWorld | None = None,
) -> Subscribed:
    with transaction(bind) as session:
        world = world or make_partner(session)
        made = create_endpoint(session, world.admin, url=url, events=events, config=config, full_body=full_body)
        return Subscribed(world, made.endpoint.id, made.secret)


def dispatch(
    bind: Connection | Engine,
    config: WebhookConfig = CONFIG,
    *,
    limits: Limits = DEFAULT_LIMITS,
    worker_id: str = "test-dispatcher",
) -> int:
    return dispatch_once(bind, config, worker_id=worker_id, limits=limits, rng=lambda: NO_JITTER)


def deliveries(bind: Connection | Engine, endpoint_id: str) -> list[WebhookDelivery]:
    with read_session(bind) as session:
        rows = list(
            session.scalars(
                select(WebhookDelivery)
                .where(WebhookDelivery.endpoint_id == endpoint_id)
                .order_by(WebhookDelivery.created_at, WebhookDelivery.id)
            )
        )
        session.expunge_all()
        return rows


def attempts(bind: Connection | Engine, delivery_id: str) -> list[WebhookAttempt]:
    with read_session(bind) as session:
        rows = list(
            session.scalars(
                select(WebhookAttempt)
                .where(WebhookAttempt.delivery_id == delivery_id)
                .order_by(WebhookAttempt.attempted_at)
            )
        )
        session.expunge_all()
        return rows


def endpoint(bind: Connection | Engine, endpoint_id: str) -> WebhookEndpoint:
    with read_session(bind) as session:
        found = session.get(WebhookEndpoint, endpoint_id)
        assert found is not None
        session.expunge(found)
        return found
