"""The mail outbox: a mail is queued once per key, sent through a real SMTP server after commit, retried with
back-off after a temporary refusal, failed after a permanent one, its secret forgotten once sent; without SMTP
nothing is sent and nothing fails."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from partnerhub.auth.actor import Actor
from partnerhub.clock import frozen_at, utc_now
from partnerhub.errors import Forbidden, InvalidInput
from partnerhub.errors.mail import MailAddressInvalid
from partnerhub.mail.models import REDACTED, MailStatus, OutboxMail
from partnerhub.mail.outbox import MailConfig, list_mails, queue_mail, send_due
from partnerhub.mail.smtp import SmtpUrlInvalid, parse_smtp_url
from tests.conftest import World
from tests.mail.conftest import SmtpServer


def _queue(
    session: Session,
    key: str = "test:1",
    *,
    to: str = "anna@contoso.example",
    secret: bool = False,
    language: str = "it",
) -> OutboxMail | None:
    return queue_mail(
        session,
        key=key,
        kind="test",
        partner_id=None,
        to=to,
        language=language,
        subject="Ciao",
        body="Il corpo del messaggio",
        secret=secret,
    )


def _mail(session: Session, key: str = "test:1") -> OutboxMail:
    session.expire_all()
    mail = session.scalars(select(OutboxMail).where(OutboxMail.key == key)).one()
    return mail


def test_a_mail_is_queued_once_per_key(session: Session) -> None:
    first = _queue(session)
    assert first is not None and first.status == MailStatus.QUEUED
    assert _queue(session) is None
    assert len(session.scalars(select(OutboxMail).where(OutboxMail.key == "test:1")).all()) == 1


def test_a_bad_address_is_refused_and_nothing_is_queued(session: Session) -> None:
    with pytest.raises(MailAddressInvalid):
        _queue(session, to="not an address")
    assert session.scalars(select(OutboxMail)).all() == []


def test_a_queued_mail_goes_out_through_smtp(session: Session, connection: Connection, smtp_server: SmtpServer) -> None:
    _queue(session)
    session.flush()
    assert send_due(connection, smtp_server.config) == {"sent": 1, "failed": 0, "retrying": 0}
    [got] = smtp_server.received
    assert got.rcpt_tos == ["anna@contoso.example"]
    assert (got.message["Subject"], got.message["Content-Language"]) == ("Ciao", "it")
    assert got.message["From"] == "partnerhub@hub.example"
    assert got.body.strip() == "Il corpo del messaggio"
    mail = _mail(session)
    assert (mail.status, mail.attempts, mail.lease_owner) == (MailStatus.SENT, 0, None)
    assert send_due(connection, smtp_server.config)["sent"] == 0  # sent once
    assert len(smtp_server.received) == 1


def test_a_secret_is_forgotten_once_sent(session: Session, connection: Connection, smtp_server: SmtpServer) -> None:
    _queue(session, secret=True)
    session.flush()
    send_due(connection, smtp_server.config)
    assert "Il corpo del messaggio" in smtp_server.received[0].body
    assert _mail(session).body == REDACTED


def test_a_temporary_refusal_is_retried_later(
    session: Session, connection: Connection, smtp_server: SmtpServer
) -> None:
    smtp_server.handler.refuse = ["451 4.3.0 Try again later"]
    with frozen_at(utc_now()) as clock:
        _queue(session, secret=True)
        session.flush()
        assert send_due(connection, smtp_server.config)["retrying"] == 1
        mail = _mail(session)
        assert (mail.status, mail.attempts) == (MailStatus.QUEUED, 1)
        assert mail.last_error is not None and "451" in mail.last_error
        assert mail.next_attempt_at == utc_now() + timedelta(minutes=1)
        assert mail.body != REDACTED  # still to be sent
        assert send_due(connection, smtp_server.config)["sent"] == 0  # not due yet
        clock.move(timedelta(minutes=1))
        assert send_due(connection, smtp_server.config)["sent"] == 1
    assert len(smtp_server.received) == 1
    assert _mail(session).status == MailStatus.SENT


def test_a_permanent_refusal_fails_the_mail_and_forgets_its_secret(
    session: Session, connection: Connection, smtp_server: SmtpServer
) -> None:
    smtp_server.handler.refuse = ["550 5.1.1 No such mailbox"]
    _queue(session, secret=True)
    session.flush()
    assert send_due(connection, smtp_server.config)["failed"] == 1
    mail = _mail(session)
    assert (mail.status, mail.body) == (MailStatus.FAILED, REDACTED)
    assert mail.last_error is not None and "550" in mail.last_error


def test_an_unreachable_server_is_retried(session: Session, connection: Connection) -> None:
    _queue(session)
    session.flush()
    nowhere = MailConfig(smtp=parse_smtp_url("smtp://127.0.0.1:9?timeout=2"), sender="partnerhub@localhost")
    assert send_due(connection, nowhere)["retrying"] == 1
    mail = _mail(session)
    assert (mail.status, mail.attempts) == (MailStatus.QUEUED, 1)
    assert mail.last_error


def test_without_smtp_nothing_is_sent_and_nothing_fails(session: Session, connection: Connection) -> None:
    _queue(session)
    session.flush()
    assert send_due(connection, MailConfig(smtp=None, sender="partnerhub@localhost")) == {
        "sent": 0,
        "failed": 0,
        "notConfigured": 1,
    }
    mail = _mail(session)
    assert (mail.status, mail.attempts, mail.last_error) == (MailStatus.QUEUED, 0, None)


def test_the_operator_sees_the_outbox_and_a_partner_does_not(session: Session, world: World) -> None:
    _queue(session)
    assert [m.key for m in list_mails(session, Actor.system())] == ["test:1"]
    with pytest.raises(Forbidden):
        list_mails(session, world.partner.admin)
    with pytest.raises(InvalidInput):
        list_mails(session, Actor.system(), status="lost")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example:2525", ("mail.example", 2525, None, None, False, False)),
        ("smtps://user%40x:p%3Ass@mail.example", ("mail.example", 465, "user@x", "p:ss", True, False)),
        ("smtp://u:p@mail.example:587?starttls=true", ("mail.example", 587, "u", "p", False, True)),
    ],
)
def test_the_smtp_url_names_server_account_and_tls(url: str, expected: tuple[object, ...]) -> None:
    config = parse_smtp_url(url)
    assert config is not None
    assert (config.host, config.port, config.username, config.password, config.tls, config.starttls) == expected


@pytest.mark.parametrize("url", ["http://mail.example", "smtp://", "smtp://mail.example:port"])
def test_a_wrong_smtp_url_is_refused(url: str) -> None:
    with pytest.raises(SmtpUrlInvalid):
        parse_smtp_url(url)


def test_no_smtp_url_means_no_mail() -> None:
    assert parse_smtp_url("") is None
