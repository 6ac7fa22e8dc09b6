"""GDAP expiry warnings: a relationship that ends without auto-extend is `expiring` in its last 30 days, and each
active Global admin of the partner gets one mail at the 30-day mark and one at the 7-day mark, in their own
language, however often (and by however many schedulers) the warnings job runs."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from partnerhub.auth.actor import Actor
from partnerhub.auth.models import Role
from partnerhub.auth.service import actor_for_user, add_partner_user
from partnerhub.clock import frozen_at
from partnerhub.db import transaction
from partnerhub.delegated_admin.expiry import in_days, queue_expiry_warnings
from partnerhub.delegated_admin.gdap import approve_admin_relationship
from partnerhub.delegated_admin.roles import HELPDESK_ADMINISTRATOR, USER_ADMINISTRATOR
from partnerhub.delegated_admin.templates import renew_relationship
from partnerhub.jobs.registry import REGISTRY
from partnerhub.jobs.runner import enqueue, run_pending
from partnerhub.mail.models import MailStatus, OutboxMail
from partnerhub.mail.outbox import send_due
from tests.conftest import World
from tests.delegated_admin.conftest import active_gdap
from tests.factories import make_customer, make_partner, take_over
from tests.mail.conftest import SmtpServer

START = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
ROLES = [USER_ADMINISTRATOR, HELPDESK_ADMINISTRATOR]
HUB = "https://hub.example"


def _italian_admin(session: Session, world: World) -> None:
    user, password = add_partner_user(
        session,
        world.partner.admin,
        email="giulia@contoso-direct.example",
        roles=[Role.GLOBAL_ADMIN.value],
        display_name="Giulia",
        locale="it",
    )
    take_over(session, user, password)


def _mails(session: Session) -> list[OutboxMail]:
    return list(session.scalars(select(OutboxMail).order_by(OutboxMail.key)))


def test_warnings_go_at_30_and_7_days_to_each_global_admin_in_their_language(session: Session, world: World) -> None:
    _italian_admin(session, world)
    with frozen_at(START) as clock:
        ending = active_gdap(
            session,
            world.partner.admin,
            world.customer_admin,
            customer_id=world.customer_id,
            roles=ROLES,
            duration_days=60,
        ).relationship
        active_gdap(
            session,
            world.partner.admin,
            world.customer_admin,
            customer_id=world.customer_id,
            roles=ROLES,
            duration_days=60,
            auto_extend_days=180,
        )  # extends itself: no warning
        assert queue_expiry_warnings(session, now=START, base_url=HUB) == 0  # 60 days left

        clock.move(timedelta(days=31))  # 29 days left
        assert queue_expiry_warnings(session, now=START + timedelta(days=31), base_url=HUB) == 2
        assert queue_expiry_warnings(session, now=START + timedelta(days=31, hours=1), base_url=HUB) == 0
        by_address = {m.to_address: m for m in _mails(session)}
        english, italian = by_address[world.partner.admin.email], by_address["giulia@contoso-direct.example"]
        assert english.key == f"gdap-expiry:{ending.id}:30:{world.partner.admin.user_id}"
        assert english.subject == "GDAP relationship with Fabrikam Srl ends on 2027-04-30"
        assert "in 29 days" in english.body and f"{HUB}/" in english.body
        assert "User Administrator" in english.body
        assert italian.language == "it"
        assert italian.subject == "La relazione GDAP con Fabrikam Srl termina il 2027-04-30"
        assert italian.body.startswith("Ciao Giulia,") and "tra 29 giorni" in italian.body

        clock.move(timedelta(days=23))  # 6 days left: the 7-day warning
        assert queue_expiry_warnings(session, now=START + timedelta(days=54), base_url=HUB) == 2
        assert Counter(m.key.split(":")[2] for m in _mails(session)) == {"30": 2, "7": 2}


def test_a_relationship_first_seen_within_7_days_gets_only_the_7_day_warning(session: Session, world: World) -> None:
    with frozen_at(START):
        active_gdap(
            session,
            world.partner.admin,
            world.customer_admin,
            customer_id=world.customer_id,
            roles=ROLES,
            duration_days=5,
        )
        assert queue_expiry_warnings(session, now=START, base_url=HUB) == 1
    [mail] = _mails(session)
    assert mail.key.split(":")[2] == "7" and "in 5 days" in mail.body


def test_no_warning_for_another_partners_admins_nor_an_inactive_admin(session: Session, world: World) -> None:
    other_customer = make_customer(session, world.other.admin, name="Tailspin")
    other_customer_admin = actor_for_user(session, other_customer.admin)
    with frozen_at(START):
        active_gdap(
            session,
            world.other.admin,
            other_customer_admin,
            customer_id=other_customer.customer.id,
            roles=ROLES,
            duration_days=20,
        )
        assert queue_expiry_warnings(session, now=START, base_url=HUB) == 1
    assert [m.to_address for m in _mails(session)] == [world.other.admin.email]


def test_the_jobs_queue_and_send_the_warnings_through_smtp(
    fresh_engine: Engine, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARTNERHUB_SMTP_URL", smtp_server.url)
    monkeypatch.setenv("PARTNERHUB_MAIL_FROM", "partnerhub@hub.example")
    monkeypatch.setenv("PARTNERHUB_PUBLIC_URL", HUB)
    with frozen_at(START):
        with transaction(fresh_engine) as session:
            partner = make_partner(session, name="Contoso", domain="contoso.example")
            customer = make_customer(session, partner.admin, name="Fabrikam")
            active_gdap(
                session,
                partner.admin,
                actor_for_user(session, customer.admin),
                customer_id=customer.customer.id,
                roles=ROLES,
                duration_days=10,
            )
        with transaction(fresh_engine) as session:
            enqueue(session, Actor.system("test"), kind="gdap-expiry-warnings", payload={})
        run_pending(fresh_engine, registry=REGISTRY, kinds=["gdap-expiry-warnings"])
        with transaction(fresh_engine) as session:
            enqueue(session, Actor.system("test"), kind="send-mail", payload={})
        run_pending(fresh_engine, registry=REGISTRY, kinds=["send-mail"])
    [got] = smtp_server.received
    assert got.rcpt_tos == [partner.admin.email]
    assert got.message["Subject"] == "GDAP relationship with Fabrikam ends on 2027-03-11"
    assert f"{HUB}/" in got.body
    with transaction(fresh_engine) as session:
        assert [m.status for m in _mails(session)] == [MailStatus.SENT]


def test_two_schedulers_and_two_senders_at_once_send_each_warning_once(
    fresh_engine: Engine, smtp_server: SmtpServer
) -> None:
    with frozen_at(START):
        with transaction(fresh_engine) as session:
            partner = make_partner(session, name="Contoso", domain="contoso.example")
            for n in range(3):
                customer = make_customer(session, partner.admin, name=f"Customer {n}")
                active_gdap(
                    session,
                    partner.admin,
                    actor_for_user(session, customer.admin),
                    customer_id=customer.customer.id,
                    roles=ROLES,
                    duration_days=20 + n,
                )
        expected = 3  # one Global admin, three relationships

        def at_once(work: Callable[[], object]) -> None:
            barrier = threading.Barrier(2)
            errors: list[BaseException] = []

            def run() -> None:
                barrier.wait()
                try:
                    work()
                except BaseException as exc:  # the test reports it below
                    errors.append(exc)

            threads = [threading.Thread(target=run) for _ in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert errors == []

        def schedule() -> None:
            with transaction(fresh_engine) as session:
                queue_expiry_warnings(session, now=START, base_url=HUB)

        at_once(schedule)
        at_once(lambda: send_due(fresh_engine, smtp_server.config, limit=1))
        at_once(lambda: send_due(fresh_engine, smtp_server.config))
    with transaction(fresh_engine) as session:
        mails = _mails(session)
    assert len(mails) == expected and {m.status for m in mails} == {MailStatus.SENT}
    subjects = Counter(r.message["Subject"] for r in smtp_server.received)
    assert len(smtp_server.received) == expected and set(subjects.values()) == {1}


def test_no_warning_once_a_renewal_is_approved(session: Session, world: World) -> None:
    with frozen_at(START):
        old = active_gdap(
            session,
            world.partner.admin,
            world.customer_admin,
            customer_id=world.customer_id,
            roles=ROLES,
            duration_days=20,
        ).relationship
        renewal = renew_relationship(session, world.partner.admin, old.id)
        assert queue_expiry_warnings(session, now=START, base_url=HUB) == 1  # the renewal waits: warn still
        approve_admin_relationship(session, world.customer_admin, admin_relationship_id=renewal.id)
        assert queue_expiry_warnings(session, now=START + timedelta(days=14), base_url=HUB) == 0
    assert [m.key.split(":")[2] for m in _mails(session)] == ["30"]


def test_one_day_left_reads_in_1_day_in_both_languages() -> None:
    assert (in_days(1, "en"), in_days(6, "en")) == ("in 1 day", "in 6 days")
    assert (in_days(1, "it"), in_days(6, "it")) == ("tra 1 giorno", "tra 6 giorni")
