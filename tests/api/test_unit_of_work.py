"""One unit of work per request: a read never takes SQLite's write lock, a write commits before its answer is
sent (a failed commit is never a 2xx, and nothing of it stays), and an idempotent refusal is stored in the
same transaction as the request. These tests need committed data and a second connection: they build the
app over a throwaway database of their own."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, func, select
from sqlalchemy.exc import OperationalError

from partnerhub.audit.models import ActivityRecord
from partnerhub.auth.service import create_token
from partnerhub.db import read_session, transaction
from partnerhub.http.app import create_app
from partnerhub.idempotency.models import StoredAnswer
from partnerhub.runtime import Runtime
from partnerhub.settings import Settings
from tests.factories import make_customer, make_partner

CUSTOMER = {
    "companyProfile": {"domain": "uow.example", "companyName": "Unit Of Work Srl"},
    "billingProfile": {"email": "ada@uow.example", "defaultAddress": {"country": "IT"}},
}


@pytest.fixture
def served(fresh_engine: Engine, tmp_path: Path) -> Iterator[tuple[TestClient, Runtime, str, str]]:
    """The app over a committed database: (client, runtime, a partner admin's token, one customer id)."""
    with transaction(fresh_engine) as session:
        partner = make_partner(session)
        customer_id = make_customer(session, partner.admin).customer.id
        token = create_token(session, partner.admin).token
    settings = Settings(
        database_url=fresh_engine.url.render_as_string(hide_password=False),
        data_dir=tmp_path,
        secret_key="test",
        base_url="https://partnerhub.example",
    )
    runtime = Runtime(settings)
    with TestClient(create_app(runtime, start_worker=False)) as client:
        yield client, runtime, token, customer_id
    runtime.dispose()


def _auth(token: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **headers}


@pytest.mark.parametrize("backend", ["sqlite"])  # a database-wide write lock is SQLite's alone
def test_a_read_answers_while_another_writer_holds_sqlites_write_lock(
    served: tuple[TestClient, Runtime, str, str],
) -> None:
    client, runtime, token, customer_id = served
    database = runtime.engine.url.database
    assert database
    writer = sqlite3.connect(database, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # another process is in the middle of a write
        for path in ("/v1/customers", f"/v1/customers/{customer_id}", f"/v1/customers/{customer_id}/subscriptions"):
            answer = client.get(path, headers=_auth(token))
            assert answer.status_code == 200, (path, answer.text)
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_a_write_whose_commit_fails_is_not_answered_as_a_success_and_leaves_nothing(
    served: tuple[TestClient, Runtime, str, str],
) -> None:
    client, runtime, token, _ = served

    def the_database_refuses_the_commit(_conn: Any) -> None:
        raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    event.listen(runtime.engine, "commit", the_database_refuses_the_commit)
    try:
        answer = client.post("/v1/customers", json=CUSTOMER, headers=_auth(token, **{"MS-RequestId": "uow-1"}))
    finally:
        event.remove(runtime.engine, "commit", the_database_refuses_the_commit)
    assert answer.status_code >= 500, answer.text
    assert answer.json()["code"] == 800403  # database unavailable, never the customer

    with read_session(runtime.engine) as session:
        assert (
            session.scalar(
                select(func.count())
                .select_from(ActivityRecord)
                .where(ActivityRecord.customer_name == "Unit Of Work Srl")
            )
            == 0
        )
        assert (
            session.scalar(select(func.count()).select_from(StoredAnswer).where(StoredAnswer.request_id == "uow-1"))
            == 0
        )
    retried = client.post("/v1/customers", json=CUSTOMER, headers=_auth(token, **{"MS-RequestId": "uow-1"}))
    assert retried.status_code == 201, retried.text  # the retry runs again: a failed answer was never stored


def test_an_idempotent_refusal_is_stored_with_the_request_and_replayed(
    served: tuple[TestClient, Runtime, str, str],
) -> None:
    client, runtime, token, customer_id = served
    headers = _auth(token, **{"MS-RequestId": "uow-refused"})
    refused = client.patch(
        f"/v1/customers/{customer_id}/subscriptions/no-such-subscription", json={"status": "suspended"}, headers=headers
    )
    assert refused.status_code == 404, refused.text
    with read_session(runtime.engine) as session:
        stored = session.scalars(select(StoredAnswer).where(StoredAnswer.request_id == "uow-refused")).one()
        assert stored.status_code == 404 and stored.body == refused.json()
    replayed = client.patch(
        f"/v1/customers/{customer_id}/subscriptions/no-such-subscription", json={"status": "suspended"}, headers=headers
    )
    assert (replayed.status_code, replayed.json()) == (404, refused.json())
