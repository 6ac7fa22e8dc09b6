"""The customer tenant's users over HTTP: list, create (the one-time password in that answer only) and
password reset with Partner Center's PATCH, through DAP, GDAP or the customer's own Global admin."""

from __future__ import annotations

from partnerhub.ids import new_id
from tests.api.conftest import Api


def test_a_dap_admin_agent_lists_creates_and_resets(api: Api) -> None:
    partner = api.partner()
    customer_id, _ = api.customer(partner, domain="fabrikam.example")
    users = f"/v1/customers/{customer_id}/users"
    token = partner.tokens["admin_agent"]

    listed = api.call("GET", users, token)
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert body["attributes"] == {"objectType": "Collection"} and body["totalCount"] == 1
    [admin] = body["items"]
    assert admin["userPrincipalName"] == "admin@fabrikam.example"
    assert admin["attributes"] == {"objectType": "CustomerUser"} and "passwordProfile" not in admin

    # as Partner Center clients send it: PascalCase, a password of their own (not used), usage location
    created = api.call(
        "POST",
        users,
        token,
        headers={"MS-RequestId": "user-1"},
        json={
            "UsageLocation": "IT",
            "UserPrincipalName": "mario@fabrikam.example",
            "FirstName": "Mario",
            "LastName": "Bianchi",
            "DisplayName": "Mario Bianchi",
            "PasswordProfile": {"ForceChangePassword": True, "Password": "Password!1"},
            "Attributes": {"ObjectType": "CustomerUser"},
        },
    )
    assert created.status_code == 201, created.text
    user = created.json()
    assert {k: user[k] for k in ("userPrincipalName", "displayName", "userDomainType", "state")} == {
        "userPrincipalName": "mario@fabrikam.example",
        "displayName": "Mario Bianchi",
        "userDomainType": "none",
        "state": "active",
    }
    assert user["attributes"] == {"objectType": "CustomerUser"}
    password = user["passwordProfile"]["password"]
    assert len(password) >= 12 and password != "Password!1"
    assert user["passwordProfile"]["forceChangePassword"] is True  # it works for one sign-in (F1)
    replay = api.call(
        "POST",
        users,
        token,
        headers={"MS-RequestId": "user-1"},
        json={
            "UsageLocation": "IT",
            "UserPrincipalName": "mario@fabrikam.example",
            "FirstName": "Mario",
            "LastName": "Bianchi",
            "DisplayName": "Mario Bianchi",
            "PasswordProfile": {"ForceChangePassword": True, "Password": "Password!1"},
            "Attributes": {"ObjectType": "CustomerUser"},
        },
    )
    assert replay.status_code == 201 and replay.json()["id"] == user["id"] and password not in replay.text
    names = [u["userPrincipalName"] for u in api.call("GET", users, token).json()["items"]]
    assert names == ["admin@fabrikam.example", "mario@fabrikam.example"]
    bare = api.call("POST", users, token, json={"userPrincipalName": "anna", "firstName": "Anna", "lastName": "Rossi"})
    assert bare.status_code == 201 and bare.json()["userPrincipalName"] == "anna@fabrikam.example"
    assert bare.json()["displayName"] == "Anna Rossi"

    reset = api.call(
        "PATCH",
        f"{users}/{user['id']}",
        token,
        json={
            "passwordProfile": {"password": "ignored", "forceChangePassword": True},
            "attributes": {"objectType": "CustomerUser"},
        },
    )
    assert reset.status_code == 200, reset.text
    new_password = reset.json()["passwordProfile"]["password"]
    assert new_password not in (password, "ignored") and reset.json()["id"] == user["id"]
    by_name = api.call("PATCH", f"{users}/mario@fabrikam.example", token, json={"passwordProfile": {}})
    assert by_name.status_code == 200


def test_customer_user_refusals(api: Api) -> None:
    partner = api.partner()
    customer_id, customer_token = api.customer(partner, domain="contoso-it.example")
    users = f"/v1/customers/{customer_id}/users"
    token = partner.token
    assert api.call("POST", users, token, json={"displayName": "No name"}).json()["data"][0]["field"] == (
        "userPrincipalName"
    )
    wrong_domain = api.call("POST", users, token, json={"userPrincipalName": "eve@elsewhere.example"})
    assert wrong_domain.status_code == 400 and wrong_domain.json()["code"] == 800217
    api.call("POST", users, token, json={"userPrincipalName": "luca"})
    assert api.call("POST", users, token, json={"userPrincipalName": "luca"}).status_code == 409
    bad_profile = api.call("POST", users, token, json={"userPrincipalName": "x", "passwordProfile": "secret"})
    assert bad_profile.status_code == 400 and bad_profile.json()["data"][0]["field"] == "passwordProfile"
    no_profile = api.call("PATCH", f"{users}/luca@contoso-it.example", token, json={"displayName": "Luca"})
    assert no_profile.status_code == 400 and no_profile.json()["data"][0]["field"] == "passwordProfile"
    missing = api.call("PATCH", f"{users}/{new_id()}", token, json={"passwordProfile": {}})
    assert missing.status_code == 404 and missing.json()["code"] == 606

    # Helpdesk agents (DAP: Helpdesk Administrator) read and reset, but neither create nor reset a Global admin
    helpdesk = partner.tokens["helpdesk_agent"]
    assert api.call("GET", users, helpdesk).status_code == 200
    assert api.call("POST", users, helpdesk, json={"userPrincipalName": "no"}).status_code == 403
    assert (
        api.call("PATCH", f"{users}/luca@contoso-it.example", helpdesk, json={"passwordProfile": {}}).status_code == 200
    )
    refused = api.call("PATCH", f"{users}/admin@contoso-it.example", helpdesk, json={"passwordProfile": {}})
    assert refused.status_code == 403 and refused.json()["code"] == 800216
    sales = api.call("GET", users, partner.tokens["sales_agent"])
    assert sales.status_code == 403 and sales.json()["code"] == 800215

    # the customer's own Global admin administers its tenant
    assert api.call("POST", users, customer_token, json={"userPrincipalName": "giulia"}).status_code == 201
    # without DAP, the partner has no say in the tenant
    no_dap_id, _ = api.customer(partner, dap=False)
    assert api.call("GET", f"/v1/customers/{no_dap_id}/users", token).status_code == 403
    assert api.call("GET", f"/v1/customers/{new_id()}/users", token).status_code == 404
    stranger = api.partner()
    foreign = api.call("GET", users, stranger.token)
    assert foreign.status_code == 404 and foreign.json()["code"] == 600
    assert api.call("GET", users).status_code == 401
