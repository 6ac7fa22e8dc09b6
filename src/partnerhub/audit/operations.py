"""Operation types: Partner Center's snake_case vocabulary, a stable public contract."""

from __future__ import annotations

from enum import StrEnum


class Operation(StrEnum):
    ADD_PARTNER = "add_partner"
    ADD_CUSTOMER = "add_customer"
    UPDATE_CUSTOMER_BILLING_PROFILE = "update_customer_billing_profile"
    REMOVE_PARTNER_CUSTOMER_RELATIONSHIP = "remove_partner_customer_relationship"
    ADD_PARTNER_CUSTOMER_RELATIONSHIP = "add_partner_customer_relationship"
    CREATE_RELATIONSHIP_REQUEST = "create_relationship_request"
    ACCEPT_RELATIONSHIP_REQUEST = "accept_relationship_request"
    REVOKE_RELATIONSHIP_REQUEST = "revoke_relationship_request"
    CREATE_ORDER = "create_order"
    UPDATE_SUBSCRIPTION = "update_subscription"
    SUSPEND_SUBSCRIPTION = "suspend_subscription"
    REACTIVATE_SUBSCRIPTION = "reactivate_subscription"
    CANCEL_SUBSCRIPTION = "cancel_subscription"
    ADD_USER = "add_user"
    UPDATE_USER_ROLES = "update_user_roles"
    RESET_USER_PASSWORD = "reset_user_password"
    CREATE_API_TOKEN = "create_api_token"
    REVOKE_API_TOKEN = "revoke_api_token"
    IMPORT_OFFERS = "import_offers"


class ResourceType(StrEnum):
    PARTNER = "partner"
    CUSTOMER = "customer"
    RELATIONSHIP = "partner_relationship"
    RELATIONSHIP_REQUEST = "relationship_request"
    ORDER = "order"
    SUBSCRIPTION = "subscription"
    USER = "user"
    API_TOKEN = "api_token"
    OFFER = "offer"
