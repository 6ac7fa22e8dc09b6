"""The JSON API under /v1, shaped like the Partner Center REST API: a thin adapter over the services.

`mount_api()` installs the request envelope (ids, size limit, the generic 500), the error handlers (the
only place statuses are chosen), the throttle, the continuation-token signer and every feature's router.
Routes are declared in an order that keeps `/v1/customers/relationshiprequests` from being read as a
customer id."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from partnerhub.http.api import (
    audit_records,
    customer_users,
    customers,
    delegated_access,
    gdap,
    gdap_access,
    gdap_bulk,
    gdap_customers,
    gdap_templates,
    offboarding,
    orders,
    partner_relationships,
    relationship_requests,
    subscriptions,
    support_contacts,
    webhooks,
)
from partnerhub.http.api.context import ApiEnvelope
from partnerhub.http.api.errors import install_error_handlers
from partnerhub.http.api.openapi_bodies import note_case_insensitive_bodies
from partnerhub.http.api.paging import ContinuationTokens
from partnerhub.http.api.throttle import make_limiter
from partnerhub.runtime import Runtime


def v1_router() -> APIRouter:
    router = APIRouter(prefix="/v1")
    # relationship requests first: its /customers/relationshiprequests precedes /customers/{customer_id}
    for feature in (
        relationship_requests,
        customers,
        subscriptions,
        orders,
        audit_records,
        offboarding,
        gdap,
        gdap_access,
        gdap_customers,
        gdap_bulk,
        support_contacts,
        partner_relationships,
        customer_users,
        delegated_access,
        gdap_templates,
    ):
        note_case_insensitive_bodies(feature.router)
        router.include_router(feature.router)
    return router


def mount_api(app: FastAPI, runtime: Runtime) -> None:
    settings = runtime.settings
    app.state.throttle = make_limiter(settings.rate_limit_per_minute, settings.redis_url)
    app.state.continuation_tokens = ContinuationTokens(settings.resolved_secret_key)
    install_error_handlers(app)
    app.add_middleware(ApiEnvelope, max_request_bytes=settings.max_request_bytes, log_format=settings.log_format)
    app.include_router(v1_router())
    note_case_insensitive_bodies(webhooks.router)
    app.include_router(webhooks.router)  # /webhooks/v1, as Partner Center
