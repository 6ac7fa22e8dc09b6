"""The store behind MS-RequestId: answers kept per user with secrets redacted, at least a day, then purged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from partnerhub.clock import utc_now
from partnerhub.errors import IdempotencyKeyReused
from partnerhub.idempotency.service import (
    REDACTED,
    find_answer,
    fingerprint,
    purge_answers,
    redact,
    store_answer,
)


def test_secrets_are_redacted_at_any_depth() -> None:
    answer = {
        "id": "c1",
        "userCredentials": {"userName": "admin@x.example", "password": "S3cret!"},
        "items": [{"Token": "ph_abc"}],
        "links": {"next": {"headers": [{"key": "k", "value": "v"}]}},
    }
    assert redact(answer) == {
        "id": "c1",
        "userCredentials": {"userName": "admin@x.example", "password": REDACTED},
        "items": [{"Token": REDACTED}],
        "links": {"next": {"headers": [{"key": "k", "value": "v"}]}},
    }


def test_the_fingerprint_ignores_whitespace_but_not_content() -> None:
    assert fingerprint("POST", "/v1/x", b'{"a": 1}') == fingerprint("post", "/v1/x", b'{"a":1}')
    assert fingerprint("POST", "/v1/x", b'{"a": 1}') != fingerprint("POST", "/v1/x", b'{"a": 2}')
    assert fingerprint("POST", "/v1/x", b'{"a": 1}') != fingerprint("POST", "/v1/y", b'{"a": 1}')


def test_answers_are_kept_a_day_per_user_then_purged(session: Session) -> None:
    now = utc_now()
    fp = fingerprint("POST", "/v1/customers", b"{}")
    store_answer(
        session,
        user_id="u1",
        request_id="r1",
        fingerprint=fp,
        status_code=201,
        body={"id": "a"},
        now=now - timedelta(hours=25),
    )
    store_answer(
        session,
        user_id="u1",
        request_id="r2",
        fingerprint=fp,
        status_code=400,
        body={"code": 900},
        now=now - timedelta(hours=23),
    )
    replay = find_answer(session, user_id="u1", request_id="r2", fingerprint=fp)
    assert replay is not None and (replay.status_code, replay.body) == (400, {"code": 900})
    assert find_answer(session, user_id="u2", request_id="r2", fingerprint=fp) is None
    with pytest.raises(IdempotencyKeyReused):
        find_answer(session, user_id="u1", request_id="r2", fingerprint=fingerprint("POST", "/v1/other", b"{}"))
    with pytest.raises(ValueError, match="5xx"):
        store_answer(session, user_id="u1", request_id="r3", fingerprint=fp, status_code=500, body={})
    assert purge_answers(session, now=now, keep=timedelta(minutes=1)) == 1  # never less than 24 hours
    assert find_answer(session, user_id="u1", request_id="r1", fingerprint=fp) is None
    assert find_answer(session, user_id="u1", request_id="r2", fingerprint=fp) is not None
