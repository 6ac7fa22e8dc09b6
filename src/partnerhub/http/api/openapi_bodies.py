"""The request bodies of the JSON API as the OpenAPI document describes them: one `openapi_extra` per write route.

Routes read their bodies with `body.Body` (trailing commas tolerated, property names and enum values in any
case), not through pydantic models, so FastAPI cannot see them; these JSON Schemas list what each route reads
— names in their canonical camelCase, types, lengths, ranges and enums — with an example from the README's
curl walk or Partner Center's reference. They document only: nothing here validates a request. Fields the
schemas do not name (read-only fields, links, `attributes.objectType`) are accepted and ignored; `null` is the
same as leaving a field out."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute

CASE_NOTE = (
    "Body property names are matched case-insensitively (`companyProfile` = `CompanyProfile`; the "
    "schema lists the canonical camelCase names), enum values too; trailing commas are tolerated."
)
WRITES = {"POST", "PUT", "PATCH"}
EXAMPLE_CUSTOMER_ID = "4d3cf487-70f4-4e1e-9ff1-b2bfce8d9f04"
HELPDESK_ADMINISTRATOR = "729827e3-9c14-49f7-bb1b-9608f156bbb8"
GLOBAL_READER = "f2ef992c-3afb-46b9-b7cf-a126ee74c451"


# --- schema pieces ----------------------------------------------------------------------------------------


def text(max_length: int, description: str | None = None, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "string", "maxLength": max_length, **extra}
    if description:
        out["description"] = description
    return out


def integer(minimum: int, maximum: int, description: str = "") -> dict[str, Any]:
    return {
        "type": "integer",
        "minimum": minimum,
        "maximum": maximum,
        "description": (description + " A numeric string is accepted too.").strip(),
    }


def boolean(description: str = "") -> dict[str, Any]:
    return {"type": "boolean", "description": (description + ' `"true"`/`"false"` are accepted too.').strip()}


def enum(values: tuple[str, ...], description: str = "") -> dict[str, Any]:
    return {"type": "string", "enum": list(values), "description": (description + " Any case.").strip()}


def obj(properties: dict[str, Any], required: tuple[str, ...] = (), description: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        out["required"] = list(required)
    if description:
        out["description"] = description
    return out


def request_body(schema: dict[str, Any], example: Any, *, required: bool = True) -> dict[str, Any]:
    """The `openapi_extra` of a route: its JSON request body, the schema and one example."""
    return {
        "requestBody": {"required": required, "content": {"application/json": {"schema": schema, "example": example}}}
    }


ETAG_ATTRIBUTES = obj(
    {"etag": text(500, "The version the client read, when it sends no `If-Match`.")},
    description="Only `etag` is read (`objectType` is ignored).",
)
DURATION = {
    "type": ["string", "integer"],
    "maxLength": 32,
    "description": "An ISO 8601 duration in days (`P730D`; `PT0S` for none) or a number of days.",
}
ROLES = obj(
    {
        "unifiedRoles": {
            "type": "array",
            "maxItems": 100,
            "items": obj(
                {"roleDefinitionId": text(100, "A Microsoft Entra role template id (or the role's name).")},
                required=("roleDefinitionId",),
            ),
        }
    },
    required=("unifiedRoles",),
)
ODATA_ETAG = text(500, "Graph's `@odata.etag` of the version the client read, when it sends no `If-Match`.")
PASSWORD_PROFILE = obj(
    {
        "password": text(256, "Ignored: the password is always generated."),
        "forceChangePassword": boolean(
            "Read but not used: a generated password is always changed at the first sign-in."
        ),
    },
    description="The new password is random, shown once in the answer, and works for one "
    "sign-in, which sets the user's own.",
)

ADDRESS = obj(
    {
        "firstName": text(50, "Used when `billingProfile.firstName` is absent."),
        "lastName": text(50, "Used when `billingProfile.lastName` is absent."),
        "addressLine1": text(200),
        "city": text(100),
        "state": text(100),
        "postalCode": text(20),
        "country": text(2, "A two-letter ISO code (IT, US).", minLength=2, pattern="^[A-Za-z]{2}$"),
        "phoneNumber": text(40),
    }
)
BILLING_PROPERTIES: dict[str, Any] = {
    "firstName": text(50),
    "lastName": text(50),
    "email": text(320),
    "culture": text(16, "e.g. `it-IT`."),
    "language": text(8, "e.g. `it`, `en`."),
    "companyName": text(200),
    "defaultAddress": ADDRESS,
}


# --- the bodies, one per write route ----------------------------------------------------------------------

CUSTOMER_EXAMPLE: dict[str, Any] = {
    "companyProfile": {"domain": "fabrikam.example", "companyName": "Fabrikam Srl"},
    "billingProfile": {
        "email": "anna@fabrikam.example",
        "culture": "it-IT",
        "language": "it",
        "defaultAddress": {
            "firstName": "Anna",
            "lastName": "Rossi",
            "addressLine1": "Via Roma 1",
            "city": "Milano",
            "postalCode": "20100",
            "country": "IT",
        },
    },
}
CREATE_CUSTOMER = request_body(
    obj(
        {
            "companyProfile": obj(
                {
                    "domain": text(253, "The tenant's domain; unique (409 if taken)."),
                    "companyName": text(200, "Required here or as `billingProfile.companyName`."),
                    "organizationRegistrationNumber": text(64),
                },
                required=("domain",),
            ),
            "billingProfile": obj(BILLING_PROPERTIES),
            "allowDelegatedAccess": boolean("Grant DAP (default true)."),
            "associatedPartnerId": text(36, "An indirect provider's reseller the customer is created for."),
        },
        required=("companyProfile",),
    ),
    CUSTOMER_EXAMPLE,
)

UPDATE_CUSTOMER = request_body(
    obj(
        {
            "relationshipToPartner": enum(("none", "reseller"), "`none` removes the reseller relationship."),
            "allowDelegatedAccess": boolean("`false` removes DAP; `true` cannot grant it."),
        },
        description="The whole customer may be sent: other fields are ignored.",
    ),
    {"relationshipToPartner": "none", "attributes": {"objectType": "Customer"}},
)

UPDATE_BILLING_PROFILE = request_body(
    obj({**BILLING_PROPERTIES, "attributes": ETAG_ATTRIBUTES}, description="The whole billing profile."),
    {**CUSTOMER_EXAMPLE["billingProfile"], "firstName": "Anna", "lastName": "Rossi", "companyName": "Fabrikam Srl"},
)

CREATE_ORDER = request_body(
    obj(
        {
            "lineItems": {
                "type": "array",
                "maxItems": 100,
                "items": obj(
                    {
                        "lineItemNumber": integer(0, 1000),
                        "offerId": text(64, "A catalog offer id (`GET /v1/offers`)."),
                        "quantity": integer(1, 1_000_000, "Default 1."),
                        "friendlyName": text(200),
                        "termDuration": text(8, "e.g. `P1M`, `P1Y`."),
                        "parentSubscriptionId": text(36, "The base subscription of an add-on."),
                        "partnerIdOnRecord": text(16, "The indirect reseller's MPN id."),
                    },
                    required=("offerId",),
                ),
                "description": "Each line item becomes a subscription.",
            },
            "billingCycle": text(16, "e.g. `monthly`, `annual`; `unknown`, `none` or empty: the offer's default."),
            "currencyCode": text(3, "Default USD."),
        },
        required=("lineItems",),
    ),
    {
        "billingCycle": "monthly",
        "lineItems": [
            {"lineItemNumber": 0, "offerId": "CFQ7TTC0LFLX:0001", "quantity": 10, "friendlyName": "Sede di Milano"}
        ],
    },
)

SUBSCRIPTION_STATUSES = ("active", "suspended", "deleted", "pending", "expired", "disabled")
UPDATE_SUBSCRIPTION = request_body(
    obj(
        {
            "status": enum(SUBSCRIPTION_STATUSES, "`suspended` suspends, `active` reactivates."),
            "quantity": integer(0, 1_000_000),
            "friendlyName": text(200),
            "autoRenewEnabled": boolean(),
            "suspensionNote": text(500, "Extension: why, with `status: suspended` (kept with the reason)."),
            "attributes": ETAG_ATTRIBUTES,
        },
        description="The whole subscription may be sent: only these fields can change, others are ignored. "
        "`suspended` suspends for the caller's own reason (`ProviderInitiated` for the indirect provider of a "
        "subscription sold through a reseller, else `ResellerInitiated`), beside any other party's; `active` lifts "
        "only the caller's reasons and answers 200 with status still `suspended` while another party's remain "
        "(error 800600 when the caller had none to lift).",
    ),
    {"status": "suspended", "suspensionNote": "Non-payment"},
)

UPDATE_SUPPORT_CONTACT = request_body(
    obj(
        {
            "supportTenantId": text(64, "The partner's or an indirect reseller's tenant id."),
            "supportMpnId": text(64, "The partner's or an indirect reseller's MPN id."),
            "name": text(200, "Ignored."),
        }
    ),
    {"supportTenantId": "3b33e682-00c3-41ee-9dd2-a548adf56438", "supportMpnId": "4391507", "name": "Trey Research"},
)

CREATE_CUSTOMER_USER = request_body(
    obj(
        {
            "userPrincipalName": text(254),
            "displayName": text(256, "Else `firstName lastName`."),
            "firstName": text(64),
            "lastName": text(64),
            "passwordProfile": PASSWORD_PROFILE,
        },
        required=("userPrincipalName",),
        description="Other fields (`usageLocation`...) are ignored.",
    ),
    {
        "userPrincipalName": "marco@fabrikam.example",
        "firstName": "Marco",
        "lastName": "Bianchi",
        "displayName": "Marco Bianchi",
        "usageLocation": "IT",
        "passwordProfile": {"forceChangePassword": True},
    },
)

RESET_CUSTOMER_USER_PASSWORD = request_body(
    obj({"passwordProfile": PASSWORD_PROFILE}, required=("passwordProfile",)),
    {"passwordProfile": {"forceChangePassword": True}},
)

GDAP_PROPERTIES: dict[str, Any] = {
    "displayName": text(50, "Unique among the partner's relationships."),
    "duration": DURATION,
    "autoExtendDuration": DURATION,
    "accessDetails": ROLES,
}
CREATE_ADMIN_RELATIONSHIP = request_body(
    obj(
        {
            **GDAP_PROPERTIES,
            "customer": obj({"tenantId": text(64, "The customer's id.")}, required=("tenantId",)),
        },
        required=("displayName", "customer", "accessDetails"),
    ),
    {
        "displayName": "Helpdesk",
        "duration": "P730D",
        "autoExtendDuration": "P180D",
        "customer": {"tenantId": EXAMPLE_CUSTOMER_ID},
        "accessDetails": {
            "unifiedRoles": [{"roleDefinitionId": HELPDESK_ADMINISTRATOR}, {"roleDefinitionId": GLOBAL_READER}]
        },
    },
)

UPDATE_ADMIN_RELATIONSHIP = request_body(
    obj(
        {**GDAP_PROPERTIES, "@odata.etag": ODATA_ETAG},
        description="While `created`: any of these; once active: only `autoExtendDuration`.",
    ),
    {"autoExtendDuration": "PT0S"},
)

ADMIN_RELATIONSHIP_REQUEST = request_body(
    obj(
        {
            "action": enum(
                ("lockForApproval", "approve", "reject", "terminate"),
                "`approve`/`reject`: the customer's Global admin (partnerhub extension).",
            )
        },
        required=("action",),
    ),
    {"action": "lockForApproval"},
)

CREATE_ACCESS_ASSIGNMENT = request_body(
    obj(
        {
            "accessContainer": obj(
                {
                    "accessContainerId": text(64, "A partner security group's id."),
                    "accessContainerType": enum(("securityGroup",)),
                },
                required=("accessContainerId",),
            ),
            "accessDetails": ROLES,
        },
        required=("accessContainer", "accessDetails"),
    ),
    {
        "accessContainer": {
            "accessContainerId": "0d1f3c8a-5b7e-4f25-9a8b-2c6d4e1f7a90",
            "accessContainerType": "securityGroup",
        },
        "accessDetails": {"unifiedRoles": [{"roleDefinitionId": HELPDESK_ADMINISTRATOR}]},
    },
)

UPDATE_ACCESS_ASSIGNMENT = request_body(
    obj({"accessDetails": ROLES, "@odata.etag": ODATA_ETAG}, required=("accessDetails",)),
    {"accessDetails": {"unifiedRoles": [{"roleDefinitionId": GLOBAL_READER}]}},
)

CANCEL_RESERVATIONS = boolean("Cancel active reservations instead of refusing (default false).")
OFFBOARD_CUSTOMER = request_body(
    obj({"cancelReservations": CANCEL_RESERVATIONS}, description="Optional: no body at all means `{}`."),
    {"cancelReservations": False},
    required=False,
)

BULK_OFFBOARDING = request_body(
    obj(
        {
            "customerIds": {
                "type": "array",
                "items": {"type": "string", "maxLength": 64},
                "description": "The customers to offboard.",
            },
            "searchPrefix": text(200, 'Or every customer whose company name starts with it (`""`: every customer).'),
            "cancelReservations": CANCEL_RESERVATIONS,
        }
    ),
    {"customerIds": [EXAMPLE_CUSTOMER_ID], "cancelReservations": False},
)

INVITE_RESELLER = request_body(
    obj(
        {
            "resellerId": text(64, "The reseller's tenant id."),
            "resellerMpnId": text(64, "Or its MPN id."),
            "mpnId": text(64, "Same as `resellerMpnId`."),
        }
    ),
    {"resellerMpnId": "1234567"},
)

CREATE_RELATIONSHIP_REQUEST = request_body(
    obj(
        {
            "customerId": text(36, "A customer the partner was related to (else: an invitation for a new customer)."),
            "language": text(16, "`en` or `it`: the e-mail text's language."),
            "includeDelegatedAdmin": boolean("Ask for DAP too."),
            "indirectResellerId": text(36, "An indirect provider's reseller the invitation is for."),
            "validDays": integer(1, 365, "Default PARTNERHUB_INVITATION_DAYS."),
            "sendEmailTo": text(320, "Also send the e-mail to this address (a Global admin of the customer)."),
        }
    ),
    {"customerId": EXAMPLE_CUSTOMER_ID, "language": "it", "includeDelegatedAdmin": True},
)

NO_BODY = request_body(
    obj({}, description="Nothing is read from the body: send none (one sent is ignored)."), {}, required=False
)


def note_case_insensitive_bodies(router: APIRouter) -> None:
    """Append CASE_NOTE to the description of every write route whose documented body has properties."""
    for route in router.routes:
        if not isinstance(route, APIRoute) or not (route.methods or set()) & WRITES:
            continue
        content = (route.openapi_extra or {}).get("requestBody", {}).get("content", {})
        schema = content.get("application/json", {}).get("schema", {})
        if schema.get("properties") and CASE_NOTE not in route.description:
            route.description = f"{route.description}\n\n{CASE_NOTE}".strip()
