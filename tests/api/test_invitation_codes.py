"""Invitation codes over HTTP (F10): shown once, stored as hashes; resend and revoke a tracked invitation;
the partner's reusable link stays retrievable (Partner Center's GET) and rotates (our extension)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text

from partnerhub.audit.models import ActivityRecord
from partnerhub.db import read_session
from tests.api.conftest import Api, ApiPartner

LINK = "/v1/customers/relationshiprequests"


def _link_code(api: Api, partner: ApiPartner) -> str:
    answer = api.call("GET", LINK, partner.token)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["url"].rsplit("/", 1)[1])


def _dump(api: Api) -> list[str]:
    with read_session(api.engine) as session:
        return [
            str(v)
            for table in ("relationship_requests", "partners")
            for row in session.execute(text(f"SELECT * FROM {table}"))  # noqa: S608 - fixed table names
            for v in row
            if isinstance(v, str)
        ]


def _operations(api: Api, operation: str) -> list[ActivityRecord]:
    with read_session(api.engine) as session:
        return list(session.scalars(select(ActivityRecord).where(ActivityRecord.operation_type == operation)))


def test_a_dump_of_the_tables_holds_no_code_that_accepts(api: Api) -> None:
    partner = api.partner()
    _, customer_token = api.customer(api.partner())
    created = api.call("POST", "/v1/relationshiprequests", partner.token, json={}).json()
    link_code = _link_code(api, partner)
    dumped = _dump(api)
    assert created["code"] not in " ".join(dumped) and link_code not in " ".join(dumped)
    for value in dumped:
        if "/" not in value and value.strip():
            refused = api.call("POST", f"/v1/relationshiprequests/{value}/accept", customer_token)
            assert refused.status_code == 404, (value, refused.text)
    accepted = api.call("POST", f"/v1/relationshiprequests/{created['code']}/accept", customer_token)
    assert accepted.status_code == 200, accepted.text


def test_the_code_is_shown_once_and_the_list_says_how_to_get_a_new_one(api: Api) -> None:
    partner = api.partner()
    created = api.call("POST", "/v1/relationshiprequests", partner.token, json={})
    assert created.status_code == 201 and created.json()["url"].endswith("/" + created.json()["code"])
    for role in ("admin", "admin_agent", "sales_agent", "helpdesk_agent"):
        listed = api.call("GET", "/v1/relationshiprequests", partner.tokens[role])
        [item] = listed.json()["items"]
        assert created.json()["code"] not in listed.text and "code" not in item and "url" not in item
        if role == "helpdesk_agent":
            assert "links" not in item
        else:
            assert item["links"]["resend"] == {
                "uri": f"/v1/relationshiprequests/{item['id']}/resend",
                "method": "POST",
                "headers": [],
            }


def test_resend_answers_a_new_code_and_the_old_one_stops_working(api: Api) -> None:
    partner = api.partner()
    _, customer_token = api.customer(api.partner())
    first = api.call(
        "POST",
        "/v1/relationshiprequests",
        partner.tokens["sales_agent"],
        json={"includeDelegatedAdmin": True, "language": "it"},
    ).json()
    resent = api.call("POST", f"/v1/relationshiprequests/{first['id']}/resend", partner.tokens["sales_agent"])
    assert resent.status_code == 201, resent.text
    again = resent.json()
    assert set(again) == set(first)  # the same shape as create
    assert again["id"] != first["id"] and again["code"] != first["code"] and again["status"] == "sent"
    assert again["includeDelegatedAdmin"] is True and again["language"] == "it"
    assert again["url"] in again["emailText"] and "Gentile cliente" in again["emailText"]
    old = api.call("POST", f"/v1/relationshiprequests/{first['code']}/accept", customer_token)
    assert old.status_code == 400 and old.json()["code"] == 800111, old.text  # revoked
    new = api.call("POST", f"/v1/relationshiprequests/{again['code']}/accept", customer_token)
    assert new.status_code == 200, new.text
    listed = api.call("GET", "/v1/relationshiprequests", partner.token).json()["items"]
    statuses = {i["id"]: i["status"] for i in listed}
    assert statuses == {first["id"]: "revoked", again["id"]: "accepted"}
    [resend] = _operations(api, "resend_relationship_request")
    assert resend.resource_id == again["id"] and resend.old_value == {
        "relationshipRequestId": first["id"],
        "status": "sent",
    }
    refused = api.call("POST", f"/v1/relationshiprequests/{again['id']}/resend", partner.token)
    assert refused.status_code == 400 and refused.json()["code"] == 800115  # accepted: not resent


def test_a_replayed_resend_answers_without_the_code(api: Api) -> None:
    partner = api.partner()
    first = api.call("POST", "/v1/relationshiprequests", partner.token, json={}).json()
    headers = {"MS-RequestId": "resend-1"}
    path = f"/v1/relationshiprequests/{first['id']}/resend"
    resent = api.call("POST", path, partner.token, headers=headers)
    replay = api.call("POST", path, partner.token, headers=headers)
    assert replay.status_code == 201 and replay.json()["id"] == resent.json()["id"]
    assert resent.json()["code"] not in replay.text and replay.json()["code"].startswith("<redacted")


def test_revoke_over_the_api(api: Api) -> None:
    partner = api.partner()
    _, customer_token = api.customer(api.partner())
    created = api.call("POST", "/v1/relationshiprequests", partner.token, json={}).json()
    helpdesk = api.call("POST", f"/v1/relationshiprequests/{created['id']}/revoke", partner.tokens["helpdesk_agent"])
    assert helpdesk.status_code == 403
    stranger = api.partner()
    foreign = api.call("POST", f"/v1/relationshiprequests/{created['id']}/revoke", stranger.token)
    assert foreign.status_code == 404 and foreign.json()["code"] == 605
    revoked = api.call("POST", f"/v1/relationshiprequests/{created['id']}/revoke", partner.tokens["admin_agent"])
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["status"] == "revoked" and "code" not in revoked.json() and "links" not in revoked.json()
    again = api.call("POST", f"/v1/relationshiprequests/{created['id']}/revoke", partner.token)
    assert again.status_code == 400 and again.json()["code"] == 800115
    assert api.call("POST", f"/v1/relationshiprequests/{created['code']}/accept", customer_token).status_code == 400
    assert len(_operations(api, "revoke_relationship_request")) == 1


def test_the_partner_link_keeps_partner_centers_shape_and_rotates(api: Api) -> None:
    partner = api.partner()
    _, customer_token = api.customer(api.partner())
    link = api.call("GET", LINK, partner.tokens["sales_agent"])
    assert link.json() == {"url": link.json()["url"], "attributes": {"objectType": "RelationshipRequest"}}
    old = _link_code(api, partner)
    assert _link_code(api, partner) == old  # retrievable on every GET
    rotated = api.call("POST", f"{LINK}/rotate", partner.tokens["admin_agent"])
    assert rotated.status_code == 200, rotated.text
    assert set(rotated.json()) == {"url", "attributes"}
    new = rotated.json()["url"].rsplit("/", 1)[1]
    assert new != old and _link_code(api, partner) == new
    gone = api.call("POST", f"/v1/relationshiprequests/{old}/accept", customer_token)
    assert gone.status_code == 404, gone.text
    works = api.call("POST", f"/v1/relationshiprequests/{new}/accept", customer_token)
    assert works.status_code == 200, works.text
    [record] = _operations(api, "rotate_partner_invitation_link")
    assert record.partner_id == partner.partner_id and new not in str(record.new_value)


def test_helpdesk_and_sales_agents_cannot_rotate_and_helpdesk_cannot_see_the_link(api: Api) -> None:
    partner = api.partner()
    before = _link_code(api, partner)
    for role in ("sales_agent", "helpdesk_agent"):
        refused = api.call("POST", f"{LINK}/rotate", partner.tokens[role])
        assert refused.status_code == 403, refused.text
    assert api.call("GET", LINK, partner.tokens["helpdesk_agent"]).status_code == 403
    _, customer_token = api.customer(partner)
    assert api.call("POST", f"{LINK}/rotate", customer_token).status_code == 403
    assert _link_code(api, partner) == before
    assert _operations(api, "rotate_partner_invitation_link") == []


def test_a_replayed_rotation_answers_without_the_link(api: Api) -> None:
    partner = api.partner()
    headers = {"MS-RequestId": "rotate-1"}
    first = api.call("POST", f"{LINK}/rotate", partner.token, headers=headers)
    replay = api.call("POST", f"{LINK}/rotate", partner.token, headers=headers)
    assert replay.status_code == 200 and first.json()["url"] not in replay.text
    assert _link_code(api, partner) == first.json()["url"].rsplit("/", 1)[1]  # rotated once


def test_the_new_routes_are_marked_as_extensions(api: Api) -> None:
    spec: dict[str, Any] = api.client.get("/openapi.json").json()
    for path in (
        f"{LINK}/rotate",
        "/v1/relationshiprequests/{invitation_id}/resend",
        "/v1/relationshiprequests/{invitation_id}/revoke",
    ):
        operation = spec["paths"][path]["post"]
        assert "partnerhub extension" in operation["description"], path
