"""The shapes of webhooks shared by every door: a registration/endpoint (Partner Center's
WebhookRegistration, plus our fields), a delivery with its attempts, a validation event."""

from __future__ import annotations

from typing import Any

from partnerhub.clock import iso_utc
from partnerhub.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

BASE = "/webhooks/v1"


def endpoint_path(e: WebhookEndpoint) -> str:
    return f"{BASE}/registration" if e.is_registration else f"{BASE}/endpoints/{e.id}"


def endpoint_dict(e: WebhookEndpoint, *, secret: str | None = None) -> dict[str, Any]:
    """Partner Center's WebhookRegistration; the signing secret only in the answer that made it."""
    return {
        "id": e.id,
        "subscriberId": e.partner_id,
        "webhookUrl": e.url,
        "webhookEvents": list(e.events),
        "signatureTokenToMsSignatureHeader": False,
        "properties": {"signingSecret": secret} if secret else {},
        "lastModifiedTimestamp": iso_utc(e.updated_at),
        "isRegistration": e.is_registration,
        "isEnabled": e.is_enabled,
        "disabledReason": e.disabled_reason,
        "disabledAt": iso_utc(e.disabled_at),
        "fullBody": e.full_body,
        "previousSecretValidUntil": iso_utc(e.previous_secret_until),
        "links": {
            "self": {"uri": endpoint_path(e), "method": "GET", "headers": []},
            "deliveries": {"uri": f"{BASE}/endpoints/{e.id}/deliveries", "method": "GET", "headers": []},
        },
        "attributes": {"objectType": "WebhookRegistration"},
    }


def attempt_dict(a: WebhookAttempt) -> dict[str, Any]:
    return {
        "attemptedAt": iso_utc(a.attempted_at),
        "statusCode": a.status_code,
        "error": a.error,
        "answer": a.answer,
        "durationMs": a.duration_ms,
    }


def delivery_dict(d: WebhookDelivery, attempts: list[WebhookAttempt]) -> dict[str, Any]:
    """One delivery of the log: its `webhook-id` (the id), event, status, attempts and answers."""
    return {
        "id": d.id,
        "endpointId": d.endpoint_id,
        "eventName": d.event_name,
        "status": d.status,
        "attempts": [attempt_dict(a) for a in attempts],
        "attemptCount": d.attempts,
        "lastStatusCode": d.last_status_code,
        "lastError": d.last_error,
        "nextAttemptAt": iso_utc(d.next_attempt_at),
        "createdAt": iso_utc(d.created_at),
        "finishedAt": iso_utc(d.finished_at),
        "activityRecordId": d.activity_record_id,
        "correlationId": d.correlation_id,
        "body": d.body,
        "links": {"redeliver": {"uri": f"{BASE}/deliveries/{d.id}/redeliver", "method": "POST", "headers": []}},
        "attributes": {"objectType": "WebhookDelivery"},
    }


def validation_event_dict(d: WebhookDelivery, attempts: list[WebhookAttempt], callback_url: str) -> dict[str, Any]:
    """Partner Center's WebhookValidationEvent: the test event's status and the receiver's answers."""
    return {
        "correlationId": d.correlation_id,
        "partnerId": d.partner_id,
        "status": d.status,
        "callbackUrl": callback_url,
        "results": [
            {
                "responseCode": str(a.status_code) if a.status_code is not None else "",
                "responseMessage": (a.answer or a.error or "")[:500],
                "systemError": a.status_code is None,
                "dateTimeUtc": iso_utc(a.attempted_at),
            }
            for a in attempts
        ],
        "attempts": [attempt_dict(a) for a in attempts],
        "attributes": {"objectType": "WebhookValidationEvent"},
    }
