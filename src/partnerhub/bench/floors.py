"""The floors: each benchmarked operation done by hand-written SQL on a raw connection, reading and writing the
same rows as the service (the activity record and its outbox event included), in one transaction."""
# ruff: noqa: S608  -- the SQL is composed only from this module's constant column lists; values are bound

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from partnerhub.bench.rawdb import RawDb
from partnerhub.clock import utc_now

CUSTOMER_COLS = (
    "c.id, c.company_name, c.company_name_key, c.domain, c.organization_registration_number, "
    "c.first_name, c.last_name, c.email, c.culture, c.language, c.billing_company_name, "
    "c.address_line1, c.city, c.state, c.postal_code, c.country, c.phone_number, c.created_at, "
    "c.version"
)
REL_COLS = (
    "r.id, r.partner_id, r.customer_id, r.status, r.has_delegated_admin, r.associated_partner_id, "
    "r.origin, r.invitation_id, r.activated_at, r.removed_at, r.removed_by_user_id, r.version"
)
SUB_COLS = (
    "id, customer_id, partner_id, reseller_partner_id, order_id, offer_id, offer_name, kind, "
    "friendly_name, quantity, unit_type, status, auto_renew_enabled, billing_cycle, term_duration, "
    "parent_subscription_id, suspension_reasons, support_contact_id, created_at, commitment_end_at, "
    "version"
)
ACTIVITY_COLS = (
    "id, created_at, partner_id, customer_id, customer_name, user_id, user_principal_name, "
    "application_id, resource_type, resource_id, operation_type, operation_status, old_value, "
    "new_value, correlation_id"
)
INSERT_ACTIVITY = f"INSERT INTO activity_records ({ACTIVITY_COLS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
INSERT_OUTBOX = (
    "INSERT INTO outbox_events (id, created_at, partner_id, event_type, activity_record_id, "
    "delivered_at) VALUES (?,?,?,?,?,?)"
)
OPEN_GDAP = "('created','approvalPending','active','terminationRequested')"
BELONGS = "(partner_id = ? OR reseller_partner_id = ?)"
REL_LOCK = (
    "SELECT id, has_delegated_admin FROM reseller_relationships WHERE partner_id = ? AND customer_id = ? "
    "AND status = 'active' FOR UPDATE"
)


def _id() -> str:
    return str(uuid.uuid4())


class Floors:
    """The hand-written SQL of every operation, for one partner and its acting user."""

    def __init__(self, db: RawDb, *, partner_id: str, user_id: str, email: str) -> None:
        self.db = db
        self.partner_id = partner_id
        self.user_id = user_id
        self.email = email

    def _records(
        self,
        now: datetime,
        items: Sequence[tuple[str | None, str | None, str, str, str, dict[str, Any] | None, dict[str, Any] | None]],
    ) -> None:
        """Activity records and outbox events: (customer id, customer name, resource type, resource id,
        operation, old, new) each."""
        db, at = self.db, self.db.time(now)
        acts, events = [], []
        for customer_id, name, rtype, rid, op, old, new in items:
            rec = _id()
            acts.append(
                (
                    rec,
                    at,
                    self.partner_id,
                    customer_id,
                    name,
                    self.user_id,
                    self.email,
                    "cli",
                    rtype,
                    rid,
                    op,
                    "succeeded",
                    db.json(old) if old is not None else None,
                    db.json(new) if new is not None else None,
                    _id(),
                )
            )
            events.append((_id(), at, self.partner_id, op, rec, None))
        db.xm(INSERT_ACTIVITY, acts)
        db.xm(INSERT_OUTBOX, events)

    # --- reads -------------------------------------------------------------------------------------------

    def list_customers(
        self, size: int, after: tuple[str, str] | None = None, prefix: str | None = None
    ) -> list[tuple[Any, ...]]:
        sql = (
            f"SELECT {CUSTOMER_COLS}, {REL_COLS} FROM customers c JOIN reseller_relationships r "
            "ON r.customer_id = c.id WHERE r.partner_id = ? AND r.status = 'active'"
        )
        params: list[Any] = [self.partner_id]
        if prefix:
            sql += " AND r.customer_name_key LIKE ? ESCAPE '\\'"
            params.append(prefix.lower() + "%")
        if after:
            sql += " AND (r.customer_name_key > ? OR (r.customer_name_key = ? AND r.customer_id > ?))"
            params += [after[0], after[0], after[1]]
        sql += " ORDER BY r.customer_name_key, r.customer_id LIMIT ?"
        params.append(size + 1)
        with self.db.tx(write=False):
            return self.db.q(sql, params)

    def get_customer(self, customer_id: str) -> tuple[Any, ...]:
        with self.db.tx(write=False):
            rel = self.db.q(
                "SELECT id FROM reseller_relationships WHERE partner_id = ? AND customer_id = ? AND status = 'active'",
                (self.partner_id, customer_id),
            )
            assert rel
            return self.db.q(f"SELECT {CUSTOMER_COLS} FROM customers c WHERE c.id = ?", (customer_id,))[0]

    def list_subscriptions(self, customer_id: str) -> list[tuple[Any, ...]]:
        with self.db.tx(write=False):
            assert self.db.q(
                "SELECT id FROM reseller_relationships WHERE partner_id = ? AND customer_id = ? AND status = 'active'",
                (self.partner_id, customer_id),
            )
            return self.db.q(
                f"SELECT {SUB_COLS} FROM subscriptions WHERE customer_id = ? AND {BELONGS} ORDER BY id LIMIT 101",
                (customer_id, self.partner_id, self.partner_id),
            )

    def list_activity(self, start: datetime, end: datetime, customer_id: str | None = None) -> list[tuple[Any, ...]]:
        sql = (
            f"SELECT {ACTIVITY_COLS} FROM activity_records WHERE created_at >= ? AND created_at <= ? AND partner_id = ?"
        )
        params: list[Any] = [self.db.time(start), self.db.time(end), self.partner_id]
        if customer_id:
            sql += " AND customer_id = ?"
            params.append(customer_id)
        with self.db.tx(write=False):
            return self.db.q(sql + " ORDER BY created_at DESC, id DESC LIMIT 101", params)

    # --- writes ------------------------------------------------------------------------------------------

    def _suspension(self, now: Any) -> list[dict[str, Any]]:
        """What partnerhub keeps of a suspension: the reason, whose, by whom, when (the floor writes it too)."""
        return [
            {
                "reason": "ResellerInitiated",
                "initiatorPartnerId": self.partner_id,
                "initiatedBy": "",
                "at": now.isoformat(),
                "note": "",
            }
        ]

    def change_status(self, customer_id: str, subscription_id: str, target: str = "suspended") -> tuple[Any, ...]:
        """Suspend (or reactivate) one base subscription: lock, update, cascade check, record."""
        db, now = self.db, utc_now()
        with db.tx():
            assert db.q(REL_LOCK, (self.partner_id, customer_id))
            sub = db.q(
                f"SELECT {SUB_COLS} FROM subscriptions WHERE id = ? AND customer_id = ? AND {BELONGS} FOR UPDATE",
                (subscription_id, customer_id, self.partner_id, self.partner_id),
            )
            assert sub
            old = sub[0][11]
            if target == "suspended":
                db.x(
                    "UPDATE subscriptions SET status = 'suspended', auto_renew_enabled = ?, suspension_reasons = ?, "
                    "suspensions = ?, version = version + 1 WHERE id = ?",
                    (False, db.json(["ResellerInitiated"]), db.json(self._suspension(now)), subscription_id),
                )
                db.q(
                    "SELECT id, status FROM subscriptions WHERE parent_subscription_id = ? ORDER BY id FOR UPDATE",
                    (subscription_id,),
                )
            else:
                db.x(
                    "UPDATE subscriptions SET status = 'active', suspension_reasons = ?, suspensions = ?, "
                    "version = version + 1 WHERE id = ?",
                    (db.json([]), db.json([]), subscription_id),
                )
            name = db.q("SELECT company_name FROM customers WHERE id = ?", (customer_id,))[0][0]
            op = "suspend_subscription" if target == "suspended" else "reactivate_subscription"
            self._records(
                now, [(customer_id, name, "subscription", subscription_id, op, {"status": old}, {"status": target})]
            )
            row = list(sub[0])
            row[11] = target
            return tuple(row)

    def place_order(self, customer_id: str, offer_ids: Sequence[str], quantity: int = 5) -> str:
        db, now = self.db, utc_now()
        with db.tx():
            assert db.q("SELECT partner_type FROM partners WHERE id = ?", (self.partner_id,))
            assert db.q(REL_LOCK, (self.partner_id, customer_id))
            marks = ",".join("?" for _ in offer_ids)
            offers = {
                r[0]: r
                for r in db.q(
                    f"SELECT id, name, kind, unit_type, billing_cycles, term_durations, min_quantity, max_quantity, "
                    f"parent_offer_id FROM offers WHERE id IN ({marks})",
                    tuple(offer_ids),
                )
            }
            order_id = _id()
            db.x(
                "INSERT INTO orders (id, customer_id, partner_id, billing_cycle, currency_code, status, "
                "created_at, created_by_user_id) VALUES (?,?,?,?,?,?,?,?)",
                (order_id, customer_id, self.partner_id, "monthly", "USD", "completed", db.time(now), self.user_id),
            )
            subs, lines = [], []
            for n, offer_id in enumerate(offer_ids):
                o = offers[offer_id]
                sid = _id()
                subs.append(
                    (
                        sid,
                        customer_id,
                        self.partner_id,
                        None,
                        order_id,
                        offer_id,
                        o[1],
                        o[2],
                        o[1],
                        quantity,
                        o[3],
                        "active",
                        True,
                        "monthly",
                        "P1M",
                        None,
                        db.json([]),
                        None,
                        db.time(now),
                        db.time(now + timedelta(days=30)),
                        1,
                    )
                )
                lines.append((order_id, n, offer_id, quantity, o[1], "P1M", None, None, sid))
            db.xm(f"INSERT INTO subscriptions ({SUB_COLS}) VALUES ({','.join('?' * 21)})", subs)
            db.xm(
                "INSERT INTO order_line_items (order_id, line_item_number, offer_id, quantity, friendly_name, "
                "term_duration, parent_subscription_id, partner_id_on_record, subscription_id) "
                "VALUES (?,?,?,?,?,?,?,?,?)",
                lines,
            )
            name = db.q("SELECT company_name FROM customers WHERE id = ?", (customer_id,))[0][0]
            self._records(
                now,
                [
                    (
                        customer_id,
                        name,
                        "order",
                        order_id,
                        "create_order",
                        None,
                        {
                            "orderId": order_id,
                            "lineItems": [
                                {"offerId": x[2], "quantity": quantity, "subscriptionId": x[8]} for x in lines
                            ],
                        },
                    )
                ],
            )
        return order_id

    def _remove(self, now: datetime, customer_id: str, rel: tuple[Any, ...], name: str) -> None:
        """The removal's own writes, after the caller's checks: relationship, record, support contacts, GDAP."""
        db = self.db
        db.x(
            "UPDATE reseller_relationships SET status = 'removed', has_delegated_admin = ?, removed_at = ?, "
            "removed_by_user_id = ?, removed_by = 'partner', version = version + 1 WHERE id = ?",
            (False, db.time(now), self.user_id, rel[0]),
        )
        self._records(
            now,
            [
                (
                    customer_id,
                    name,
                    "relationship",
                    rel[0],
                    "remove_partner_customer_relationship",
                    {"relationshipToPartner": "reseller", "allowDelegatedAccess": bool(rel[1])},
                    {"relationshipToPartner": "none", "allowDelegatedAccess": False},
                )
            ],
        )
        db.q(
            "SELECT id FROM subscriptions WHERE customer_id = ? AND support_contact_id = ? ORDER BY id FOR UPDATE",
            (customer_id, self.partner_id),
        )
        db.q(
            f"SELECT id FROM admin_relationships WHERE partner_id = ? AND customer_id = ? AND status IN {OPEN_GDAP} "
            "FOR UPDATE",
            (self.partner_id, customer_id),
        )

    def remove_relationship(self, customer_id: str) -> None:
        db, now = self.db, utc_now()
        with db.tx():
            rel = db.q(REL_LOCK, (self.partner_id, customer_id))[0]
            blocking = db.q(
                f"SELECT id FROM subscriptions WHERE customer_id = ? AND {BELONGS} AND status IN ('active','pending')",
                (customer_id, self.partner_id, self.partner_id),
            )
            assert not blocking
            name = db.q("SELECT company_name FROM customers WHERE id = ?", (customer_id,))[0][0]
            self._remove(now, customer_id, rel, name)

    def offboard(self, customer_id: str, *, job: tuple[str, str] | None = None) -> int:
        """Suspend every active or pending subscription in one UPDATE (one record each), then remove."""
        db, now = self.db, utc_now()
        with db.tx():
            rel = db.q(REL_LOCK, (self.partner_id, customer_id))[0]
            name = db.q("SELECT company_name FROM customers WHERE id = ?", (customer_id,))[0][0]
            subs = db.q(
                f"SELECT id, status, kind FROM subscriptions WHERE customer_id = ? AND {BELONGS} FOR UPDATE",
                (customer_id, self.partner_id, self.partner_id),
            )
            db.q(
                f"SELECT id FROM admin_relationships WHERE partner_id = ? AND customer_id = ? AND status IN "
                f"{OPEN_GDAP}",
                (self.partner_id, customer_id),
            )
            to_suspend = [s for s in subs if s[1] in ("active", "pending") and s[2] != "reservation"]
            db.x(
                f"UPDATE subscriptions SET status = 'suspended', auto_renew_enabled = ?, suspension_reasons = ?, "
                f"suspensions = ?, version = version + 1 WHERE customer_id = ? AND {BELONGS} "
                "AND status IN ('active','pending') AND kind <> 'reservation'",
                (
                    False,
                    db.json(["ResellerInitiated"]),
                    db.json(self._suspension(now)),
                    customer_id,
                    self.partner_id,
                    self.partner_id,
                ),
            )
            self._records(
                now,
                [
                    (
                        customer_id,
                        name,
                        "subscription",
                        s[0],
                        "suspend_subscription",
                        {"status": s[1]},
                        {"status": "suspended"},
                    )
                    for s in to_suspend
                ],
            )
            self._remove(now, customer_id, rel, name)
            self._records(
                now,
                [
                    (
                        customer_id,
                        name,
                        "customer",
                        customer_id,
                        "offboard_customer",
                        {"relationshipToPartner": "reseller"},
                        {"suspended": len(to_suspend), "relationshipToPartner": "none"},
                    )
                ],
            )
            if job is not None:
                db.x(
                    "UPDATE job_items SET status = 'succeeded', result = ?, finished_at = ? WHERE job_id = ? "
                    "AND item_key = ? AND status = 'pending'",
                    (
                        db.json({"customerId": customer_id, "suspended": [s[0] for s in to_suspend]}),
                        db.time(now),
                        job[0],
                        job[1],
                    ),
                )
        return len(to_suspend)

    def bulk_offboard(self, customer_ids: Sequence[str]) -> None:
        """Queue a job with one item per customer, then offboard each customer in its own transaction."""
        db, now = self.db, utc_now()
        job_id = _id()
        with db.tx():
            db.x(
                "INSERT INTO jobs (id, kind, partner_id, created_by_user_id, payload, checkpoint, result, status, "
                "progress_done, progress_total, attempts, created_at, updated_at) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    job_id,
                    "bulk-offboard-floor",
                    self.partner_id,
                    self.user_id,
                    db.json({}),
                    db.json({}),
                    db.json({}),
                    "running",
                    0,
                    len(customer_ids),
                    1,
                    db.time(now),
                    db.time(now),
                ),
            )
            db.xm(
                "INSERT INTO job_items (job_id, item_key, position, status, result) VALUES (?,?,?,?,?)",
                [(job_id, c, i, "pending", db.json({})) for i, c in enumerate(customer_ids)],
            )
            self._records(
                now, [(None, None, "job", job_id, "start_bulk_offboarding", None, {"customers": len(customer_ids)})]
            )
        for cid in customer_ids:
            self.offboard(cid, job=(job_id, cid))
        with db.tx():
            db.x(
                "UPDATE jobs SET status = 'succeeded', progress_done = ?, finished_at = ? WHERE id = ?",
                (len(customer_ids), db.time(utc_now()), job_id),
            )
