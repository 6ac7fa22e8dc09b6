"""Signing in with the organisation's identity provider (OpenID Connect):

1. *Sign in with your organisation* on the sign-in page posts the e-mail to `/signin/sso`; when its domain
   belongs to a tenant with single sign-on on, `/signin/sso` names the organisation and its provider.
2. Its *Continue* link (a link, not a form: the page's `form-action 'self'` would stop a form's redirect to
   another site) opens `/signin/oidc/start`, which sends the browser to the provider with `state`, `nonce` and
   PKCE; what the callback needs comes back with the browser in an encrypted, HttpOnly, ten-minute cookie.
3. The provider sends the browser to `/signin/oidc/callback`: the state must match the cookie; the code is
   redeemed and the ID token checked (auth/oidc_client.py); the user is found (auth/oidc_sign_in.py). This
   page only reads: the provider's answer is held in the sign-in's signed note.
4. `/signin/oidc/finish` goes on as a password sign-in does after the password: the code step or the
   enrolment where they apply (sign_in_steps.py), then the same new session, CSRF token and activity record.

Every refusal sends the browser back to the sign-in page with a message in its language."""

from __future__ import annotations

import json
import re
import secrets
import time
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter
from fastapi.responses import Response

from partnerhub import crypto
from partnerhub.auth.oidc import find_sign_in_provider, provider_credentials
from partnerhub.auth.oidc_client import authorization_request, redeem_code
from partnerhub.auth.oidc_sign_in import identify
from partnerhub.errors import DomainError
from partnerhub.errors.sso import SsoNotAvailable, SsoRefused, SsoStateMismatch
from partnerhub.http.web.context import Form, Web, WebCtx, writes_on_get
from partnerhub.http.web.errors import WebRoute
from partnerhub.http.web.forms import FormState
from partnerhub.http.web.sign_in_steps import continue_sign_in, held_sign_in, hold_sign_in
from partnerhub.http.web.signin import render_sign_in, safe_next
from partnerhub.http.web.users import EMAIL, NOT_AN_EMAIL
from partnerhub.locale import N_

router = APIRouter(route_class=WebRoute, include_in_schema=False)

OIDC_COOKIE = "ph_oidc"
OIDC_PURPOSE = "oidc-sign-in"  # crypto.py purpose of the cookie
OIDC_SECONDS = 600  # a sign-in at the provider must come back within ten minutes
CALLBACK_PATH = "/signin/oidc/callback"
PROVIDER_ERROR = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
SIGN_IN_AGAIN = N_("Sign in again: the sign-in was not finished in time.")


def callback_url(ctx: WebCtx) -> str:
    """The redirect URI registered at the provider: PARTNERHUB_BASE_URL + /signin/oidc/callback."""
    return ctx.runtime.settings.base_url.rstrip("/") + CALLBACK_PATH


def _back_to_sign_in(ctx: WebCtx, error: DomainError) -> Response:
    ctx.drop_cookies.add(OIDC_COOKIE)
    return ctx.redirect("/signin", flash=error.render(ctx.locale), kind="error")


@router.post("/signin/sso")
def choose_single_sign_on(ctx: Web, form: Form) -> Response:
    state = FormState.from_form(ctx, form)
    state.values.pop("password", None)  # never echoed back, and not needed here
    next_path = safe_next(state.text("next", required=False, limit=2000))
    email = state.text("email", limit=320).lower()
    if state.ok and not EMAIL.match(email):
        state.fail("email", NOT_AN_EMAIL)
    if not state.ok:
        return render_sign_in(ctx, state, next_path=next_path, status_code=400)
    if find_sign_in_provider(ctx.session, email=email) is None:
        state.domain_error(SsoNotAvailable(), field_of={SsoNotAvailable: "email"})
        return render_sign_in(ctx, state, next_path=next_path, status_code=400)
    return ctx.redirect("/signin/sso?" + urlencode({"email": email, "next": next_path}))


@router.get("/signin/sso")
def single_sign_on_page(ctx: Web, email: str = "", next: str = "/") -> Response:
    provider = find_sign_in_provider(ctx.session, email=email[:320])
    if provider is None:
        return _back_to_sign_in(ctx, SsoNotAvailable())
    start = "/signin/oidc/start?" + urlencode({"email": email, "next": safe_next(next)})
    return ctx.render(
        "sso/continue.html",
        organisation=provider.tenant_name,
        email=email,
        provider_host=urlsplit(provider.issuer).netloc,
        start=start,
    )


@router.get("/signin/oidc/start")
def start_single_sign_on(ctx: Web, email: str = "", next: str = "/") -> Response:
    provider = find_sign_in_provider(ctx.session, email=email[:320])
    if provider is None:
        return _back_to_sign_in(ctx, SsoNotAvailable())
    secret_key = ctx.runtime.settings.resolved_secret_key
    try:
        credentials = provider_credentials(ctx.session, tenant_id=provider.tenant_id, secret_key=secret_key)
        request = authorization_request(
            credentials, redirect_uri=callback_url(ctx), login_hint=email, locale=ctx.locale
        )
    except DomainError as exc:
        return _back_to_sign_in(ctx, exc)
    held = {
        "tenant": provider.tenant_id,
        "state": request.state,
        "nonce": request.nonce,
        "verifier": request.code_verifier,
        "next": safe_next(next),
        "expires": int(time.time()) + OIDC_SECONDS,
    }
    ctx.set_cookies[OIDC_COOKIE] = (crypto.encrypt(secret_key, OIDC_PURPOSE, json.dumps(held)), OIDC_SECONDS)
    return ctx.redirect(request.url)


def _held(ctx: WebCtx) -> dict[str, object] | None:
    raw = ctx.request.cookies.get(OIDC_COOKIE)
    if not raw:
        return None
    try:
        held = json.loads(crypto.decrypt(ctx.runtime.settings.resolved_secret_key, OIDC_PURPOSE, raw))
    except (crypto.SecretUnreadable, ValueError):
        return None
    if not isinstance(held, dict) or not isinstance(held.get("expires"), int) or held["expires"] < time.time():
        return None
    return held


@router.get(CALLBACK_PATH)
def single_sign_on_callback(ctx: Web, state: str = "", code: str = "", error: str = "", iss: str = "") -> Response:
    held = _held(ctx)
    ctx.drop_cookies.add(OIDC_COOKIE)  # one answer per sign-in
    if held is None or not state or not secrets.compare_digest(str(held.get("state", "")), state[:200]):
        return _back_to_sign_in(ctx, SsoStateMismatch())
    if error or not code:
        reason = error if PROVIDER_ERROR.match(error) else "invalid_response"
        return _back_to_sign_in(ctx, SsoRefused(reason=reason))
    tenant_id = str(held["tenant"])
    try:
        credentials = provider_credentials(
            ctx.session, tenant_id=tenant_id, secret_key=ctx.runtime.settings.resolved_secret_key
        )
        if iss and iss != credentials.issuer:  # RFC 9207: the answer of another provider (a mix-up)
            raise SsoStateMismatch()
        claims = redeem_code(
            credentials,
            redirect_uri=callback_url(ctx),
            code=code[:2000],
            code_verifier=str(held["verifier"]),
            nonce=str(held["nonce"]),
        )
        identity = identify(ctx.session, tenant_id=tenant_id, claims=claims)
    except DomainError as exc:
        return _back_to_sign_in(ctx, exc)
    hold_sign_in(ctx, identity.user, mfa_done=identity.mfa_at_provider, sso="1")
    return ctx.redirect("/signin/oidc/finish?" + urlencode({"next": safe_next(str(held.get("next", "/")))}))


@router.get("/signin/oidc/finish")
@writes_on_get
def finish_single_sign_on(ctx: Web, next: str = "/") -> Response:
    session = ctx.session
    found = held_sign_in(ctx, session)
    if found is None or found[0].sso != "1":
        return ctx.redirect("/signin", flash=ctx.t(SIGN_IN_AGAIN), kind="info")
    pending, user = found
    return continue_sign_in(ctx, session, user, mfa_done=pending.mfa_done, next_path=safe_next(next), sso="1")
