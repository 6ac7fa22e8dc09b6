"""The activity log page: filters (date range, customer, operation, and the AuditService's field, operator
and value), keyset paging, each record's old → new
values, and the CSV export of the same filter."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from fastapi.responses import Response

from partnerhub.audit.filters import MAX_VALUE, AuditCondition, AuditField, AuditOperator
from partnerhub.audit.models import ActivityRecord
from partnerhub.audit.operations import Operation, ResourceType
from partnerhub.audit.service import ActivityQuery, activity_csv_rows, defuse_cells, iter_activity, list_activity
from partnerhub.clock import utc_now
from partnerhub.customers.service import list_customers
from partnerhub.errors import InvalidInput
from partnerhub.http.web.context import SignedIn, WebCtx
from partnerhub.http.web.downloads import csv_download
from partnerhub.http.web.errors import WebRoute
from partnerhub.http.web.forms import NOT_A_CHOICE, FormState
from partnerhub.locale import N_
from partnerhub.paging import decode_cursor, encode_cursor

router = APIRouter(route_class=WebRoute, include_in_schema=False)

PAGE_SIZE = 50
DEFAULT_DAYS = 30
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
NOT_A_DATE = N_("Enter a date such as 2026-11-24.")
END_BEFORE_START = N_("The end date must be on or after the start date.")
ALL_OPERATIONS = N_("All operations")
NOT_A_CUSTOMER_ID = N_("Enter a customer ID, such as 3f2504e0-4f89-11d3-9a0c-0305e82c3301.")
VALUE_NEEDED = N_("Enter a value to search for, or clear the field.")
# Partner Center's AuditService filter: a field, an operator and a value (audit/filters.py)
FILTER_FIELDS = (
    ("", N_("Any field")),
    (AuditField.CUSTOMER_NAME.value, N_("Customer name")),
    (AuditField.CUSTOMER_ID.value, N_("Customer ID")),
    (AuditField.RESOURCE_TYPE.value, N_("Resource type")),
    (AuditField.OPERATION_TYPE.value, N_("Operation type")),
)
FILTER_OPERATORS = (
    (AuditOperator.SUBSTRING.value, N_("contains")),
    (AuditOperator.STARTS_WITH.value, N_("starts with")),
    (AuditOperator.EQUALS.value, N_("equals")),
)
FILTER_KEYS = ("start", "end", "customer", "operation", "field", "operator", "value")

# Partner Center's operation types as the page says them (the snake_case names are the public vocabulary).
OPERATION_LABELS: dict[str, str] = {
    Operation.ADD_PARTNER: N_("Add partner"),
    Operation.ADD_CUSTOMER: N_("Add customer"),
    Operation.UPDATE_CUSTOMER_BILLING_PROFILE: N_("Update customer billing profile"),
    Operation.REMOVE_PARTNER_CUSTOMER_RELATIONSHIP: N_("Remove partner customer relationship"),
    Operation.ADD_PARTNER_CUSTOMER_RELATIONSHIP: N_("Add partner customer relationship"),
    Operation.CREATE_RELATIONSHIP_REQUEST: N_("Create relationship request"),
    Operation.REVOKE_RELATIONSHIP_REQUEST: N_("Revoke relationship request"),
    Operation.EXPIRE_RELATIONSHIP_REQUEST: N_("Expire relationship request"),
    Operation.RESEND_RELATIONSHIP_REQUEST: N_("Resend relationship request"),
    Operation.SEND_RELATIONSHIP_REQUEST_EMAIL: N_("Send relationship request e-mail"),
    Operation.DECLINE_RELATIONSHIP_REQUEST: N_("Decline relationship request"),
    Operation.ROTATE_PARTNER_INVITATION_LINK: N_("Replace the reusable invitation link"),
    Operation.CREATE_ORDER: N_("Create order"),
    Operation.UPDATE_SUBSCRIPTION: N_("Update subscription"),
    Operation.SUSPEND_SUBSCRIPTION: N_("Suspend subscription"),
    Operation.REACTIVATE_SUBSCRIPTION: N_("Reactivate subscription"),
    Operation.CANCEL_SUBSCRIPTION: N_("Cancel subscription"),
    Operation.ADD_USER: N_("Add user"),
    Operation.UPDATE_USER_ROLES: N_("Update user roles"),
    Operation.RESET_USER_PASSWORD: N_("Reset user password"),
    Operation.CREATE_API_TOKEN: N_("Create API token"),
    Operation.REVOKE_API_TOKEN: N_("Revoke API token"),
    Operation.SIGN_IN: N_("Sign in"),
    Operation.SIGN_OUT: N_("Sign out"),
    Operation.UPDATE_USER_LANGUAGE: N_("Update user language"),
    Operation.UPDATE_USER_PASSWORD: N_("Change own password"),
    Operation.ENABLE_USER_MFA: N_("Set up multi-factor sign-in"),
    Operation.RESET_USER_MFA: N_("Reset multi-factor sign-in"),
    Operation.DISABLE_USER_MFA: N_("Turn off multi-factor sign-in"),
    Operation.REGENERATE_MFA_RECOVERY_CODES: N_("Get new recovery codes"),
    Operation.USE_MFA_RECOVERY_CODE: N_("Sign in with a recovery code"),
    Operation.UPDATE_TENANT_MFA_POLICY: N_("Change the multi-factor sign-in policy"),
    Operation.UPDATE_TENANT_SINGLE_SIGN_ON: N_("Change single sign-on"),
    Operation.SIGN_IN_WITH_SINGLE_SIGN_ON: N_("Signed in with single sign-on"),
    Operation.IMPORT_OFFERS: N_("Import offers"),
    Operation.OFFBOARD_CUSTOMER: N_("Offboard customer"),
    Operation.START_BULK_OFFBOARDING: N_("Start bulk offboarding"),
    Operation.START_GDAP_BULK_JOB: N_("Start a GDAP bulk job"),
    Operation.CREATE_PARTNERSHIP: N_("Create partnership"),
    Operation.ACCEPT_PARTNERSHIP: N_("Accept partnership"),
    Operation.END_PARTNERSHIP: N_("End partnership"),
    Operation.UPDATE_SUBSCRIPTION_SUPPORT_CONTACT: N_("Update subscription support contact"),
    Operation.REMOVE_PARTNER_CUSTOMER_DAP: N_("Remove partner customer DAP"),
    Operation.CREATE_GRANULAR_ADMIN_RELATIONSHIP: N_("Create granular admin relationship"),
    Operation.UPDATE_GRANULAR_ADMIN_RELATIONSHIP: N_("Update granular admin relationship"),
    Operation.LOCK_GRANULAR_ADMIN_RELATIONSHIP_FOR_APPROVAL: N_("Lock granular admin relationship for approval"),
    Operation.APPROVE_GRANULAR_ADMIN_RELATIONSHIP: N_("Approve granular admin relationship"),
    Operation.REJECT_GRANULAR_ADMIN_RELATIONSHIP: N_("Reject granular admin relationship"),
    Operation.TERMINATE_GRANULAR_ADMIN_RELATIONSHIP: N_("Terminate granular admin relationship"),
    Operation.AUTO_EXTEND_GRANULAR_ADMIN_RELATIONSHIP: N_("Auto-extend granular admin relationship"),
    Operation.EXPIRE_GRANULAR_ADMIN_RELATIONSHIP: N_("Expire granular admin relationship"),
    Operation.DELETE_GRANULAR_ADMIN_RELATIONSHIP: N_("Delete granular admin relationship"),
    Operation.CREATE_GRANULAR_ADMIN_ACCESS_ASSIGNMENT: N_("Create granular admin access assignment"),
    Operation.UPDATE_GRANULAR_ADMIN_ACCESS_ASSIGNMENT: N_("Update granular admin access assignment"),
    Operation.DELETE_GRANULAR_ADMIN_ACCESS_ASSIGNMENT: N_("Delete granular admin access assignment"),
    Operation.CREATE_SECURITY_GROUP: N_("Create security group"),
    Operation.ADD_SECURITY_GROUP_MEMBER: N_("Add security group member"),
    Operation.REMOVE_SECURITY_GROUP_MEMBER: N_("Remove security group member"),
    Operation.CREATE_CUSTOMER_USER: N_("Create customer user"),
    Operation.RESET_CUSTOMER_USER_PASSWORD: N_("Reset customer user password"),
    Operation.ADD_PARTNER_DOMAIN: N_("Verify a partner domain"),
    Operation.REMOVE_PARTNER_DOMAIN: N_("Remove a verified partner domain"),
    Operation.OPERATOR_READ: N_("Read by the platform operator"),
    Operation.CREATE_WEBHOOK_ENDPOINT: N_("Create webhook endpoint"),
    Operation.UPDATE_WEBHOOK_ENDPOINT: N_("Update webhook endpoint"),
    Operation.DELETE_WEBHOOK_ENDPOINT: N_("Delete webhook endpoint"),
    Operation.ROTATE_WEBHOOK_SECRET: N_("Rotate webhook signing secret"),
    Operation.DISABLE_WEBHOOK_ENDPOINT: N_("Disable webhook endpoint"),
    Operation.SEND_WEBHOOK_TEST_EVENT: N_("Send webhook test event"),
    Operation.REDELIVER_WEBHOOK: N_("Redeliver webhook"),
    Operation.REPLAY_WEBHOOKS: N_("Replay webhooks"),
    Operation.CREATE_GDAP_TEMPLATE: N_("Create GDAP template"),
    Operation.UPDATE_GDAP_TEMPLATE: N_("Update GDAP template"),
    Operation.DELETE_GDAP_TEMPLATE: N_("Delete GDAP template"),
    Operation.IMPORT_GDAP_ROLES: N_("Import GDAP roles"),
}
RESOURCE_LABELS: dict[str, str] = {
    ResourceType.PARTNER: N_("Partner"),
    ResourceType.CUSTOMER: N_("Customer"),
    ResourceType.RELATIONSHIP: N_("Reseller relationship"),
    ResourceType.RELATIONSHIP_REQUEST: N_("Relationship request"),
    ResourceType.ORDER: N_("Order"),
    ResourceType.SUBSCRIPTION: N_("Subscription"),
    ResourceType.USER: N_("User"),
    ResourceType.API_TOKEN: N_("API token"),
    ResourceType.WEB_SESSION: N_("Web session"),
    ResourceType.OFFER: N_("Offer"),
    ResourceType.JOB: N_("Job"),
    ResourceType.PARTNERSHIP: N_("Partnership"),
    ResourceType.PARTNER_CUSTOMER_DAP: N_("Delegated admin privileges"),
    ResourceType.GRANULAR_ADMIN_RELATIONSHIP: N_("Granular admin relationship"),
    ResourceType.GRANULAR_ADMIN_ACCESS_ASSIGNMENT: N_("Access assignment"),
    ResourceType.SECURITY_GROUP: N_("Security group"),
    ResourceType.CUSTOMER_USER: N_("Customer user"),
    ResourceType.PARTNER_DOMAIN: N_("Verified domain"),
    ResourceType.ACTIVITY_LOG: N_("Activity log"),
    ResourceType.WEBHOOK_ENDPOINT: N_("Webhook endpoint"),
    ResourceType.GDAP_TEMPLATE: N_("GDAP template"),
    ResourceType.GDAP_ROLE_CATALOG: N_("GDAP role catalog"),
}


def _label(ctx: WebCtx, labels: dict[str, str], value: str) -> str:
    """The translated label of a known name; an unknown one (an open set) readable as it is."""
    msgid = labels.get(value)
    return ctx.t(msgid) if msgid else value.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Change:
    """One field of a record: its value before and after, as short text ("" when absent)."""

    name: str
    old: str
    new: str


@dataclass(frozen=True)
class ActivityRow:
    record: ActivityRecord
    operation: str
    resource: str
    changes: list[Change]


def _short(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)


def changes_of(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[Change]:
    """The fields a record names, in the order the new value (then the old one) lists them."""
    old, new = old or {}, new or {}
    names = [*new, *(k for k in old if k not in new)]
    return [Change(k, _short(old.get(k)), _short(new.get(k))) for k in names]


def _parse_day(state: FormState, name: str) -> date | None:
    raw = state.text(name, required=False, limit=10)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        state.fail(name, NOT_A_DATE)
        return None


def read_filters(
    ctx: WebCtx,
    *,
    start: str,
    end: str,
    customer: str,
    operation: str,
    field: str = "",
    operator: str = "",
    value: str = "",
) -> tuple[FormState, ActivityQuery]:
    """The filter form as typed (blank dates become the last 30 days) and the query it stands for."""
    today = utc_now().date()
    state = FormState(
        ctx,
        {
            "start": start.strip() or (today - timedelta(days=DEFAULT_DAYS)).isoformat(),
            "end": end.strip() or today.isoformat(),
            "customer": customer.strip(),
            "operation": operation.strip(),
            "field": field.strip(),
            "operator": operator.strip() or AuditOperator.SUBSTRING.value,
            "value": value,
        },
    )
    start_on = _parse_day(state, "start")
    end_on = _parse_day(state, "end")
    if start_on and end_on and end_on < start_on:
        state.fail("end", END_BEFORE_START)
    customer_id = state.text("customer", required=False, limit=64).lower()
    if customer_id and not GUID.match(customer_id):
        state.fail("customer", NOT_A_CUSTOMER_ID)
    op = state.text("operation", required=False, limit=80)
    if op and op not in OPERATION_LABELS:
        state.fail("operation", NOT_A_CHOICE)
    conditions = _condition(state)
    query = ActivityQuery(
        start=datetime.combine(start_on, time.min, tzinfo=UTC) if start_on else None,
        end=datetime.combine(end_on, time.max, tzinfo=UTC) if end_on else None,
        customer_id=customer_id or None,
        operation=op or None,
        conditions=conditions,
    )
    return state, query


def _condition(state: FormState) -> tuple[AuditCondition, ...]:
    field = state.choice("field", [f for f, _label in FILTER_FIELDS], required=False)
    operator = state.choice("operator", [o for o, _label in FILTER_OPERATORS])
    value = state.text("value", required=False, limit=MAX_VALUE).strip()
    if not field and not value:
        return ()
    if not field:
        state.fail("field", NOT_A_CHOICE)
        return ()
    if not value:
        state.fail("value", VALUE_NEEDED)
        return ()
    if not state.ok:
        return ()
    return (AuditCondition.parse(field, operator, value),)


def filter_params(state: FormState) -> str:
    return urlencode({k: state.values.get(k, "") for k in FILTER_KEYS})


def _decode_after(after: str) -> tuple[datetime, str] | None:
    if not after:
        return None
    at, rid = decode_cursor(after, 2)
    try:
        return datetime.fromisoformat(at), rid
    except ValueError:
        raise InvalidInput(detail="the continuation token is not valid") from None


@router.get("/activity")
def activity_page(
    ctx: SignedIn,
    start: str = "",
    end: str = "",
    customer: str = "",
    operation: str = "",
    field: str = "",
    operator: str = "",
    value: str = "",
    after: str = "",
) -> Response:
    actor = ctx.require_actor()
    state, query = read_filters(
        ctx, start=start, end=end, customer=customer, operation=operation, field=field, operator=operator, value=value
    )
    rows: list[ActivityRow] = []
    next_after: str | None = None
    customers: list[tuple[str, str]] = []
    session = ctx.session
    if actor.is_partner_user:  # the picker offers the partner's customers; any id may still be typed
        customers = [(r.customer.id, r.customer.company_name) for r in list_customers(session, actor, size=500).items]
    if state.ok:
        page = list_activity(session, actor, query=query, size=PAGE_SIZE, after=_decode_after(after))
        rows = [
            ActivityRow(
                r,
                _label(ctx, OPERATION_LABELS, r.operation_type),
                _label(ctx, RESOURCE_LABELS, r.resource_type),
                changes_of(r.old_value, r.new_value),
            )
            for r in page.items
        ]
        if page.next_cursor:
            next_after = encode_cursor([page.next_cursor[0].isoformat(), page.next_cursor[1]])
    operations = sorted(((op, ctx.t(msgid)) for op, msgid in OPERATION_LABELS.items()), key=lambda o: o[1].lower())
    return ctx.render(
        "activity/list.html",
        status_code=200 if state.ok else 400,
        form=state,
        rows=rows,
        after=after,
        next_after=next_after,
        params=filter_params(state),
        operations=[("", ctx.t(ALL_OPERATIONS)), *operations],
        customers=customers,
        show_customer_filter=not actor.is_customer_user,
        filter_fields=[(f, ctx.t(label)) for f, label in FILTER_FIELDS],
        filter_operators=[(o, ctx.t(label)) for o, label in FILTER_OPERATORS],
        breadcrumbs=[(None, ctx.t("Activity log"))],
    )


@router.get("/activity/export.csv")
def activity_export(
    ctx: SignedIn,
    start: str = "",
    end: str = "",
    customer: str = "",
    operation: str = "",
    field: str = "",
    operator: str = "",
    value: str = "",
) -> Response:
    actor = ctx.require_actor()
    state, query = read_filters(
        ctx, start=start, end=end, customer=customer, operation=operation, field=field, operator=operator, value=value
    )
    if not state.ok:  # the page shows what is wrong with the filter, next to its field
        return ctx.redirect("/activity?" + filter_params(state))
    # refuse before the download starts, not halfway through it
    list_activity(ctx.session, actor, query=query, size=1)

    return csv_download(
        ctx.runtime,
        "activity.csv",
        lambda session: (defuse_cells(row) for row in activity_csv_rows(iter_activity(session, actor, query=query))),
    )
