"""Invitation codes are bearer secrets (F10): kept out of stored idempotent answers."""

from __future__ import annotations

import json

from sqlalchemy import select

from partnerhub.db import read_session
from partnerhub.idempotency.models import StoredAnswer
from tests.api.conftest import Api


def test_a_stored_invitation_answer_keeps_neither_its_code_nor_its_link(api: Api) -> None:
    # invitation codes are bearer secrets: only the first answer shows them, never the stored copy
    partner = api.partner()
    created = api.call("POST", "/v1/relationshiprequests", partner.token, headers={"MS-RequestId": "inv-1"}, json={})
    assert created.status_code == 201, created.text
    code = created.json()["code"]
    with read_session(api.engine) as session:
        stored = session.scalars(select(StoredAnswer).where(StoredAnswer.request_id == "inv-1")).one()
    assert code not in json.dumps(stored.body)
    replay = api.call("POST", "/v1/relationshiprequests", partner.token, headers={"MS-RequestId": "inv-1"}, json={})
    assert replay.status_code == 201 and code not in replay.text


def test_a_helpdesk_agent_lists_invitations_without_their_codes_or_links(api: Api) -> None:
    # a Helpdesk agent cannot invite, so it must not hold the bearer secrets either
    partner = api.partner()
    created = api.call("POST", "/v1/relationshiprequests", partner.token, json={})
    code = created.json()["code"]
    listed = api.call("GET", "/v1/relationshiprequests", partner.tokens["helpdesk_agent"])
    assert listed.status_code == 200
    [item] = listed.json()["items"]
    assert item["id"] == created.json()["id"] and code not in listed.text
    assert "code" not in item and "url" not in item
    # nobody sees a code again, not even the roles that may invite: they resend for a new one
    assert code not in api.call("GET", "/v1/relationshiprequests", partner.tokens["sales_agent"]).text
