"""The web dashboard: server-rendered pages for partners, customers' Global admins and the operator, in the
same application as the API and over the same services. `mount_web()` installs the signer (CSRF tokens,
flash cookies), the sign-in throttle, the static files and every page router."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from partnerhub.auth.attempts import make_sign_in_limits
from partnerhub.http.web import (
    account_security,
    activity,
    add_customer,
    admin_relationships,
    billing_profile,
    customer_pages,
    customers,
    dashboard,
    gdap_bulk,
    gdap_renewal,
    gdap_templates,
    invitations,
    offboarding,
    operator,
    orders,
    partner_relationships,
    partnerships,
    sign_in_steps,
    signin,
    sso,
    sso_sign_in,
    users,
    webhooks,
)
from partnerhub.http.web.context import Signer
from partnerhub.http.web.errors import page_or_api_http_error
from partnerhub.runtime import Runtime

# Each page module has its own router; the order matters where paths overlap (/customers/export.csv before
# /customers/{customer_id}).
PAGE_MODULES = (
    signin,
    sign_in_steps,
    sso_sign_in,
    sso,
    dashboard,
    gdap_renewal,
    add_customer,
    customers,
    offboarding,
    gdap_bulk,
    orders,
    gdap_templates,
    admin_relationships,
    customer_pages,
    billing_profile,
    invitations,
    partner_relationships,
    activity,
    users,
    account_security,
    partnerships,
    operator,
    webhooks,
)


def mount_web(app: FastAPI, runtime: Runtime) -> None:
    settings = runtime.settings
    app.state.web_signer = Signer(settings.resolved_secret_key)
    app.state.sign_in_limits = make_sign_in_limits(settings.sign_in_attempts_per_minute, settings.redis_url)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    for module in PAGE_MODULES:
        app.include_router(module.router)
    api_handler = app.exception_handlers[HTTPException]
    app.add_exception_handler(HTTPException, page_or_api_http_error(api_handler))
