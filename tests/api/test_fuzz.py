"""Property-based run over the API's own OpenAPI schema (`GET /openapi.json`, every operation, including those
added later): schemathesis generates the path and query parameters, hypothesis adds real ids of both partners,
JSON bodies built from the API's field names, malformed bodies and the convention headers; every request is
partner A's. Each answer must be: no 5xx; nothing of partner B's (its customers' names and domains always,
its ids unless A itself had sent them); every 4xx the `{code, description, data, source}` body (Graph's
`{"error": {code, message, innerError}}` under /v1/tenantRelationships).

By default a repeatable run of 25 examples per operation on SQLite and 8 on PostgreSQL (see EXAMPLES);
`PARTNERHUB_FUZZ_EXAMPLES=500 pytest tests/api/test_fuzz.py` is the randomized full-scale run."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.schemas import APIOperation

from partnerhub.auth.service import create_token
from partnerhub.db import transaction
from partnerhub.http.app import create_app
from partnerhub.invitations.service import create_invitation
from partnerhub.runtime import Runtime
from partnerhub.settings import Settings
from tests.api.conftest import Api
from tests.factories import M365_BASIC, M365_E3, TEAMS_PHONE_ADDON, buy, make_customer, make_partner

# Examples per operation. PostgreSQL costs about four times SQLite per request, so by default it runs fewer
# (its own class of failures, such as a NUL in text, shows up in the first examples); the environment
# variable sets both, and makes the run randomized rather than repeatable.
DETERMINISTIC = "PARTNERHUB_FUZZ_EXAMPLES" not in os.environ
EXAMPLES = {
    "sqlite": int(os.environ.get("PARTNERHUB_FUZZ_EXAMPLES", "25")),
    "postgresql": int(os.environ.get("PARTNERHUB_FUZZ_EXAMPLES", "8")),
}
B_NAMES = ("Zeta Hidden Holdings", "zeta-hidden.example", "Omega Riservata Spa", "omega-riservata.example")
WRITES = ("POST", "PUT", "PATCH")
# The words of the API's request bodies (every router's), so generated bodies reach past "unknown field".
FIELDS = (
    "companyProfile",
    "billingProfile",
    "defaultAddress",
    "domain",
    "companyName",
    "firstName",
    "lastName",
    "email",
    "culture",
    "language",
    "country",
    "city",
    "state",
    "addressLine1",
    "postalCode",
    "phoneNumber",
    "relationshipToPartner",
    "allowDelegatedAccess",
    "associatedPartnerId",
    "attributes",
    "etag",
    "status",
    "quantity",
    "friendlyName",
    "autoRenewEnabled",
    "lineItems",
    "offerId",
    "billingCycle",
    "termDuration",
    "parentSubscriptionId",
    "partnerIdOnRecord",
    "lineItemNumber",
    "currencyCode",
    "customerId",
    "includeDelegatedAdmin",
    "indirectResellerId",
    "validDays",
    "customerIds",
    "cancelReservations",
    "dryRun",
    "displayName",
    "duration",
    "autoExtendDuration",
    "customer",
    "tenantId",
    "accessDetails",
    "unifiedRoles",
    "roleDefinitionId",
    "action",
    "accessContainer",
    "accessContainerId",
    "accessContainerType",
    "id",
    "name",
    "userPrincipalName",
    "password",
    "usageLocation",
    "roles",
    "resellerId",
    "providerId",
    "partnerId",
    "organizationRegistrationNumber",
    "forceChangePassword",
    "passwordProfile",
    "mpnId",
    "resellerMpnId",
    "searchPrefix",
    "securityGroup",
    "supportMpnId",
    "supportTenantId",
    "value",
    "field",
    "operator",
)
ENUM_WORDS = (
    "none",
    "reseller",
    "active",
    "suspended",
    "deleted",
    "monthly",
    "annual",
    "P1M",
    "P1Y",
    "approve",
    "lockForApproval",
    "terminate",
    "it",
    "en",
    "IT",
    "true",
    "false",
    "",
    " ",
    "null",
    M365_BASIC,
)


# Hostile input of the security review (F8): a lone surrogate, text longer than its column, NUL, CR/LF.
HOSTILE_STRINGS = ("\ud800", "Ada\udfff", "x" * 230, "Fab\x00rikam", "a@example.com\r\nBcc: b@example.com")
DEEP_BODIES = (b"[" * 1000 + b"]" * 1000, b'{"a":' * 1000 + b"1" + b"}" * 1000)


def _nested_deep(body: bytes) -> bytes:
    """A body whose first value is nested about 1,000 deep."""
    return body.replace(b":", b":" + b"[" * 1000, 1) + b"]" * 1000 if b":" in body else b"[" * 1000 + b"]" * 1000


@dataclass
class Seeded:
    api: Api
    token: str
    ids: dict[str, list[str]]
    b_ids: set[str]
    owned: list[dict[str, str]]  # path parameters that belong together: A's customer, subscription, order
    sent: set[str] = field(default_factory=set)  # every id partner A has put in a request so far


def _served_operations() -> list[str]:
    spec = create_app(Runtime(Settings(database_url="sqlite://", secret_key="fuzz")), start_worker=False).openapi()
    return [f"{method.upper()} {path}" for path, item in spec["paths"].items() for method in item]


OPERATIONS = _served_operations()


@pytest.fixture
def seeded(make_api: Callable[..., Api]) -> Seeded:
    """Partner B's customers, subscriptions and orders first, then partner A's, and A's admin token."""
    api = make_api(rate_limit_per_minute=0)
    ids: dict[str, list[str]] = {"customer": [], "subscription": [], "order": [], "partner": [], "code": []}
    b_ids: set[str] = set()
    owned: list[dict[str, str]] = []
    with transaction(api.engine) as session:
        b = make_partner(session, name="Partner B Confidential", domain="partner-b.example")
        a = make_partner(session, name="Partner A", domain="partner-a.example")
        for owner, names in ((b, B_NAMES), (a, ("Alfa Srl", "alfa.example", "Beta Spa", "beta.example"))):
            for name, domain in zip(names[::2], names[1::2], strict=True):
                customer = make_customer(session, owner.admin, name=name, domain=domain).customer
                parent = buy(session, owner.admin, customer.id, M365_E3)
                subs = [
                    parent,
                    buy(session, owner.admin, customer.id, M365_BASIC),
                    buy(session, owner.admin, customer.id, TEAMS_PHONE_ADDON, 1, parent_id=parent.id),
                ]
                new = [customer.id, *(s.id for s in subs), *(s.order_id for s in subs)]
                ids["customer"].append(customer.id)
                ids["subscription"] += [s.id for s in subs]
                ids["order"] += [s.order_id for s in subs]
                if owner is b:
                    b_ids.update(new)
                else:
                    owned += [
                        {"customer_id": customer.id, "subscription_id": sub.id, "order_id": sub.order_id}
                        for sub in subs
                    ]
        ids["partner"] += [a.partner_id, b.partner_id]
        invitation = create_invitation(
            session,
            a.admin,
            base_url="https://partnerhub.example",
            customer_id=None,
            language="it",
            include_delegated_admin=True,
            indirect_reseller_id=None,
            valid_days=30,
        )
        ids["code"].append(invitation.code)
        token = create_token(session, a.admin).token
    b_ids.add(b.partner_id)
    return Seeded(api, token, ids, b_ids, owned)


def _json_values() -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**63), 2**63),
        st.floats(allow_nan=False),
        st.sampled_from(ENUM_WORDS),
        st.text(max_size=60),
        st.sampled_from(HOSTILE_STRINGS),
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(FIELDS), inner, max_size=6)
        ),
        max_leaves=20,
    )


def _templates(seeded: Seeded, method: str, path: str) -> list[Any]:
    """Well-formed requests (those of this operation first), so that their mutations get past the first
    validation and reach the services."""
    customer = {
        "companyProfile": {"domain": "fuzzed.example", "companyName": "Fuzzed Srl"},
        "billingProfile": {
            "firstName": "Ada",
            "lastName": "Rossi",
            "email": "ada@fuzzed.example",
            "culture": "it-IT",
            "language": "it",
            "companyName": "Fuzzed Srl",
            "defaultAddress": {"country": "IT", "city": "Milano", "addressLine1": "Via Roma 1", "postalCode": "20100"},
        },
    }
    bodies = [
        customer,
        customer["billingProfile"],
        {"relationshipToPartner": "none"},
        {"allowDelegatedAccess": False},
        {"status": "suspended"},
        {"status": "active"},
        {"quantity": 7},
        {"friendlyName": "x", "autoRenewEnabled": True},
        {"lineItems": [{"lineItemNumber": 0, "offerId": M365_BASIC, "quantity": 3}], "billingCycle": "monthly"},
        {
            "lineItems": [
                {
                    "offerId": TEAMS_PHONE_ADDON,
                    "quantity": 1,
                    "parentSubscriptionId": seeded.owned[0]["subscription_id"],
                }
            ]
        },
        {"customerId": seeded.ids["customer"][-1], "language": "it", "includeDelegatedAdmin": True},
        {"customerIds": seeded.ids["customer"], "cancelReservations": True},
        {
            "displayName": "fuzz",
            "duration": "P730D",
            "autoExtendDuration": "P180D",
            "customer": {"tenantId": seeded.ids["customer"][-1]},
            "accessDetails": {"unifiedRoles": [{"roleDefinitionId": "729827e3-9c14-49f7-bb1b-9608f156bbb8"}]},
        },
        {"action": "lockForApproval"},
        {"action": "approve"},
        {
            "accessContainer": {"accessContainerId": "x", "accessContainerType": "securityGroup"},
            "accessDetails": {"unifiedRoles": [{"roleDefinitionId": "729827e3-9c14-49f7-bb1b-9608f156bbb8"}]},
        },
        {
            "userPrincipalName": "u@alfa.example",
            "displayName": "U",
            "firstName": "U",
            "lastName": "V",
            "usageLocation": "IT",
            "passwordProfile": {"password": "x", "forceChangePassword": True},
        },
        {"resellerId": seeded.ids["partner"][-1], "mpnId": "1234567"},
        {"mpnId": "7654321"},
    ]
    own = [
        i
        for i, suffix in enumerate(TEMPLATE_OF)
        if any(path.endswith(s) for s in suffix.split("|")) and method in WRITES
    ]
    return [bodies[i] for i in own] * 3 + bodies


# The operations (path endings) each template is written for, in the order of _templates' list.
TEMPLATE_OF = (
    "/customers",
    "/billing",
    "{customer_id}",
    "{customer_id}",
    "{subscription_id}",
    "{subscription_id}",
    "{subscription_id}",
    "{subscription_id}|/supportcontact",
    "/orders",
    "/orders",
    "/relationshiprequests",
    "/offboardings|/offboarding",
    "/delegatedAdminRelationships",
    "/requests",
    "/requests",
    "/accessAssignments|{assignment_id}",
    "/users|{user_id}",
    "/partnerships",
    "/accept|/end",
)


def _mutated(template: Any, values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """The template, or with one property replaced by another value or left out."""
    if not isinstance(template, dict) or not template:
        return st.just(template)
    keys = sorted(template)
    return st.one_of(
        st.just(template),
        st.tuples(st.sampled_from(keys), values).map(lambda kv: {**template, kv[0]: kv[1]}),
        st.sampled_from(keys).map(lambda k: {n: v for n, v in template.items() if n != k}),
        st.sampled_from([k for k in keys if isinstance(template[k], dict)] or keys).flatmap(
            lambda k: _mutated(template[k], values).map(lambda inner: {**template, k: inner})
        ),
    )


def _bodies(known: list[str], templates: list[Any]) -> st.SearchStrategy[bytes | None]:
    """What clients send: objects with the API's field names (ids of both partners among the values), other
    JSON, Partner Center's trailing commas, and bytes that are not JSON or not UTF-8."""
    values = st.one_of(_json_values(), st.sampled_from(known))
    objects = st.dictionaries(st.sampled_from(FIELDS).map(lambda k: k if len(k) % 2 else k.upper()), values, max_size=8)
    mutated = st.sampled_from(templates).flatmap(lambda t: _mutated(t, values))
    as_json = st.one_of(mutated, mutated, objects, _json_values()).map(lambda v: json.dumps(v).encode())
    return st.one_of(
        st.none(),
        as_json,
        as_json.map(lambda b: b.replace(b"}", b",}", 1)),
        st.binary(max_size=80),
        st.just(b'{"a": NaN}'),
        st.just(b"\xff\xfe{}"),
        as_json.map(_nested_deep),
        st.sampled_from(DEEP_BODIES),
    )


def _headers(known: list[str]) -> st.SearchStrategy[dict[str, str]]:
    header_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40)
    request_ids = st.one_of(st.uuids().map(str), st.uuids().map(str), header_text)
    optional = {
        "MS-RequestId": request_ids,
        "If-Match": st.one_of(header_text, st.just('W/"1"')),
        "MS-ContinuationToken": st.one_of(header_text, st.just("e30.AAAA")),
        "X-Locale": header_text,
        "MS-CorrelationId": header_text,
        "Accept-Language": header_text,
    }
    return st.fixed_dictionaries({}, optional=optional)


QUERY_HINTS: dict[str, list[str]] = {
    "size": ["0", "1", "2", "500", "501", "-1", "1.5", "９"],
    "filter": [
        '{"Field":"CompanyName","Value":"Alf","Operator":"starts_with"}',
        '{"Field":"Domain","Value":"zeta","Operator":"StartsWith"}',
        '{"Field":"OperationType","Value":"create_order","Operator":"equals"}',
        '{"Field":"CustomerId","Value":"x"}',
        '{"Operator":"and","Value":[{"Field":"ResourceType","Value":1}]}',
        "[]",
        '{"Field":null}',
        "null",
        "1e999",
    ],
    "startDate": ["2024-01-31", "1/31/2024 10:00:00 AM", "2024-01-31T10:00:00Z", "13/45/2024", "9999-12-31"],
    "endDate": ["2024-02-01", "2/1/2024 11:59:59 PM", "0001-01-01", "2024-02-30"],
    "relationship_type": ["IsIndirectResellerOf", "IsIndirectCloudSolutionProviderOf", "isindirectresellerof"],
    "status": ["sent", "accepted", "expired", "revoked", "active"],
}


def _query_values(operation: APIOperation[Any, Any, Any, Any]) -> st.SearchStrategy[dict[str, str]]:
    names = [p.name for p in operation.query if p.name in QUERY_HINTS]
    return st.fixed_dictionaries({}, optional={n: st.sampled_from(QUERY_HINTS[n]) for n in names})


def _path_value(name: str, seeded: Seeded) -> st.SearchStrategy[str]:
    kind = name.removesuffix("_id")
    own = seeded.ids.get(kind) or [i for group in seeded.ids.values() for i in group]
    return st.sampled_from([*own, "relationshiprequests"] if kind == "customer" else own)


def _check(seeded: Seeded, label: str, request_text: str, status: int, text: str) -> None:
    assert status < 500, f"{label} answered {status}: {text[:500]}"
    lowered = text.lower()
    for name in B_NAMES:
        assert name.lower() not in lowered, f"{label} leaked partner B's {name!r}: {text[:500]}"
    seeded.sent.update(i for i in seeded.b_ids if i in request_text)
    for foreign in seeded.b_ids - seeded.sent:
        assert foreign not in text, f"{label} leaked partner B's id {foreign}: {text[:500]}"
    if 400 <= status < 500 and status != 429:
        body = json.loads(text)
        if label.split(" ", 1)[1].lower().startswith("/v1/tenantrelationships/"):  # Microsoft Graph's shape there
            assert isinstance(body, dict) and set(body) == {"error"}, text[:500]
            error = body["error"]
            assert isinstance(error["code"], str) and isinstance(error["message"], str), text[:500]
            assert isinstance(error["innerError"]["code"], int), text[:500]
            return
        assert isinstance(body, dict) and {"code", "description", "data", "source"} <= body.keys(), text[:500]
        assert isinstance(body["code"], int) and isinstance(body["description"], str), text[:500]


def _fuzz(seeded: Seeded, operation: APIOperation[Any, Any, Any, Any], examples: int) -> None:
    known = [i for group in seeded.ids.values() for i in group]
    names = [p.name for p in operation.path_parameters]
    mixed = st.fixed_dictionaries(
        {n: st.one_of(_path_value(n, seeded), st.text(min_size=1, max_size=40)) for n in names}
    )
    coherent = st.sampled_from(seeded.owned).flatmap(
        lambda own: st.fixed_dictionaries({n: st.just(own[n]) if n in own else _path_value(n, seeded) for n in names})
    )
    path_values = st.one_of(coherent, mixed) if names else st.just({})

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=DETERMINISTIC,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        case=operation.as_strategy(),
        path=path_values,
        query=_query_values(operation),
        headers=_headers(known),
        body=_bodies(known, _templates(seeded, operation.method.upper(), operation.path)),
    )
    def run(
        case: Any, path: dict[str, str], query: dict[str, str], headers: dict[str, str], body: bytes | None
    ) -> None:
        url = operation.path
        for name, value in {**(case.path_parameters or {}), **path}.items():
            url = url.replace(f"{{{name}}}", quote(value, safe=""))
        all_headers = {**headers, "Authorization": f"Bearer {seeded.token}"}
        if operation.method.upper() in WRITES and body is not None:
            all_headers["Content-Type"] = "application/json"
        content = body if operation.method.upper() in WRITES else None
        params = {**(case.query or {}), **query}
        response = seeded.api.client.request(
            operation.method.upper(), url, params=params or None, headers=all_headers, content=content
        )
        request_text = f"{url} {params} {headers} {content!r}"
        _check(seeded, f"{operation.method.upper()} {url}", request_text, response.status_code, response.text)

    run()


@pytest.mark.parametrize("label", OPERATIONS)
def test_no_5xx_no_foreign_data_and_error_bodies_everywhere(seeded: Seeded, backend: str, label: str) -> None:
    raw = seeded.api.client.get("/openapi.json").json()
    schema = schemathesis.openapi.from_dict(raw)
    method, path = label.split(" ", 1)
    operation = schema[path][method.lower()]
    _fuzz(seeded, operation, EXAMPLES[backend])
