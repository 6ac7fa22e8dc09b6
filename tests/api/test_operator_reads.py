"""The operator's reads of a tenant's data (issue 12): the operator may read, for support, but every read of
a tenant's data over the API is recorded in that tenant's activity log (`operator_read`), in the same
transaction as the answer; a tenant's own reads record nothing and stay lock-free."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from partnerhub.auth.actor import Actor
from partnerhub.auth.service import actor_for_email, create_token
from partnerhub.db import transaction
from partnerhub.http.app import create_app
from partnerhub.runtime import Runtime
from partnerhub.settings import Settings
from partnerhub.tenants.service import create_operator_account
from tests.activity import activity
from tests.api.conftest import Api
from tests.factories import M365_E3, TEAMS_PHONE_ADDON, buy, make_customer, make_partner, share_customer

OPS = "ops@platform.example"
CUSTOMER_READS = [  # every GET that shows a customer's data to the operator, and what its record says was read
    ("/v1/customers/{cid}", "customer"),
    ("/v1/customers/{cid}/profiles/billing", "customer"),
    ("/v1/customers/{cid}/profiles/company", "customer"),
    ("/v1/customers/{cid}/subscriptions", "subscriptions"),
    ("/v1/customers/{cid}/subscriptions/{sid}", "subscriptions"),
    ("/v1/customers/{cid}/subscriptions/{sid}/addons", "subscriptions"),
    ("/v1/customers/{cid}/subscriptions/{sid}/supportcontact", "subscriptions"),
]  # orders and a customer's users are refused to the operator (403): there is nothing of theirs to record


def operator_token(engine: Engine | object) -> str:
    with transaction(engine) as session:  # type: ignore[arg-type]
        create_operator_account(session, Actor.system(), email=OPS)
        return create_token(session, actor_for_email(session, OPS)).token


def _world(api: Api) -> tuple[str, str, str, str, str]:
    """Fabrikam, a customer of Contoso and Northwind with a subscription: (customer, subscription, both partners'
    ids, and the operator's token)."""
    with transaction(api.engine) as session:
        contoso = make_partner(session, name="Contoso Direct")
        northwind = make_partner(session, name="Northwind Cloud")
        created = make_customer(session, contoso.admin, name="Fabrikam Srl")
        from partnerhub.auth.service import actor_for_user

        share_customer(session, northwind.admin, actor_for_user(session, created.admin))
        sub = buy(session, contoso.admin, created.customer.id, M365_E3)
        buy(session, contoso.admin, created.customer.id, TEAMS_PHONE_ADDON, parent_id=sub.id)
        ids = (created.customer.id, sub.id, contoso.partner_id, northwind.partner_id)
    return (*ids, operator_token(api.engine))


@pytest.mark.parametrize(("path", "what"), CUSTOMER_READS)
def test_each_read_of_a_customer_is_in_every_related_partners_log(api: Api, path: str, what: str) -> None:
    customer_id, sub_id, contoso, northwind, token = _world(api)
    answer = api.call("GET", path.format(cid=customer_id, sid=sub_id), token)
    assert answer.status_code == 200, answer.text
    records = activity(api.engine, operation="operator_read")
    assert {r.partner_id for r in records} == {contoso, northwind}
    for r in records:
        assert (r.customer_id, r.customer_name, r.user_principal_name) == (customer_id, "Fabrikam Srl", OPS)
        assert r.new_value == {"read": what}
        assert r.resource_type == "customer" and r.resource_id == customer_id


def test_a_read_of_the_activity_log_is_in_the_log_of_each_tenant_it_showed(api: Api) -> None:
    _customer, _sub, contoso, northwind, token = _world(api)
    answer = api.call("GET", "/v1/auditrecords", token)
    assert answer.status_code == 200, answer.text
    shown = {r["partnerId"] for r in answer.json()["items"] if r["partnerId"]}
    assert {contoso, northwind} <= shown
    records = activity(api.engine, operation="operator_read")
    assert {r.partner_id for r in records if r.partner_id} == shown
    assert all(r.partner_id or r.customer_id for r in records)  # each in a tenant's log
    assert all(r.new_value == {"read": "activity log"} and r.resource_type == "activity_log" for r in records)


def test_a_partners_own_reads_and_a_refused_read_record_nothing(api: Api) -> None:
    *_ids, token = _world(api)
    partner = api.partner()
    own, _ = api.customer(partner)
    assert api.call("GET", f"/v1/customers/{own}", partner.token).status_code == 200
    assert api.call("GET", "/v1/auditrecords", partner.token).status_code == 200
    missing = api.call("GET", "/v1/customers/00000000-0000-4000-8000-000000000000", token)
    assert missing.status_code == 404
    assert activity(api.engine, operation="operator_read") == []


@pytest.fixture
def served(fresh_engine: Engine, tmp_path: Path) -> Iterator[tuple[TestClient, Runtime]]:
    settings = Settings(
        database_url=fresh_engine.url.render_as_string(hide_password=False),
        data_dir=tmp_path,
        secret_key="test",
        base_url="https://partnerhub.example",
    )
    runtime = Runtime(settings)
    with TestClient(create_app(runtime, start_worker=False)) as client:
        yield client, runtime
    runtime.dispose()


@pytest.mark.parametrize("backend", ["sqlite"])  # SQLite's database-wide write lock
def test_the_operators_read_is_a_writer_from_the_start_and_a_partners_stays_a_reader(
    served: tuple[TestClient, Runtime], fresh_engine: Engine
) -> None:
    client, runtime = served
    with transaction(fresh_engine) as session:
        partner = make_partner(session)
        customer_id = make_customer(session, partner.admin).customer.id
        partner_token = create_token(session, partner.admin).token
    ops_token = operator_token(fresh_engine)
    begins: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.startswith("BEGIN"):
            begins.append(statement)

    event.listen(runtime.engine, "before_cursor_execute", seen)
    try:
        by_token = {}
        for token in (partner_token, ops_token):
            begins.clear()
            answer = client.get(f"/v1/customers/{customer_id}", headers={"Authorization": f"Bearer {token}"})
            assert answer.status_code == 200, answer.text
            by_token[token] = list(begins)
    finally:
        event.remove(runtime.engine, "before_cursor_execute", seen)
    assert by_token[partner_token] == ["BEGIN DEFERRED"]
    assert by_token[ops_token][-1] == "BEGIN IMMEDIATE"  # its recording transaction took the lock up front
    assert len(activity(fresh_engine, operation="operator_read")) == 1
