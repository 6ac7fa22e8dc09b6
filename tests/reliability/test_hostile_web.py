"""Hostile input on the web forms: every POST route refuses a missing or wrong CSRF token, oversized bodies get 413
and oversized fields a message beside the field, and none of them changes anything in the database."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from fastapi.routing import APIRoute
from sqlalchemy import select

from partnerhub.auth.actor import Actor
from partnerhub.auth.models import User
from partnerhub.auth.service import create_token
from partnerhub.db import Base, read_session, transaction
from partnerhub.delegated_admin.roles import GLOBAL_READER
from partnerhub.http.app import create_app
from partnerhub.ids import new_id
from partnerhub.invitations.service import create_invitation
from partnerhub.runtime import Runtime
from partnerhub.settings import Settings
from partnerhub.tenants.service import create_operator_account
from tests.delegated_admin.conftest import active_gdap
from tests.factories import M365_BASIC, buy
from tests.reliability.conftest import CheckReport
from tests.web import conftest as web_fixtures
from tests.web.conftest import Browser, Site, csrf_of

CSRF_REFUSED = "did not come from this site"
LONG = "x" * 10_000
make_site = web_fixtures.make_site  # the web tests' fixtures: a dashboard in the test's rolled-back transaction
site = web_fixtures.site
BODY_LIMIT = 4096


def walk_routes(routes: Iterable[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Every route of the app, included routers flattened (FastAPI keeps them behind `original_router`)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from walk_routes(included.routes, prefix + route.include_context.prefix)
        else:
            yield prefix + getattr(route, "path", ""), route


def web_routes(method: str) -> list[str]:
    """The paths of the dashboard's routes for `method`, read from the app itself: a new form or page is covered
    the day it is added."""
    app = create_app(Runtime(Settings(database_url="sqlite://", secret_key="walk")), start_worker=False)
    return sorted(
        {
            path
            for path, route in walk_routes(app.routes)
            if isinstance(route, APIRoute)
            and method in (route.methods or ())
            and route.endpoint.__module__.startswith("partnerhub.http.web")
        }
    )


WEB_POST_ROUTES = web_routes("POST")


def test_the_walk_finds_the_forms_of_every_page_module() -> None:
    assert len(WEB_POST_ROUTES) >= 30
    for known in (
        "/signin",
        "/signout",
        "/customers/{customer_id}/remove",
        "/account/tokens",
        "/users/new",
        "/operator/partners/new",
        "/security-groups",
        "/invitations/{code}/accept",
    ):
        assert known in WEB_POST_ROUTES


# --- the world the forms act on ---------------------------------------------------------------------------------


@dataclass
class World:
    site: Site
    ids: dict[str, str]
    browsers: dict[str, Browser]  # who posts: Global admins of a partner, a customer, an indirect provider; operator

    def url(self, template: str) -> str:
        """The route with real ids of the world (a fresh id for a parameter the world has nothing for)."""
        return re.sub(r"\{(\w+)\}", lambda m: self.ids.get(m.group(1)) or new_id(), template)


def snapshot(site: Site) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, except the instants a page view itself moves (a session's last request)."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    with read_session(site.engine) as session:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if (table.name, c.name) != ("web_sessions", "last_seen_at")]
            tables[table.name] = sorted(tuple(map(repr, row)) for row in session.execute(select(*columns)))
    return tables


def build_world(site: Site) -> World:
    partner = site.partner(name="Hostile Partner")
    provider = site.partner(name="Hostile Provider", partner_type="indirect-provider")
    customer_id, customer_admin = site.customer(partner, name="Hostile Customer")
    approver = site.actor(customer_admin)
    with transaction(site.engine) as session:
        subscription = buy(session, partner.admin, customer_id)
        gdap = active_gdap(session, partner.admin, approver, customer_id=customer_id, roles=[GLOBAL_READER])
        invitation = create_invitation(session, partner.admin, base_url="http://testserver", customer_id=customer_id)
        token = create_token(session, partner.admin, name="ci")
        agent = session.scalars(select(User.id).where(User.id == partner.sales_agent.user_id)).one()
        create_operator_account(session, Actor.system(), email="ops@platform.example")
    ids = {
        "customer_id": customer_id,
        "subscription_id": subscription.id,
        "relationship_id": gdap.relationship.id,
        "assignment_id": gdap.assignment.id,
        "group_id": gdap.group.id,
        "invitation_id": invitation.request.id,
        "code": invitation.code,
        "partner_id": partner.partner_id,
        "user_id": agent,
        "token_id": token.id,
    }
    browsers = {
        "partner": site.signed_in(partner.admin.email),
        "customer": site.signed_in(customer_admin),
        "operator": site.signed_in("ops@platform.example"),
        "provider": site.signed_in(provider.admin.email),
    }
    return World(site, ids, browsers)


# --- CSRF ----------------------------------------------------------------------------------------------------------


def test_every_form_refuses_a_missing_or_wrong_csrf_token_and_changes_nothing(
    site: Site, reliability_report: CheckReport
) -> None:
    world = build_world(site)
    other = world.browsers["operator"]
    tokens = {who: csrf_of(b.get("/account").text) for who, b in world.browsers.items()}
    before = snapshot(site)
    failures: list[str] = []
    for template in WEB_POST_ROUTES:
        for who, browser in world.browsers.items():
            stolen = tokens["partner" if browser is other else "operator"]  # valid, but another session's
            for label, token in (("missing", ""), ("forged", "forged-token"), ("another session's", stolen)):
                answer = browser.post(
                    world.url(template), {"name": "x", "email": "x@example.com"}, csrf=token, follow=False
                )
                reliability_report.faults += 1
                reliability_report.requests += 1
                reliability_report.invariant_checks += 1
                if answer.status_code != 403 or CSRF_REFUSED not in answer.text:
                    failures.append(f"{who} POST {template} with a {label} token: {answer.status_code}")
    reliability_report.invariant_checks += 1
    if snapshot(site) != before:
        failures.append("a refused form changed the database")
    reliability_report.violations = len(failures)
    reliability_report.notes = f"{len(WEB_POST_ROUTES)} POST routes x 4 users x 3 bad tokens"
    assert not failures, failures


# --- oversized bodies ----------------------------------------------------------------------------------------------


def _chunks(body: bytes) -> Iterator[bytes]:
    """A body sent chunked: no Content-Length announces its size."""
    for start in range(0, len(body), 1024):
        yield body[start : start + 1024]


def test_every_form_refuses_an_oversized_body_with_413_whether_announced_or_chunked(
    make_site: Callable[..., Site], reliability_report: CheckReport
) -> None:
    site = make_site(max_request_bytes=BODY_LIMIT)
    world = build_world(site)
    browser = world.browsers["partner"]
    token = csrf_of(browser.get("/account").text)
    body = f"csrf_token={token}&name=".encode() + b"x" * (BODY_LIMIT * 4)
    before = snapshot(site)
    failures: list[str] = []
    for template in WEB_POST_ROUTES:
        for label, content in (("announced", body), ("chunked", _chunks(body))):
            answer = browser.client.post(
                world.url(template),
                content=content,
                follow_redirects=False,
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            reliability_report.faults += 1
            reliability_report.requests += 1
            reliability_report.invariant_checks += 1
            if answer.status_code != 413:
                failures.append(f"POST {template} with an {label} body of {len(body)} bytes: {answer.status_code}")
    reliability_report.invariant_checks += 1
    if snapshot(site) != before:
        failures.append("an oversized body changed the database")
    reliability_report.violations = len(failures)
    assert not failures, failures


# --- oversized fields ----------------------------------------------------------------------------------------------

# Every free-text field of the forms, with the other fields of its form filled in correctly: (who posts, the route,
# the page whose form it is, the field, the rest of the form).
FIELDS: list[tuple[str, str, str, str, dict[str, Any]]] = [
    ("partner", "/users/new", "/users/new", "email", {"display_name": "Anna", "roles": "sales-agent"}),
    ("partner", "/users/new", "/users/new", "display_name", {"email": "anna@hostile.example", "roles": "sales-agent"}),
    ("partner", "/account/tokens", "/account", "name", {"days": "30"}),
    ("partner", "/security-groups", "/security-groups", "display_name", {}),
    ("partner", "/security-groups/{group_id}/members", "/security-groups/{group_id}", "email", {}),
    (
        "partner",
        "/customers/{customer_id}/admin-relationships",
        "/customers/{customer_id}/admin-relationships",
        "display_name",
        {"duration_days": "365", "roles": GLOBAL_READER},
    ),
    (
        "partner",
        "/customers/{customer_id}/subscriptions/{subscription_id}",
        "/customers/{customer_id}/subscriptions/{subscription_id}",
        "friendly_name",
        {"status": "active", "quantity": "5"},
    ),
    (
        "partner",
        "/customers/{customer_id}/orders/new",
        "/customers/{customer_id}/orders/new",
        "friendly_name_0",
        {"offer_0": M365_BASIC, "quantity_0": "1", "term_0": "P1M", "billing_cycle": "monthly"},
    ),
    ("provider", "/indirect-resellers", "/indirect-resellers", "reseller", {}),
    ("partner", "/invitations", "/invitations", "customer_id", {"language": "en", "valid_days": "30"}),
    (
        "operator",
        "/operator/partners/new",
        "/operator/partners/new",
        "name",
        {"domain": "long.example", "partner_type": "direct", "admin_email": "admin@long.example"},
    ),
    (
        "operator",
        "/operator/partners/new",
        "/operator/partners/new",
        "domain",
        {"name": "Long Srl", "partner_type": "direct", "admin_email": "admin@long.example"},
    ),
    (
        "operator",
        "/operator/partners/new",
        "/operator/partners/new",
        "admin_email",
        {"name": "Long Srl", "domain": "long.example", "partner_type": "direct"},
    ),
]


def test_every_10000_character_field_is_refused_beside_the_field_and_nothing_is_stored(
    site: Site, reliability_report: CheckReport
) -> None:
    world = build_world(site)
    failures: list[str] = []
    for who, route, page, field, rest in FIELDS:
        browser = world.browsers[who]
        form = browser.get(world.url(page))
        assert form.status_code == 200, form.text
        assert f'name="{field}"' in form.text, f"the form of {page} has no field {field!r}"
        before = snapshot(site)
        answer = browser.post(world.url(route), {**rest, field: LONG})
        reliability_report.faults += 1
        reliability_report.requests += 2
        reliability_report.invariant_checks += 3
        if answer.status_code != 400:
            failures.append(f"POST {route} with a 10,000-character {field}: answered {answer.status_code}")
        if not re.search(rf'id="f-{field}-error">Use at most \d+ characters\.', answer.text):
            failures.append(f"POST {route} with a 10,000-character {field}: no message beside the field")
        if snapshot(site) != before:
            failures.append(f"POST {route} with a 10,000-character {field}: something was stored")
    reliability_report.violations = len(failures)
    reliability_report.notes = f"{len(FIELDS)} text fields"
    assert not failures, failures
