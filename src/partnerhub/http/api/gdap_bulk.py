"""GDAP in bulk over HTTP (a partnerhub extension, not in Partner Center nor in Graph): a job over many customers,
whose progress and per-customer report can be polled, as bulk offboarding's."""

from __future__ import annotations

from fastapi.responses import Response

from partnerhub.errors import InvalidInput
from partnerhub.http.api.body import Body
from partnerhub.http.api.context import Ctx, api_router
from partnerhub.http.api.offboarding import MAX_ID_LENGTH
from partnerhub.http.api.openapi_bodies import EXAMPLE_CUSTOMER_ID, obj, request_body, text
from partnerhub.http.api.shapes import link
from partnerhub.usecases.gdap_bulk import GdapBulkAction, gdap_bulk_report, start_gdap_bulk_job
from partnerhub.usecases.schemas import gdap_bulk_job_dict, gdap_bulk_report_dict

EXTENSION = "partnerhub extension (not in Partner Center): "
router = api_router(tags=["GDAP in bulk (partnerhub extension)"])

START_BODY = request_body(
    obj(
        {
            "action": text(32, "What to do for each customer.", enum=[a.value for a in GdapBulkAction]),
            "customerIds": {
                "type": "array",
                "items": {"type": "string", "maxLength": MAX_ID_LENGTH},
                "description": "The customers, each one of yours.",
            },
            "templateId": text(100, "The template (its id or name), for `requestFromTemplate`."),
        },
        required=("action", "customerIds"),
    ),
    {"action": "terminate", "customerIds": [EXAMPLE_CUSTOMER_ID]},
)


def _customer_ids(b: Body) -> list[str]:
    value = b.raw("customerIds")
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
    "/gdapBulkJobs",
    status_code=202,
    openapi_extra=START_BODY,
    description=EXTENSION + "queue a GDAP job over many customers: `{action: requestFromTemplate | "
    "terminate | renew, customerIds: [...], templateId?}`. Answers 202 with the "
    "job; poll its `Location`.",
)
def post_gdap_bulk_job(ctx: Ctx) -> Response:
    """Each customer is handled in a transaction of its own, so a crash leaves every customer untouched or done,
    and the job resumes; a customer its own state refuses is reported in the job, the others go on."""
    b = ctx.body()
    action = b.text("action", required=True, max_length=32) or ""
    customer_ids = _customer_ids(b)
    template_id = b.text("templateId", max_length=100)
    session = ctx.session
    job = start_gdap_bulk_job(session, ctx.actor, action=action, customer_ids=customer_ids, template_id=template_id)
    session.flush()
    body = gdap_bulk_job_dict(job, self_link=link(f"/v1/gdapBulkJobs/{job.id}"))
    return ctx.respond(202, body, headers={"Location": f"/v1/gdapBulkJobs/{job.id}"})


@router.get(
    "/gdapBulkJobs/{job_id}",
    description=EXTENSION + "a GDAP bulk job's progress `{status, done, total}` and its per-customer report.",
)
def get_gdap_bulk_job(job_id: str, ctx: Ctx) -> Response:
    report = gdap_bulk_report(ctx.session, ctx.actor, job_id=job_id)
    return ctx.respond(200, gdap_bulk_report_dict(report, self_link=link(f"/v1/gdapBulkJobs/{report.job.id}")))
