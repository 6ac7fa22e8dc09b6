"""GDAP in bulk, as resumable jobs (issue 16 §3): end the active admin relationships of many customers, request
new ones from a template, or renew them. One job item per customer, each worked in its own transaction with its
outcome (`jobs.bulk`), so a crash leaves every customer untouched or done, and the job resumes."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from partnerhub.audit.operations import Operation, ResourceType
from partnerhub.audit.service import record
from partnerhub.auth.actor import Actor
from partnerhub.customers.models import Customer
from partnerhub.delegated_admin.models import GdapTemplate
from partnerhub.delegated_admin.per_customer import (
    renew_customer_admin_relationships,
    request_for_customer_from_template,
    terminate_customer_admin_relationships,
)
from partnerhub.delegated_admin.queries import require_gdap_manager
from partnerhub.delegated_admin.templates import get_template
from partnerhub.errors import Forbidden, GdapBulkActionInvalid, GdapBulkTemplateRequired, InvalidInput
from partnerhub.ids import normalize_id
from partnerhub.jobs.bulk import ItemWork, enqueue_items, run_items
from partnerhub.jobs.models import Job
from partnerhub.jobs.runner import JobContext
from partnerhub.usecases.bulk_offboarding import BulkReport, bulk_report, refuse_strangers
from partnerhub.usecases.offboarding_selection import select_current_customers

MAX_CUSTOMERS = 10_000


class GdapBulkAction(StrEnum):
    REQUEST_FROM_TEMPLATE = "requestFromTemplate"
    TERMINATE = "terminate"
    RENEW = "renew"


GDAP_BULK_REQUEST = "gdap-bulk-request"
GDAP_BULK_TERMINATE = "gdap-bulk-terminate"
GDAP_BULK_RENEW = "gdap-bulk-renew"
KIND_OF = {
    GdapBulkAction.REQUEST_FROM_TEMPLATE: GDAP_BULK_REQUEST,
    GdapBulkAction.TERMINATE: GDAP_BULK_TERMINATE,
    GdapBulkAction.RENEW: GDAP_BULK_RENEW,
}
ACTION_OF = {kind: action for action, kind in KIND_OF.items()}
GDAP_BULK_KINDS = tuple(KIND_OF.values())


def parse_action(value: str) -> GdapBulkAction:
    """A bulk action from its name in any case (`requestFromTemplate`, `terminate`, `renew`)."""
    for action in GdapBulkAction:
        if action.value.lower() == value.strip().lower():
            return action
    raise GdapBulkActionInvalid(action=value)


def start_gdap_bulk_job(
    session: Session, actor: Actor, *, action: str, customer_ids: list[str], template_id: str | None = None
) -> Job:
    """Queue a GDAP bulk job over the partner's customers named in `customer_ids` (in that order, repeats
    dropped). Who: a partner Global admin or Admin agent, as for one relationship. A request names one of the
    partner's templates (by id or name), found up front; the job keeps its id. Every id must be one of the
    partner's customers (refused up front, each by its position, changing nothing); what a customer's own
    state refuses (no active relationship to end, say) is reported in its item when the job reaches it."""
    partner_id = require_gdap_manager(actor, "start GDAP bulk job")
    chosen = parse_action(action)
    template: GdapTemplate | None = None
    if chosen == GdapBulkAction.REQUEST_FROM_TEMPLATE:
        if not (template_id or "").strip():
            raise GdapBulkTemplateRequired()
        template = get_template(session, actor, template_id=template_id or "")
    keys = list(dict.fromkeys(normalize_id(c) for c in customer_ids if c.strip()))
    if not keys:
        raise InvalidInput(
            data=[{"field": "customerIds", "message": "name at least one customer"}],
            detail="customerIds: name at least one customer",
        )
    if len(keys) > MAX_CUSTOMERS:
        raise InvalidInput(detail=f"at most {MAX_CUSTOMERS} customers in one GDAP bulk job")
    refuse_strangers(session, partner_id, customer_ids, keys)
    template_ref = {"templateId": template.id, "templateName": template.name} if template else {}
    job = enqueue_items(
        session, actor, kind=KIND_OF[chosen], keys=keys, payload={"action": chosen.value, **template_ref}
    )
    record(
        session,
        actor,
        operation=Operation.START_GDAP_BULK_JOB,
        resource_type=ResourceType.JOB,
        resource_id=job.id,
        partner_id=partner_id,
        new={"action": chosen.value, "customers": len(keys), **template_ref},
    )
    return job


def _terminate(session: Session, actor: Actor, customer_id: str) -> dict[str, Any]:
    ended = terminate_customer_admin_relationships(session, actor, customer_id=customer_id)
    return {"customerId": customer_id, "terminated": [r.id for r in ended]}


def _runner(work: Callable[[JobContext], ItemWork]) -> Callable[[JobContext], dict[str, Any]]:
    def run(ctx: JobContext) -> dict[str, Any]:
        return run_items(ctx, work(ctx))

    return run


def _request(template_id: str) -> ItemWork:
    def work(session: Session, actor: Actor, customer_id: str) -> dict[str, Any]:
        rel = request_for_customer_from_template(session, actor, template_id=template_id, customer_id=customer_id)
        return {
            "customerId": customer_id,
            "adminRelationshipId": rel.id,
            "displayName": rel.display_name,
            "status": rel.status,
        }

    return work


def _renew(session: Session, actor: Actor, customer_id: str) -> dict[str, Any]:
    pairs = renew_customer_admin_relationships(session, actor, customer_id=customer_id)
    return {
        "customerId": customer_id,
        "renewed": [
            {"from": old.id, "adminRelationshipId": new.id, "displayName": new.display_name} for old, new in pairs
        ],
    }


run_gdap_bulk_terminate = _runner(lambda ctx: _terminate)
run_gdap_bulk_request = _runner(lambda ctx: _request(str(ctx.payload["templateId"])))
run_gdap_bulk_renew = _runner(lambda ctx: _renew)


def gdap_bulk_report(session: Session, actor: Actor, *, job_id: str) -> BulkReport:
    """The per-customer outcome of a GDAP bulk job (the partner's own jobs only)."""
    return bulk_report(session, actor, job_id=normalize_id(job_id), kinds=GDAP_BULK_KINDS)


def action_of(job: Job) -> GdapBulkAction:
    return ACTION_OF[job.kind]


def may_manage_gdap(actor: Actor) -> bool:
    """Whether the actor may start GDAP bulk jobs (a partner Global admin or Admin agent)."""
    try:
        require_gdap_manager(actor, "start GDAP bulk job")
    except Forbidden:
        return False
    return True


def list_selected_customers_for_gdap(session: Session, actor: Actor, *, customer_ids: list[str]) -> list[Customer]:
    """The partner's current customers among those picked in the customer list, in the order given; others are
    left out, since a job would refuse them. Who: a partner Global admin or Admin agent."""
    partner_id = require_gdap_manager(actor, "start GDAP bulk job")
    return select_current_customers(session, partner_id, customer_ids=customer_ids)
