"""`partnerhub demo`: realistic data through the services, reproducible, idempotent, resumable, `--reset`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, func, select

from partnerhub.all_models import (
    ActivityRecord,
    Base,
    Customer,
    Offer,
    RelationshipRequest,
    ResellerRelationship,
    Subscription,
    Tenant,
    User,
)
from partnerhub.auth import passwords
from partnerhub.auth.actor import Actor
from partnerhub.auth.service import authenticate_password
from partnerhub.auth.sign_in import STEP_ENROL, next_sign_in_step
from partnerhub.db import create_db_engine, read_session, transaction
from partnerhub.demo import DEMO_PASSWORD, PARTNERS, generate, plan_customers
from partnerhub.subscriptions.queries import blocking_subscriptions
from partnerhub.tenants.service import create_partner
from partnerhub.usecases.remove_reseller_relationship import remove_reseller_relationship


@pytest.fixture
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2 parameters in this process: every customer admin gets a hashed one-time password, and
    the default cost would make these tests slow without testing anything about the demo."""
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def _table_counts(engine: Engine) -> dict[str, int]:
    with read_session(engine) as session:
        return {
            t.name: int(session.scalar(select(func.count()).select_from(t)) or 0) for t in Base.metadata.sorted_tables
        }


def test_the_plan_is_fixed_and_a_longer_plan_extends_a_shorter_one() -> None:
    short, long = plan_customers(12), plan_customers(40)
    assert short == long[:12]
    assert plan_customers(12) == short
    assert len({c.domain for c in long}) == 40
    assert all(c.domain.endswith(".onmicrosoft.com") for c in long)
    assert {c.country for c in long} == {"IT", "US", "GB"}
    for c in long:
        assert (c.billing.culture, c.billing.language) == {
            "IT": ("it-IT", "it"),
            "US": ("en-US", "en"),
            "GB": ("en-GB", "en"),
        }[c.country]
        assert c.billing.country == c.country and c.billing.city and c.billing.postal_code


@pytest.mark.usefixtures("fast_hashing")
def test_demo_data_covers_every_kind_of_partner_customer_subscription_and_invitation(fresh_engine: Engine) -> None:
    result = generate(fresh_engine, customers=12)

    assert (result.customers_created, result.customers_skipped) == (12, 0)
    summary = result.summary
    assert summary["partners"]["byType"] == {"direct": 2, "indirect-provider": 1, "indirect-reseller": 2}
    assert summary["customers"]["total"] == 12
    assert set(summary["customers"]["byLanguage"]) == {"en", "it"}
    assert {"active", "suspended", "deleted"} <= set(summary["subscriptions"]["byStatus"])
    assert set(summary["invitations"]["byStatus"]) == {"sent", "accepted", "revoked", "expired"}
    assert summary["relationships"]["removed"] >= 1
    assert summary["partnerships"] == {"active": 2}
    assert {"active", "approvalPending"} <= set(summary["adminRelationships"])

    with read_session(fresh_engine) as session:
        assert any(s.support_contact_id for s in session.scalars(select(Subscription)))  # the reseller supports
        customers = list(session.scalars(select(Customer)))
        italian = [c for c in customers if c.language == "it"]
        assert italian and all(c.culture == "it-IT" and c.country == "IT" for c in italian)
        assert all(c.domain.endswith(".onmicrosoft.com") and c.city and c.address_line1 for c in customers)
        subs = list(session.scalars(select(Subscription)))
        by_id = {s.id: s for s in subs}
        offers = {o.id: o for o in session.scalars(select(Offer))}
        addons = [s for s in subs if s.parent_subscription_id]
        parents = {a.id: by_id[a.parent_subscription_id] for a in addons if a.parent_subscription_id}
        assert addons and all(offers[a.offer_id].parent_offer_id == parents[a.id].offer_id for a in addons)
        assert all(a.status != "active" for a in addons if parents[a.id].status != "active")
        assert any(s.kind == "reservation" and s.status == "deleted" for s in subs)
        assert any(s.reseller_partner_id for s in subs)  # the provider sells for its resellers
        assert any(r.origin == "provider-created" for r in session.scalars(select(ResellerRelationship)))
        rels = list(session.scalars(select(ResellerRelationship)))
        active = {(r.partner_id, r.customer_id) for r in rels if r.status == "active"}
        removed = [r for r in rels if r.status == "removed"]
        still_removed = [r for r in removed if (r.partner_id, r.customer_id) not in active]
        assert still_removed, "some customers stay offboarded"
        for r in still_removed:  # offboarded: nothing of this partner is active any more
            assert blocking_subscriptions(session, partner_id=r.partner_id, customer_id=r.customer_id) == []
        back = [
            r
            for r in rels
            if r.origin == "invitation"
            and (r.partner_id, r.customer_id) in {(x.partner_id, x.customer_id) for x in removed}
        ]
        assert back, "a removed relationship was re-established by the customer's admin"
        requests = list(session.scalars(select(RelationshipRequest)))
        accepted = [q for q in requests if q.status == "accepted"]
        assert accepted and all(q.accepted_by_user_id for q in accepted)
        operations = set(session.scalars(select(ActivityRecord.operation_type)))
        assert {
            "add_partner",
            "add_customer",
            "create_order",
            "suspend_subscription",
            "cancel_subscription",
            "remove_partner_customer_relationship",
            "add_partner_customer_relationship",
            "create_partnership",
            "accept_partnership",
            "approve_granular_admin_relationship",
            "create_granular_admin_access_assignment",
            "update_subscription_support_contact",
        } <= operations
        contoso = session.scalar(select(Tenant.id).where(Tenant.domain == "contoso-direct.example"))
        roles = {r for u in session.scalars(select(User).where(User.tenant_id == contoso)) for r in u.roles}
        assert roles == {"global-admin", "admin-agent", "sales-agent", "helpdesk-agent"}

    emails = {a.email for a in result.accounts}
    assert {p.admin_email for p in PARTNERS} <= emails
    assert any(a.role == "customer global-admin" for a in result.accounts)
    with read_session(fresh_engine) as session:
        for account in result.accounts:
            actor = authenticate_password(session, email=account.email, password=DEMO_PASSWORD)
            assert actor.email == account.email
            # DEMO ONLY, and said so: the printed password is not one-time, the demo tenants leave MFA to each
            # user, and the operator's account still asks for it
            user = session.scalar(select(User).where(User.email == account.email))
            assert user is not None and not user.password_is_one_time
            expected = STEP_ENROL if account.role == "operator" else None
            assert next_sign_in_step(session, user, mfa_done=False) == expected, account.email


@pytest.mark.usefixtures("fast_hashing")
def test_running_twice_adds_nothing_and_an_interrupted_run_is_completed(
    fresh_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = 0

    def crash(*_args: object, **_kwargs: object) -> None:
        nonlocal calls
        calls += 1
        raise RuntimeError("power cut")

    monkeypatch.setattr("partnerhub.demo.remove_reseller_relationship", crash)
    with pytest.raises(RuntimeError, match="power cut"):
        generate(fresh_engine, customers=12)
    monkeypatch.setattr("partnerhub.demo.remove_reseller_relationship", remove_reseller_relationship)
    assert calls == 1
    plan = plan_customers(12)
    with read_session(fresh_engine) as session:  # the crashed customer left nothing half-done
        done = set(session.scalars(select(Customer.domain)))
    first_offboarded = next(c for c in plan if c.scenario.startswith("offboard"))
    assert done == {c.domain for c in plan[: first_offboarded.index]}

    first = generate(fresh_engine, customers=12)
    assert first.customers_created == 12 - len(done)
    counts = _table_counts(fresh_engine)
    assert counts["customers"] == 12 and counts["subscriptions"] > 12 * 3

    again = generate(fresh_engine, customers=12)
    assert (again.customers_created, again.customers_skipped) == (0, 12)
    assert _table_counts(fresh_engine) == counts
    assert again.summary == first.summary

    more = generate(fresh_engine, customers=15)  # a bigger plan only adds the new customers
    assert (more.customers_created, more.customers_skipped) == (3, 12)
    with read_session(fresh_engine) as session:
        assert set(session.scalars(select(Customer.company_name))) == {c.company_name for c in plan_customers(15)}


@pytest.mark.usefixtures("fast_hashing")
def test_reset_starts_over(fresh_engine: Engine) -> None:
    generate(fresh_engine, customers=4)
    with transaction(fresh_engine) as session:
        create_partner(
            session,
            Actor.system(),
            name="Not Demo",
            partner_type="direct",
            domain="not-demo.example",
            admin_email="ga@not-demo.example",
        )
        old_ids = set(session.scalars(select(Customer.id)))
        offers = int(session.scalar(select(func.count()).select_from(Offer)) or 0)

    result = generate(fresh_engine, customers=4, reset=True)

    assert result.customers_created == 4
    with read_session(fresh_engine) as session:
        assert session.scalar(select(Tenant).where(Tenant.domain == "not-demo.example")) is None
        new_ids = set(session.scalars(select(Customer.id)))
        assert len(new_ids) == 4 and not new_ids & old_ids
        assert session.scalar(select(func.count()).select_from(Offer)) == offers
    assert result.summary["partners"]["total"] == len(PARTNERS)


def _run_cli(db_url: str, data_dir: Path, *args: str) -> dict[str, object]:
    env = {**os.environ, "PARTNERHUB_DATABASE_URL": db_url, "PARTNERHUB_DATA_DIR": str(data_dir)}
    env.pop("PARTNERHUB_AS", None)
    proc = subprocess.run(
        [sys.executable, "-m", "partnerhub.cli.main", "demo", *args, "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads(proc.stdout)
    assert isinstance(data, dict)
    return data


@pytest.mark.slow
def test_the_command_prints_a_json_summary(fresh_engine: Engine, tmp_path: Path) -> None:
    data = _run_cli(fresh_engine.url.render_as_string(hide_password=False), tmp_path, "--customers", "8")

    assert data["run"] == {"customersCreated": 8, "customersSkipped": 0}
    assert data["partners"] == {"total": 5, "byType": {"direct": 2, "indirect-provider": 1, "indirect-reseller": 2}}
    customers = data["customers"]
    assert isinstance(customers, dict) and customers["total"] == 8
    subscriptions = data["subscriptions"]
    assert isinstance(subscriptions, dict) and subscriptions["total"] == sum(subscriptions["byStatus"].values())
    accounts = data["accounts"]
    assert isinstance(accounts, list)
    assert {
        "email": "admin@contoso-direct.example",
        "role": "global-admin",
        "organisation": "Contoso Direct",
        "password": DEMO_PASSWORD,
    } in accounts
    with read_session(fresh_engine) as session:
        assert session.scalar(select(func.count()).select_from(Customer)) == 8
        assert session.scalar(select(func.count()).select_from(Subscription)) == subscriptions["total"]


def test_the_command_migrates_an_empty_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    data = _run_cli(url, tmp_path, "--customers", "0")

    assert data["partners"] == {"total": 5, "byType": {"direct": 2, "indirect-provider": 1, "indirect-reseller": 2}}
    engine = create_db_engine(url)
    try:
        with read_session(engine) as session:
            assert (session.scalar(select(func.count()).select_from(Offer)) or 0) > 0
    finally:
        engine.dispose()


@pytest.mark.usefixtures("fast_hashing")
def test_the_report_says_the_demo_accounts_are_exempt_from_the_sign_in_rules(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PARTNERHUB_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}",
        "PARTNERHUB_DATA_DIR": str(tmp_path),
        "COLUMNS": "400",
    }
    env.pop("PARTNERHUB_AS", None)
    proc = subprocess.run(
        [sys.executable, "-m", "partnerhub.cli.main", "demo", "--customers", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = " ".join(proc.stdout.split())
    assert "these accounts are exempt from the sign-in rules of real accounts: their password is not one-time" in text
    assert "The operator account always requires it" in text
    assert "start the service with PARTNERHUB_WEBHOOK_ALLOW_PRIVATE=true" in text  # webhooks to a local receiver
