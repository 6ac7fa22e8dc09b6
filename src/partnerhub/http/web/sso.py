"""My account → Single sign-on: a tenant's Global admin connects the organisation's own OpenID Connect identity
provider (issuer, client ID, client secret) and turns single sign-on on or off. The page shows the redirect URI
to register at the provider; it never shows the client secret back."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from partnerhub.auth.oidc import SingleSignOnView, get_single_sign_on, set_single_sign_on
from partnerhub.errors import DomainError, Forbidden
from partnerhub.errors.sso import SsoClientIdInvalid, SsoIssuerInvalid, SsoSecretRequired
from partnerhub.http.web.context import Form, SignedIn, WebCtx
from partnerhub.http.web.errors import WebRoute
from partnerhub.http.web.forms import FormState
from partnerhub.http.web.sso_sign_in import callback_url
from partnerhub.locale import N_

router = APIRouter(route_class=WebRoute, include_in_schema=False)

SAVED_ON = N_("Single sign-on is on: your users can sign in with your identity provider.")
SAVED_OFF = N_("The single sign-on settings were saved. Single sign-on is off.")
FIELDS: dict[type[DomainError], str] = {
    SsoIssuerInvalid: "issuer",
    SsoClientIdInvalid: "client_id",
    SsoSecretRequired: "client_secret",
}


def _tenant_id(ctx: WebCtx) -> str:
    actor = ctx.require_actor()
    if actor.tenant_id is None:  # the operator's accounts belong to no tenant: `partnerhub sso` serves them
        raise Forbidden(operation="configure single sign-on")
    return actor.tenant_id


def _render(
    ctx: WebCtx, current: SingleSignOnView | None, form: FormState | None = None, status_code: int = 200
) -> Response:
    if form is None:
        values = (
            {"issuer": current.issuer, "client_id": current.client_id, "enabled": "on" if current.is_enabled else "off"}
            if current
            else {"enabled": "on"}
        )
        form = FormState(ctx, values)
    return ctx.render(
        "sso/settings.html",
        status_code=status_code,
        current=current,
        form=form,
        redirect_uri=callback_url(ctx),
        breadcrumbs=[("/account", ctx.t("My account")), (None, ctx.t("Single sign-on"))],
    )


@router.get("/account/sso")
def single_sign_on_settings(ctx: SignedIn) -> Response:
    actor = ctx.require_actor()
    return _render(ctx, get_single_sign_on(ctx.session, actor, tenant_id=_tenant_id(ctx)))


@router.post("/account/sso")
def save_single_sign_on(ctx: SignedIn, form: Form) -> Response:
    actor = ctx.require_actor()
    tenant_id = _tenant_id(ctx)
    current = get_single_sign_on(ctx.session, actor, tenant_id=tenant_id)
    state = FormState.from_form(ctx, form)
    secret = str(state.values.pop("client_secret", ""))  # never echoed back into the page
    issuer = state.text("issuer", limit=500)
    client_id = state.text("client_id", limit=255)
    enabled = state.choice("enabled", ("on", "off")) == "on"
    if not state.ok:
        return _render(ctx, current, state, 400)
    try:
        with ctx.attempt() as session:
            set_single_sign_on(
                session,
                actor,
                tenant_id=tenant_id,
                issuer=issuer,
                client_id=client_id,
                client_secret=secret,
                enabled=enabled,
                secret_key=ctx.runtime.settings.resolved_secret_key,
            )
    except DomainError as exc:
        state.domain_error(exc, field_of=FIELDS)
        return _render(ctx, current, state, 400)
    return ctx.redirect("/account/sso", flash=ctx.t(SAVED_ON if enabled else SAVED_OFF))
