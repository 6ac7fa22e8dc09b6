"""Customer shapes shared by the API, the CLI and the web: Partner Center's JSON field names."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, fields
from typing import Any

from partnerhub.customers.queries import CustomerFields
from partnerhub.errors import InvalidInput


def make_etag(resource_id: str, version: int) -> str:
    """An opaque etag in Partner Center's style: base64 of {"id", "version"}."""
    rid = resource_id.lower()
    # the same text json.dumps writes, without its cost on every row of a page (ids never need escaping)
    raw = (
        f'{{"id":"{rid}","version":{int(version)}}}'
        if rid.isascii() and '"' not in rid and "\\" not in rid
        else json.dumps({"id": rid, "version": version}, separators=(",", ":"))
    )
    return base64.b64encode(raw.encode()).decode()


def content_etag(payload: dict[str, Any]) -> str:
    """An etag over what an answer shows, where no one version column covers it: base64 of its JSON."""
    return base64.b64encode(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()).decode()


def etag_matches(etag: str, current: str) -> bool:
    """Whether an If-Match value (quoted, bare or `W/"..."`) names the current etag."""
    value = etag.strip()
    if value.startswith("W/"):
        value = value[2:]
    return value.strip().strip('"').rstrip("=") == current.rstrip("=")


def customer_etag(c: CustomerFields, relationship: tuple[str, int] | None = None) -> str:
    """A customer's etag covers everything its answer shows: the customer's version and, for a partner, its
    relationship episode and that episode's version (`allowDelegatedAccess`, `relationshipToPartner`). It still
    names the customer's version, so it is accepted where the billing profile's etag is."""
    if relationship is None:
        return make_etag(c.id, c.version)
    return content_etag(
        {
            "id": c.id.lower(),
            "version": int(c.version),
            "relationship": relationship[0],
            "relationshipVersion": int(relationship[1]),
        }
    )


def etag_version(etag: str, resource_id: str) -> int | None:
    """The version an etag names, or None when it names another resource or is not ours."""
    value = etag.strip()
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip('"')
    try:
        data = json.loads(base64.b64decode(value + "=" * (-len(value) % 4)).decode())
        if str(data["id"]).lower() != resource_id.lower():
            return None
        return int(data["version"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None


@dataclass
class BillingProfileInput:
    """The editable billing profile; None means "leave as it is"."""

    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    culture: str | None = None
    language: str | None = None
    company_name: str | None = None
    address_line1: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None
    phone_number: str | None = None

    def changes(self) -> dict[str, str]:
        """The given fields, trimmed and checked against their limits (every door gets the same rules)."""
        out: dict[str, str] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is not None:
                out[f.name] = value.strip()
                if len(out[f.name]) > MAX_LENGTHS[f.name]:
                    raise InvalidInput(detail=f"{f.name} is longer than {MAX_LENGTHS[f.name]} characters")
        if "country" in out:
            if len(out["country"]) != 2 or not out["country"].isalpha():
                raise InvalidInput(detail="country is a two-letter ISO code such as IT or US")
            out["country"] = out["country"].upper()
        if "language" in out:
            out["language"] = out["language"].lower()
        if (
            "email" in out
            and out["email"]
            and ("@" not in out["email"] or any(c.isspace() or not c.isprintable() for c in out["email"]))
        ):
            # a CR/LF inside an address could add a header to a mail built from it
            raise InvalidInput(
                data=[{"field": "email", "message": "is not an e-mail address"}],
                detail="email: is not an e-mail address (no spaces or line breaks)",
            )
        return out


MAX_LENGTHS = {
    "first_name": 100,
    "last_name": 100,
    "email": 320,
    "culture": 16,
    "language": 8,
    "company_name": 200,
    "address_line1": 200,
    "city": 100,
    "state": 100,
    "postal_code": 20,
    "country": 2,
    "phone_number": 40,
}

_BILLING_COLUMN = {"company_name": "billing_company_name"}


def billing_column(field_name: str) -> str:
    return _BILLING_COLUMN.get(field_name, field_name)


def billing_profile_dict(c: CustomerFields) -> dict[str, Any]:
    return {
        "id": c.id,
        "firstName": c.first_name,
        "lastName": c.last_name,
        "email": c.email,
        "culture": c.culture,
        "language": c.language,
        "companyName": c.billing_company_name or c.company_name,
        "defaultAddress": {
            "country": c.country,
            "city": c.city,
            "state": c.state,
            "addressLine1": c.address_line1,
            "postalCode": c.postal_code,
            "firstName": c.first_name,
            "lastName": c.last_name,
            "phoneNumber": c.phone_number,
        },
        "attributes": {"etag": make_etag(c.id, c.version), "objectType": "CustomerBillingProfile"},
    }


def company_profile_dict(c: CustomerFields) -> dict[str, Any]:
    return {
        "tenantId": c.id,
        "domain": c.domain,
        "companyName": c.company_name,
        "organizationRegistrationNumber": c.organization_registration_number,
        "attributes": {"objectType": "CustomerCompanyProfile"},
    }


def customer_dict(
    c: CustomerFields,
    *,
    relationship: str = "reseller",
    allow_delegated_access: bool | None = None,
    associated_partner_id: str | None = None,
    relationship_version: tuple[str, int] | None = None,
) -> dict[str, Any]:
    """A customer as Partner Center returns it; `relationship_version` (the partner's relationship episode
    id and version) goes into its etag."""
    out: dict[str, Any] = {
        "id": c.id,
        "commerceId": c.id,
        "companyProfile": company_profile_dict(c),
        "billingProfile": billing_profile_dict(c),
        "relationshipToPartner": relationship,
        "allowDelegatedAccess": allow_delegated_access,
        "attributes": {"etag": customer_etag(c, relationship_version), "objectType": "Customer"},
    }
    if associated_partner_id:
        out["associatedPartnerId"] = associated_partner_id
    return out
