"""Query-count budgets for the list endpoints: the number of SQL statements a page of a list costs does not grow
with the number of rows (no N+1), and stays within a budget. A new statement per request fails here first."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, event

from partnerhub.db import transaction
from partnerhub.invitations.service import create_invitation
from tests.api.conftest import Api, ApiPartner
from tests.factories import buy, make_customer

# Statements per request (SAVEPOINT, BEGIN and the like not counted), whatever the number of rows: the token's
# actor with its user and tenant in one, then the page itself (for subscriptions, the relationship first).
# Lower a budget when a statement goes; raise one only with a reason.
BUDGETS = {
    "/v1/customers": 2,
    "/v1/customers/{id}/subscriptions": 3,
    "/v1/auditrecords": 2,
    "/v1/relationshiprequests": 2,
}
QUERIES = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")


@contextmanager
def counting(bind: Engine | Connection) -> Iterator[list[str]]:
    """The SQL statements run through `bind` while the block runs."""
    engine = bind.engine if isinstance(bind, Connection) else bind
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith(QUERIES):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _statements(api: Api, path: str, token: str) -> int:
    with counting(api.engine) as statements:
        answer = api.call("GET", path, token)
    assert answer.status_code == 200, answer.text
    return len(statements)


def _grow(api: Api, partner: ApiPartner, customers: int) -> str:
    """`customers` more customers, each with two subscriptions and an invitation; returns the last one's id."""
    cid = ""
    with transaction(api.engine) as session:
        admin = partner.actors["admin"]
        for _ in range(customers):
            cid = make_customer(session, admin).customer.id
            buy(session, admin, cid)
            buy(session, admin, cid, quantity=2)
            create_invitation(session, admin, base_url="http://testserver", customer_id=cid)
    return cid


def test_list_endpoints_cost_the_same_statements_for_one_row_or_many(api: Api) -> None:
    partner = api.partner()
    first = _grow(api, partner, 1)
    paths = {
        "/v1/customers": "/v1/customers",
        "/v1/customers/{id}/subscriptions": f"/v1/customers/{first}/subscriptions",
        "/v1/auditrecords": "/v1/auditrecords",
        "/v1/relationshiprequests": "/v1/relationshiprequests",
    }
    few = {name: _statements(api, path, partner.token) for name, path in paths.items()}
    last = _grow(api, partner, 12)
    paths["/v1/customers/{id}/subscriptions"] = f"/v1/customers/{last}/subscriptions"
    with transaction(api.engine) as session:  # the last customer gets more subscriptions than the first
        for _ in range(6):
            buy(session, partner.actors["admin"], last)
    many = {name: _statements(api, path, partner.token) for name, path in paths.items()}
    assert many == few, "a list endpoint's statements grew with its rows (an N+1)"
    over = {name: n for name, n in many.items() if n > BUDGETS[name]}
    assert over == {}, f"over budget {BUDGETS}: {over}"
