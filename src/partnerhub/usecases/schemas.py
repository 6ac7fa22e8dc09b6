"""The shapes of the use cases' answers, built once for every door: an offboarding's preview and result, and a
bulk offboarding job with its per-customer report (our extension, `/v1/offboardings`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from partnerhub.clock import iso_utc
from partnerhub.jobs.models import ItemStatus, Job, JobItem
from partnerhub.subscriptions.schemas import subscription_summary_dict

if TYPE_CHECKING:  # the use cases store these shapes (a bulk item's result): they import this module
    from partnerhub.usecases.bulk_offboarding import BulkReport
    from partnerhub.usecases.offboard_customer import OffboardingPreview, OffboardingResult


def offboarding_preview_dict(preview: OffboardingPreview) -> dict[str, Any]:
    return {
        "customerId": preview.customer_id,
        "companyName": preview.company_name,
        "canOffboard": preview.can_offboard,
        "subscriptionsToSuspend": [subscription_summary_dict(s) for s in preview.to_suspend],
        "reservationsToCancel": [subscription_summary_dict(s) for s in preview.to_cancel],
        "blockingReservations": [subscription_summary_dict(s) for s in preview.blocking],
        "alreadyInactive": preview.already_inactive,
        "endsDelegatedAdmin": preview.ends_dap,
        "adminRelationshipsToEnd": [
            {"id": g.id, "displayName": g.display_name, "status": g.status} for g in preview.gdap_to_end
        ],
        "supportContactChanges": [s.id for s in preview.support_contact_changes],
        "relationshipToPartner": {"from": "reseller", "to": "none"},
    }


def offboarding_result_dict(result: OffboardingResult) -> dict[str, Any]:
    return {
        "customerId": result.customer_id,
        "suspended": result.suspended,
        "cancelled": result.cancelled,
        "relationshipId": result.relationship_id,
        "relationshipToPartner": "none",
    }


def bulk_job_dict(job: Job, *, self_link: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": job.id,
        "status": job.status,
        "done": job.progress_done,
        "total": job.progress_total,
        "cancelReservations": bool(job.payload.get("cancelReservations")),
        "createdAt": iso_utc(job.created_at),
        "finishedAt": iso_utc(job.finished_at),
        "links": {"self": self_link},
        "attributes": {"objectType": "BulkOffboarding"},
    }


def bulk_item_dict(item: JobItem, names: dict[str, str]) -> dict[str, Any]:
    """One customer's outcome; the company name only of customers the partner has known."""
    out: dict[str, Any] = {
        "customerId": item.item_key,
        "companyName": names.get(item.item_key),
        "status": item.status,
        "finishedAt": iso_utc(item.finished_at),
    }
    if item.status == ItemStatus.SUCCEEDED:
        out["result"] = item.result
    elif item.status == ItemStatus.FAILED:
        out["error"] = {"code": item.error_code, "description": item.error, "data": (item.result or {}).get("data", [])}
    return out


def bulk_report_dict(report: BulkReport, *, self_link: dict[str, Any]) -> dict[str, Any]:
    return {
        **bulk_job_dict(report.job, self_link=self_link),
        "summary": report.counts,
        "items": [bulk_item_dict(i, report.company_names) for i in report.items],
    }


def gdap_bulk_job_dict(job: Job, *, self_link: dict[str, Any]) -> dict[str, Any]:
    """A GDAP bulk job (our extension, `/v1/gdapBulkJobs`): its action, progress and template."""
    return {
        "id": job.id,
        "action": job.payload.get("action"),
        "templateId": job.payload.get("templateId"),
        "templateName": job.payload.get("templateName"),
        "status": job.status,
        "done": job.progress_done,
        "total": job.progress_total,
        "createdAt": iso_utc(job.created_at),
        "finishedAt": iso_utc(job.finished_at),
        "links": {"self": self_link},
        "attributes": {"objectType": "GdapBulkJob"},
    }


def gdap_bulk_report_dict(report: BulkReport, *, self_link: dict[str, Any]) -> dict[str, Any]:
    return {
        **gdap_bulk_job_dict(report.job, self_link=self_link),
        "summary": report.counts,
        "items": [bulk_item_dict(i, report.company_names) for i in report.items],
    }
