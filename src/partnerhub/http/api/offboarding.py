"""Offboarding over HTTP (a partnerhub extension, not in Partner Center): preview and execute for one
customer, and bulk runs as jobs whose progress and per-customer report can be polled."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from partnerhub.errors import InvalidInput
from partnerhub.http.api import openapi_bodies as bodies
from partnerhub.http.api.body import Body
from partnerhub.http.api.context import Ctx, api_router
from partnerhub.http.api.shapes import link
from partnerhub.ids import normalize_id
from partnerhub.usecases.bulk_offboarding import bulk_report, start_bulk_offboarding
from partnerhub.usecases.offboard_customer import offboard_customer, preview_offboarding
from partnerhub.usecases.schemas import (
    bulk_job_dict,
    bulk_report_dict,
    offboarding_preview_dict,
    offboarding_result_dict,
)

EXTENSION = "partnerhub extension (not in Partner Center): "
router = api_router(tags=["offboarding (partnerhub extension)"])
MAX_ID_LENGTH = 64  # the length of a job item's key


def _flag(request: Request, name: str) -> bool:
    """A boolean query parameter, its name in any case (`cancelReservations=true`)."""
    value = next((v for k, v in request.query_params.multi_items() if k.lower() == name.lower()), None)
    if value is None or value.strip() == "":
        return False
    if value.strip().lower() not in ("true", "false"):
        raise InvalidInput(
            data=[{"field": name, "message": "must be true or false"}], detail=f"{name}: must be true or false"
        )
    return value.strip().lower() == "true"


def _optional_body(ctx: Ctx) -> Body:
    """The body of a POST whose every field is optional: none at all means `{}`."""
    return ctx.body() if ctx.raw_body.strip() else Body({})


@router.get(
    "/customers/{customer_id}/offboarding",
    description=EXTENSION + "what offboarding the customer would change; changes nothing.",
)
def get_offboarding_preview(customer_id: str, request: Request, ctx: Ctx) -> Response:
    """The subscriptions to suspend, reservations to cancel (or that block it unless
    `cancelReservations=true`), privileges that end and support-contact changes."""
    cancel = _flag(request, "cancelReservations")
    session = ctx.session
    preview = preview_offboarding(session, ctx.actor, customer_id=customer_id, cancel_reservations=cancel)
    body = offboarding_preview_dict(preview)
    body["links"] = {"self": link(f"/v1/customers/{preview.customer_id}/offboarding")}
    body["attributes"] = {"objectType": "OffboardingPreview"}
    return ctx.respond(200, body)


@router.post(
    "/customers/{customer_id}/offboarding",
    openapi_extra=bodies.OFFBOARD_CUSTOMER,
    description=EXTENSION + "suspend every active subscription and remove the reseller relationship, "
    "all or nothing. Body (optional): `{cancelReservations}`.",
)
def post_offboarding(customer_id: str, ctx: Ctx) -> Response:
    """Offboard one customer in one transaction: it either completes or changes nothing."""
    b = _optional_body(ctx)
    cancel = bool(b.boolean("cancelReservations"))
    session = ctx.session
    result = offboard_customer(session, ctx.actor, customer_id=customer_id, cancel_reservations=cancel)
    body = {**offboarding_result_dict(result), "attributes": {"objectType": "OffboardingResult"}}
    return ctx.respond(200, body)


def _customer_ids(b: Body) -> list[str] | None:
    value = b.raw("customerIds")
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInput(
            data=[{"field": "customerIds", "message": "must be a list of customer ids"}],
            detail="customerIds: must be a list of customer ids",
        )
    too_long = [i for i, v in enumerate(value) if len(v.strip()) > MAX_ID_LENGTH]
    if too_long:
        field = f"customerIds[{too_long[0]}]"
        raise InvalidInput(
            data=[{"field": field, "message": f"is at most {MAX_ID_LENGTH} characters long"}],
            detail=f"{field}: is at most {MAX_ID_LENGTH} characters long",
        )
    return list(value)


@router.post(
    "/offboardings",
    status_code=202,
    openapi_extra=bodies.BULK_OFFBOARDING,
    description=EXTENSION + "queue the offboarding of many customers: `{customerIds?: [...], "
    'searchPrefix?, cancelReservations?}` (a prefix of "" means every '
    "customer). Answers 202 with the job; poll its `Location`.",
)
def post_bulk_offboarding(ctx: Ctx) -> Response:
    """A bulk offboarding job, run by the service's worker; each customer is offboarded in a transaction of
    its own, so a crash leaves every customer untouched or fully offboarded, and the job resumes."""
    b = ctx.body()
    customer_ids = _customer_ids(b)
    prefix = b.text("searchPrefix", max_length=200)
    cancel = bool(b.boolean("cancelReservations"))
    session = ctx.session
    job = start_bulk_offboarding(
        session, ctx.actor, customer_ids=customer_ids, search_prefix=prefix, cancel_reservations=cancel
    )
    session.flush()
    body = bulk_job_dict(job, self_link=link(f"/v1/offboardings/{job.id}"))
    return ctx.respond(202, body, headers={"Location": f"/v1/offboardings/{job.id}"})


@router.get(
    "/offboardings/{job_id}",
    description=EXTENSION + "a bulk offboarding's progress `{status, done, total}` and its per-customer report.",
)
def get_bulk_offboarding(job_id: str, ctx: Ctx) -> Response:
    session = ctx.session
    report = bulk_report(session, ctx.actor, job_id=normalize_id(job_id))
    body = bulk_report_dict(report, self_link=link(f"/v1/offboardings/{report.job.id}"))
    return ctx.respond(200, body)
