"""The activity log as users read it: scoped to their tenant, filtered by date range, customer and operation,
newest first, keyset-paged, exported as CSV; and the instants users type for the date range."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from partnerhub.audit.dates import parse_instant
from partnerhub.audit.models import ActivityRecord
from partnerhub.audit.service import CSV_COLUMNS, ActivityQuery, export_activity_csv, list_activity
from partnerhub.auth.actor import Actor
from partnerhub.clock import frozen_at
from partnerhub.errors import InvalidInput
from tests.conftest import World
from tests.factories import buy, make_customer

T = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
ORDERS = ActivityQuery(operation="create_order")


def _orders_at(session: Session, world: World, *instants: datetime, customer_id: str | None = None) -> list[str]:
    """One order per instant (each writes one `create_order` record); returns the order ids."""
    ids = []
    for at in instants:
        with frozen_at(at):
            ids.append(buy(session, world.partner.admin, customer_id or world.customer_id).order_id)
    session.flush()
    return ids


def _list(session: Session, actor: Actor, query: ActivityQuery = ORDERS, **kw: object) -> list[ActivityRecord]:
    with frozen_at(T):
        return list_activity(session, actor, query=query, **kw).items  # type: ignore[arg-type]


# --- scope --------------------------------------------------------------------------------------------


def test_the_log_is_scoped_to_the_actors_partner(session: Session, world: World) -> None:
    buy(session, world.partner.admin, world.customer_id)
    session.flush()

    mine = list_activity(session, world.partner.admin, query=ActivityQuery()).items
    theirs = list_activity(session, world.other.admin, query=ActivityQuery()).items

    assert {r.operation_type for r in mine} >= {"add_partner", "add_user", "add_customer", "create_order"}
    assert all(r.partner_id == world.partner.partner_id for r in mine)
    assert theirs  # the other partner has its own history ...
    assert all(r.partner_id == world.other.partner_id for r in theirs)  # ... and sees nothing of ours
    assert not {r.id for r in mine} & {r.id for r in theirs}
    assert world.customer_id not in {r.customer_id for r in theirs}


def test_another_partner_gets_nothing_even_when_filtering_by_our_customer(session: Session, world: World) -> None:
    buy(session, world.partner.admin, world.customer_id)
    session.flush()

    page = list_activity(session, world.other.admin, query=ActivityQuery(customer_id=world.customer_id))

    assert page.items == []
    assert page.next_cursor is None


def test_every_role_of_the_partner_reads_its_log(session: Session, world: World) -> None:
    _orders_at(session, world, T - timedelta(hours=1))

    for actor in (world.partner.admin_agent, world.partner.sales_agent, world.partner.helpdesk_agent):
        assert len(_list(session, actor)) == 1


def test_a_customer_admin_sees_the_records_about_its_own_tenant(session: Session, world: World) -> None:
    second = make_customer(session, world.partner.admin)
    _orders_at(session, world, T - timedelta(hours=2))
    _orders_at(session, world, T - timedelta(hours=1), customer_id=second.customer.id)

    records = _list(session, world.customer_admin)

    assert [r.customer_id for r in records] == [world.customer_id]


def test_the_operator_sees_every_partners_records(session: Session, world: World) -> None:
    second = make_customer(session, world.other.admin)
    _orders_at(session, world, T - timedelta(hours=2))
    with frozen_at(T - timedelta(hours=1)):
        buy(session, world.other.admin, second.customer.id)
    session.flush()

    records = _list(session, Actor.system(), ActivityQuery(operation="create_order", start=T - timedelta(hours=3)))

    assert {r.partner_id for r in records} >= {world.partner.partner_id, world.other.partner_id}


# --- filters, order, paging ---------------------------------------------------------------------------


def test_the_log_filters_by_customer(session: Session, world: World) -> None:
    second = make_customer(session, world.partner.admin)
    [ours] = _orders_at(session, world, T - timedelta(hours=2))
    _orders_at(session, world, T - timedelta(hours=1), customer_id=second.customer.id)

    records = _list(
        session, world.partner.admin, ActivityQuery(customer_id=world.customer_id, operation="create_order")
    )

    assert [r.resource_id for r in records] == [ours]


def test_the_log_filters_by_operation(session: Session, world: World) -> None:
    _orders_at(session, world, T - timedelta(hours=1))

    customers = list_activity(session, world.partner.admin, query=ActivityQuery(operation="add_customer")).items
    orders = _list(session, world.partner.admin)

    assert [r.customer_id for r in customers] == [world.customer_id]
    assert [r.operation_type for r in orders] == ["create_order"]


def test_the_log_filters_by_resource_type(session: Session, world: World) -> None:
    _orders_at(session, world, T - timedelta(hours=1))

    records = _list(session, world.partner.admin, ActivityQuery(resource_type="order"))

    assert [r.operation_type for r in records] == ["create_order"]


def test_the_log_filters_by_date_range_with_inclusive_bounds(session: Session, world: World) -> None:
    ids = _orders_at(
        session,
        world,
        datetime(2026, 6, 1, tzinfo=UTC),
        datetime(2026, 6, 2, 12, tzinfo=UTC),
        datetime(2026, 6, 3, 23, 59, tzinfo=UTC),
        datetime(2026, 6, 4, 0, 0, 1, tzinfo=UTC),
    )

    records = _list(
        session,
        world.partner.admin,
        ActivityQuery(
            operation="create_order",
            start=parse_instant("2026-06-02"),
            end=parse_instant("2026-06-03", end_of_day=True),
        ),
    )
    from_first = _list(
        session,
        world.partner.admin,
        ActivityQuery(
            operation="create_order", start=datetime(2026, 6, 1, tzinfo=UTC), end=datetime(2026, 6, 1, tzinfo=UTC)
        ),
    )

    assert [r.resource_id for r in records] == [ids[2], ids[1]]
    assert [r.resource_id for r in from_first] == [ids[0]]


def test_a_start_after_the_end_is_refused(session: Session, world: World) -> None:
    with pytest.raises(InvalidInput):
        _list(session, world.partner.admin, ActivityQuery(start=T, end=T - timedelta(seconds=1)))


@pytest.mark.parametrize("size", [0, 501])
def test_a_page_size_out_of_range_is_refused(session: Session, world: World, size: int) -> None:
    with pytest.raises(InvalidInput):
        _list(session, world.partner.admin, size=size)


def test_the_default_window_is_the_last_30_days(session: Session, world: World) -> None:
    ids = _orders_at(
        session, world, T - timedelta(days=31), T - timedelta(days=29), T - timedelta(minutes=1), T + timedelta(days=1)
    )

    records = _list(session, world.partner.admin)

    assert [r.resource_id for r in records] == [ids[2], ids[1]]


def test_the_log_is_newest_first(session: Session, world: World) -> None:
    ids = _orders_at(session, world, T - timedelta(days=3), T - timedelta(days=1), T - timedelta(days=2))

    records = _list(session, world.partner.admin)

    assert [r.resource_id for r in records] == [ids[1], ids[2], ids[0]]
    assert [r.created_at for r in records] == sorted((r.created_at for r in records), reverse=True)


def test_keyset_paging_walks_every_record_once_in_order(session: Session, world: World) -> None:
    # Three records share one instant: the id breaks the tie, so no page repeats or skips one of them.
    same = T - timedelta(hours=5)
    _orders_at(session, world, T - timedelta(hours=1), same, same, same, T - timedelta(hours=9))
    everything = _list(session, world.partner.admin, size=500)
    assert len(everything) == 5

    seen: list[ActivityRecord] = []
    after: tuple[datetime, str] | None = None
    pages = 0
    while True:
        with frozen_at(T):
            page = list_activity(session, world.partner.admin, query=ORDERS, size=2, after=after)
        pages += 1
        seen.extend(page.items)
        if page.next_cursor is None:
            break
        assert page.next_cursor == (page.items[-1].created_at, page.items[-1].id)
        after = page.next_cursor

    assert pages == 3
    assert [r.id for r in seen] == [r.id for r in everything]
    assert [(r.created_at, r.id) for r in seen] == sorted(((r.created_at, r.id) for r in seen), reverse=True)


def test_the_record_says_who_did_what(session: Session, world: World) -> None:
    sub = buy(session, world.partner.sales_agent, world.customer_id)
    session.flush()

    [rec] = list_activity(session, world.partner.admin, query=ORDERS).items

    assert rec.resource_id == sub.order_id
    assert rec.user_id == world.partner.sales_agent.user_id
    assert rec.user_principal_name == world.partner.sales_agent.email
    assert rec.correlation_id == world.partner.sales_agent.correlation_id
    assert rec.operation_status == "succeeded"
    assert rec.customer_name == "Fabrikam Srl"


# --- CSV export ---------------------------------------------------------------------------------------


def _csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_the_export_has_a_header_and_one_row_per_record(session: Session, world: World) -> None:
    ids = _orders_at(session, world, T - timedelta(hours=3), T - timedelta(hours=2), T - timedelta(hours=1))

    with frozen_at(T):
        rows = _csv(export_activity_csv(session, world.partner.admin, query=ORDERS))

    assert tuple(rows[0]) == CSV_COLUMNS
    body = [dict(zip(CSV_COLUMNS, row, strict=True)) for row in rows[1:]]
    assert [r["resourceId"] for r in body] == list(reversed(ids))
    first = body[-1]
    assert first["operationDate"].startswith("2026-11-24T07:00:00")
    assert first["operationType"] == "create_order"
    assert first["operationStatus"] == "succeeded"
    assert first["resourceType"] == "order"
    assert first["customerId"] == world.customer_id
    assert first["customerName"] == "Fabrikam Srl"
    assert first["userPrincipalName"] == world.partner.admin.email
    assert first["oldValue"] == ""
    assert ids[0] in first["newValue"]


def test_the_export_is_scoped_like_the_log(session: Session, world: World) -> None:
    _orders_at(session, world, T - timedelta(hours=1))

    with frozen_at(T):
        rows = _csv(export_activity_csv(session, world.other.admin, query=ORDERS))

    assert rows == [list(CSV_COLUMNS)]


def test_the_export_defuses_cells_that_a_spreadsheet_would_run_as_formulas(session: Session, world: World) -> None:
    evil = make_customer(session, world.partner.admin, name='=HYPERLINK("http://evil.example","x")')
    with frozen_at(T - timedelta(hours=1)):
        buy(session, world.partner.admin, evil.customer.id)
    session.flush()

    with frozen_at(T):
        rows = _csv(
            export_activity_csv(
                session,
                world.partner.admin,
                query=ActivityQuery(customer_id=evil.customer.id, operation="create_order"),
            )
        )

    [row] = rows[1:]
    assert dict(zip(CSV_COLUMNS, row, strict=True))["customerName"] == '\'=HYPERLINK("http://evil.example","x")'
    for cell in row:
        assert cell[:1] not in ("=", "+", "-", "@")


# --- parsing the instants users type ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-24", datetime(2026, 11, 24, tzinfo=UTC)),
        (" 2026-11-24 ", datetime(2026, 11, 24, tzinfo=UTC)),
        ("2026-11-24T10:00:00Z", datetime(2026, 11, 24, 10, tzinfo=UTC)),
        ("2026-11-24T10:00:00", datetime(2026, 11, 24, 10, tzinfo=UTC)),
        ("2026-11-24T12:00:00+02:00", datetime(2026, 11, 24, 10, tzinfo=UTC)),
        ("6/1/2017 12:00:00 AM", datetime(2017, 6, 1, tzinfo=UTC)),
        ("6/1/2017 12:30:00 PM", datetime(2017, 6, 1, 12, 30, tzinfo=UTC)),
        ("11/24/2026 11:59:59 PM", datetime(2026, 11, 24, 23, 59, 59, tzinfo=UTC)),
        ("11/24/2026 17:05:00", datetime(2026, 11, 24, 17, 5, tzinfo=UTC)),
        ("11/24/2026", datetime(2026, 11, 24, tzinfo=UTC)),
    ],
)
def test_parse_instant_accepts_iso_and_partner_center_dates(text: str, expected: datetime) -> None:
    parsed = parse_instant(text)

    assert parsed == expected
    assert parsed.tzinfo is not None
    assert parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize("text", ["2026-11-24", "11/24/2026"])
def test_a_bare_date_ends_at_the_end_of_its_day_when_it_ends_a_range(text: str) -> None:
    assert parse_instant(text, end_of_day=True) == datetime(2026, 11, 24, 23, 59, 59, 999999, tzinfo=UTC)


def test_a_full_instant_is_not_moved_to_the_end_of_the_day() -> None:
    assert parse_instant("2026-11-24T10:00:00Z", end_of_day=True) == datetime(2026, 11, 24, 10, tzinfo=UTC)
    assert parse_instant("6/1/2017 12:00:00 AM", end_of_day=True) == datetime(2017, 6, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "yesterday",
        "2026-13-01",
        "13/45/2026",
        "24.11.2026",
        "6/1/2017 25:00:00 AM",
        "2026-11-24T10:00:00Zjunk",
    ],
)
def test_parse_instant_rejects_garbage(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_instant(text)
