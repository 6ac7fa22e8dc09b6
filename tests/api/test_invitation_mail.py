"""Invitations sent by e-mail: with `sendEmailTo`, the new invitation's e-mail (in the customer's language, with
its single-use link) goes through the mail outbox to that address, and the outbox forgets its text once sent.
Without a mail server, or with a wrong address, the request is refused and nothing is made."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import select

from partnerhub.db import read_session
from partnerhub.mail.models import REDACTED, MailStatus, OutboxMail
from partnerhub.mail.outbox import send_due
from tests.activity import activity
from tests.api.conftest import Api
from tests.mail.conftest import SmtpServer, running_smtp_server

INVITE = "/v1/relationshiprequests"


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    with running_smtp_server() as server:
        yield server


def test_the_invitation_goes_by_mail_and_its_text_is_forgotten_once_sent(
    make_api: Callable[..., Api], smtp_server: SmtpServer
) -> None:
    api = make_api(smtp_url=smtp_server.url, mail_from="partnerhub@hub.example")
    partner = api.partner()
    answer = api.call("POST", INVITE, partner.token, json={"language": "it", "sendEmailTo": "admin@fabrikam.example"})
    assert answer.status_code == 201, answer.text
    created = answer.json()
    assert created["emailSentTo"] == "admin@fabrikam.example"

    assert send_due(api.engine, smtp_server.config)["sent"] == 1
    [got] = smtp_server.received
    assert got.rcpt_tos == ["admin@fabrikam.example"]
    assert got.message["Content-Language"] == "it"
    assert f"{got.subject}\n\n{got.body.rstrip()}" == created["emailText"].rstrip()
    assert created["url"] in got.body

    with read_session(api.engine) as session:
        mail = session.scalars(select(OutboxMail).where(OutboxMail.key == f"invitation:{created['id']}")).one()
        assert (mail.status, mail.body) == (MailStatus.SENT, REDACTED)
        assert created["code"] not in mail.body
        [record] = activity(session, operation="send_relationship_request_email", resource_id=created["id"])
    assert record.new_value is not None
    assert (record.new_value["to"], record.new_value["mailId"]) == ("admin@fabrikam.example", mail.id)
    assert created["code"] not in str(record.new_value)


def test_without_a_mail_server_the_request_is_refused_and_nothing_is_made(api: Api) -> None:
    partner = api.partner()
    answer = api.call(
        "POST", INVITE, partner.token, json={"sendEmailTo": "admin@fabrikam.example"}, headers={"X-Locale": "it"}
    )
    assert answer.status_code in (400, 409), answer.text
    assert answer.json()["code"] == 800760
    assert "PARTNERHUB_SMTP_URL" in answer.json()["description"]
    assert api.call("GET", INVITE, partner.token).json()["items"] == []


def test_a_wrong_address_is_refused_and_nothing_is_made(make_api: Callable[..., Api], smtp_server: SmtpServer) -> None:
    api = make_api(smtp_url=smtp_server.url)
    partner = api.partner()
    answer = api.call("POST", INVITE, partner.token, json={"sendEmailTo": "fabrikam admin"})
    assert answer.status_code == 400, answer.text
    assert answer.json()["code"] == 800761
    assert api.call("GET", INVITE, partner.token).json()["items"] == []
    with read_session(api.engine) as session:
        assert session.scalars(select(OutboxMail)).all() == []
