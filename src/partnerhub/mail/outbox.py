"""The mail outbox: queue a mail in the caller's transaction (once per key), and send what is due after
commit, each mail held by one sender at a time.

- **Once per key.** `queue_mail` inserts under a unique key inside a savepoint: two schedulers queueing the
  same warning at once write one row; the second finds the key taken (or hits the unique constraint) and
  queues nothing.
- **Sending** claims due mails with a lease (`SKIP LOCKED` on PostgreSQL; SQLite's writers take turns),
  talks to the SMTP server outside any transaction, and writes the outcome with a guard on the lease. A
  sender that dies mid-send leaves the lease to expire and the mail is sent again (at least once).
- **Retries** after a temporary failure: 1 min, 5 min, 30 min, 2 h, 6 h, 12 h, then the mail is failed.
  A 5xx refusal fails it at once. The operator sees every mail, its attempts and last error
  (`partnerhub operator mail`).
- **Without SMTP** (`PARTNERHUB_SMTP_URL` unset) nothing is sent and nothing fails: mails stay queued, and
  the listing says that mail is not configured."""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import Connection, Engine, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from partnerhub.auth.actor import Actor
from partnerhub.clock import utc_now
from partnerhub.db import read_session, transaction
from partnerhub.errors import InvalidInput
from partnerhub.errors.mail import MailAddressInvalid
from partnerhub.ids import new_id
from partnerhub.locale import normalize_locale
from partnerhub.mail.models import MailStatus, OutboxMail
from partnerhub.mail.smtp import SmtpConfig, build_message, is_permanent, send_message

log = logging.getLogger("partnerhub.mail")

RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
    timedelta(hours=12),
)
LEASE = timedelta(minutes=2)
Bind = Engine | Connection
Sender = Callable[[SmtpConfig, EmailMessage], None]


def is_mail_address(address: str) -> bool:
    local, at, domain = address.partition("@")
    return bool(
        at and local and "." in domain and len(address) <= 320 and not any(c.isspace() or c in '<>,;"' for c in address)
    )


def require_mail_address(address: str) -> str:
    address = address.strip()
    if not is_mail_address(address):
        raise MailAddressInvalid(address=address[:100])
    return address


def queue_mail(
    session: Session,
    *,
    key: str,
    kind: str,
    partner_id: str | None,
    to: str,
    language: str,
    subject: str,
    body: str,
    secret: bool = False,
    now: datetime | None = None,
) -> OutboxMail | None:
    """Queue one mail in the caller's transaction, unless a mail with `key` exists already (then None)."""
    if session.scalar(select(OutboxMail.id).where(OutboxMail.key == key)) is not None:
        return None
    now = now or utc_now()
    mail = OutboxMail(
        id=new_id(),
        key=key,
        kind=kind,
        partner_id=partner_id,
        to_address=require_mail_address(to),
        language=normalize_locale(language),
        subject=subject[:300],
        body=body,
        is_secret=secret,
        status=MailStatus.QUEUED,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    try:
        with session.begin_nested():  # another transaction queued the same key meanwhile: it wins
            session.add(mail)
            session.flush()
    except IntegrityError:
        return None
    return mail


def retry_delay(attempts: int) -> timedelta | None:
    """How long after failed attempt number `attempts` (1 = the first) the next comes; None: no more."""
    return RETRY_DELAYS[attempts - 1] if attempts <= len(RETRY_DELAYS) else None


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


@dataclass(frozen=True)
class Claimed:
    id: str
    to: str
    subject: str
    body: str
    language: str


def _due(now: datetime):  # type: ignore[no-untyped-def]
    return (
        OutboxMail.status == MailStatus.QUEUED,
        OutboxMail.next_attempt_at <= now,
        or_(OutboxMail.lease_expires_at.is_(None), OutboxMail.lease_expires_at < now),
    )


def claim_due(bind: Bind, owner: str, *, limit: int = 50, lease: timedelta = LEASE) -> list[Claimed]:
    """Hold up to `limit` due mails for `lease`; a mail another sender holds is skipped."""
    now = utc_now()
    with read_session(bind) as session:  # an idle sender's poll takes no write lock
        if session.scalar(select(OutboxMail.id).where(*_due(now)).limit(1)) is None:
            return []
    with transaction(bind) as session:
        stmt = select(OutboxMail.id).where(*_due(now)).order_by(OutboxMail.created_at, OutboxMail.id).limit(limit)
        if session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        ids = list(session.scalars(stmt))
        if not ids:
            return []
        session.execute(
            update(OutboxMail)
            .where(OutboxMail.id.in_(ids), *_due(now))
            .values(lease_owner=owner, lease_expires_at=now + lease)
            .execution_options(synchronize_session=False)
        )
        rows = session.execute(
            select(OutboxMail.id, OutboxMail.to_address, OutboxMail.subject, OutboxMail.body, OutboxMail.language)
            .where(OutboxMail.id.in_(ids), OutboxMail.lease_owner == owner)
            .order_by(OutboxMail.created_at, OutboxMail.id)
        ).all()
    return [Claimed(r.id, r.to_address, r.subject, r.body, r.language) for r in rows]


def settle(bind: Bind, claimed: Claimed, owner: str, error: Exception | None) -> str | None:
    """Write the outcome of one attempt; None if another sender took the mail over meanwhile."""
    now = utc_now()
    with transaction(bind) as session:
        mail = session.scalars(
            select(OutboxMail).where(OutboxMail.id == claimed.id, OutboxMail.lease_owner == owner).with_for_update()
        ).first()
        if mail is None:
            return None
        mail.lease_owner = mail.lease_expires_at = None
        if error is None:
            mail.sent(now=now)
        else:
            retry = None if is_permanent(error) else retry_delay(mail.attempts + 1)
            mail.failed(f"{type(error).__name__}: {error}", now=now, retry_in=retry)
        return mail.status


@dataclass(frozen=True)
class MailConfig:
    """What sending needs: the SMTP server (None: not configured) and the sender's address."""

    smtp: SmtpConfig | None
    sender: str


def send_due(
    bind: Bind, config: MailConfig, *, owner: str | None = None, limit: int = 50, send: Sender = send_message
) -> dict[str, int]:
    """Send the mails that are due; returns how many were sent and failed (and, without SMTP, how many wait)."""
    if config.smtp is None:
        with read_session(bind) as session:
            waiting = (
                session.scalar(
                    select(func.count()).select_from(OutboxMail).where(OutboxMail.status == MailStatus.QUEUED)
                )
                or 0
            )
        return {"sent": 0, "failed": 0, "notConfigured": int(waiting)}
    owner = owner or worker_id()
    counts = {"sent": 0, "failed": 0, "retrying": 0}
    for claimed in claim_due(bind, owner, limit=limit):
        message = build_message(
            sender=config.sender, to=claimed.to, subject=claimed.subject, body=claimed.body, language=claimed.language
        )
        error: Exception | None = None
        try:
            send(config.smtp, message)
        except Exception as exc:  # any failure of one mail is recorded on it; the others go on
            log.warning("mail %s to %s was not accepted: %s", claimed.id, claimed.to, exc)
            error = exc
        status = settle(bind, claimed, owner, error)
        if status == MailStatus.SENT:
            counts["sent"] += 1
        elif status == MailStatus.FAILED:
            counts["failed"] += 1
        elif status == MailStatus.QUEUED:
            counts["retrying"] += 1
    return counts


def list_mails(session: Session, actor: Actor, *, status: str | None = None, limit: int = 100) -> list[OutboxMail]:
    """The outbox as the operator sees it, newest first: what was sent, what waits and why, what failed."""
    actor.require_operator("list outgoing mail")
    if status and status not in tuple(MailStatus):
        raise InvalidInput(detail=f"status must be one of: {', '.join(MailStatus)}")
    stmt = select(OutboxMail).order_by(OutboxMail.created_at.desc(), OutboxMail.id).limit(limit)
    if status:
        stmt = stmt.where(OutboxMail.status == status)
    return list(session.scalars(stmt))
