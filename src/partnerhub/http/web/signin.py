"""Sign-in, sign-out, the language switch and the start page (the sign-in page for a visitor, the
signed-in user's own start page otherwise)."""

from __future__ import annotations

import math
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import Response

from partnerhub.auth.attempts import SignInLimits
from partnerhub.auth.service import check_password
from partnerhub.auth.web_sessions import end_web_session
from partnerhub.errors import SignInBackedOff, SignInThrottled, Unauthenticated
from partnerhub.http.web.context import LANG_COOKIE, SESSION_COOKIE, Form, Web, WebCtx
from partnerhub.http.web.errors import WebRoute
from partnerhub.http.web.forms import REQUIRED, FormState
from partnerhub.http.web.sign_in_steps import continue_sign_in
from partnerhub.locale import N_, SUPPORTED

router = APIRouter(route_class=WebRoute, include_in_schema=False)

WRONG_CREDENTIALS = N_("The e-mail address or the password is not correct.")
SIGNED_OUT = N_("You have signed out.")
ONE_YEAR = 365 * 24 * 3600


def safe_next(value: str | None, default: str = "/") -> str:
    """Only a path on this site: never an open redirect to another host."""
    if not value:
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    return value


def start_page(ctx: WebCtx) -> str:
    actor = ctx.require_actor()
    if actor.is_operator:
        return "/operator/partners"
    if actor.is_customer_user:
        return "/partner-relationships"
    return "/"


def render_sign_in(
    ctx: WebCtx, form: FormState | None = None, *, next_path: str = "/", status_code: int = 200
) -> Response:
    return ctx.render("signin.html", form=form or FormState(ctx), next=next_path, status_code=status_code)


@router.get("/signin")
def sign_in_page(ctx: Web, next: str = "/") -> Response:
    if ctx.actor is not None:
        return ctx.redirect(safe_next(next, start_page(ctx)))
    return render_sign_in(ctx, next_path=safe_next(next))


@router.post("/signin")
def sign_in(ctx: Web, form: Form, request: Request) -> Response:
    state = FormState.from_form(ctx, form)
    next_path = safe_next(state.text("next", required=False, limit=2000))
    email = state.text("email", limit=320).lower()
    password = str(state.values.pop("password", ""))
    if not password:
        state.fail("password", REQUIRED)
    if not state.ok:
        return render_sign_in(ctx, state, next_path=next_path, status_code=400)
    limits: SignInLimits = request.app.state.sign_in_limits
    session = ctx.session
    wait = limits.client_address(session, request.client.host if request.client else "unknown")
    if wait is not None:  # one address trying many e-mails: a hard limit
        state.domain_error(SignInThrottled(seconds=wait))
        return render_sign_in(ctx, state, next_path=next_path, status_code=429)
    backoff = limits.email(session, email)
    try:
        user = check_password(session, email=email, password=password)  # the same cost, throttled or not
    except Unauthenticated:
        user = None
    # Past the e-mail's limit, only the right password of a user with multi-factor sign-in goes on (to the
    # code step): guesses at one e-mail cannot lock its owner out, and cannot get a session without the code.
    if backoff is not None and (user is None or not user.has_mfa):
        state.domain_error(SignInBackedOff(minutes=math.ceil(backoff / 60)))
        return render_sign_in(ctx, state, next_path=next_path, status_code=429)
    if user is None:
        state.fail("password", WRONG_CREDENTIALS)
        return render_sign_in(ctx, state, next_path=next_path, status_code=400)
    # the code, a new password, the enrolment: each step before the session exists (sign_in_steps)
    return continue_sign_in(ctx, ctx.session, user, mfa_done=False, next_path=next_path)


@router.post("/signout")
def sign_out(ctx: Web, form: Form) -> Response:
    if ctx.session_token:
        session = ctx.session
        end_web_session(session, ctx.session_token)
    ctx.drop_cookies.add(SESSION_COOKIE)
    ctx.actor = None
    ctx.locale = ctx.locale
    return ctx.redirect("/signin", flash=ctx.t(SIGNED_OUT))


@router.post("/language")
def switch_language(ctx: Web, form: Form) -> Response:
    """The switch on every page: remembered in a cookie for this browser (it wins over the user's setting)."""
    state = FormState.from_form(ctx, form)
    language = state.text("language", limit=8)
    if language in SUPPORTED:
        ctx.set_cookies[LANG_COOKIE] = (language, ONE_YEAR)
    return ctx.redirect(safe_next(state.text("next", required=False, limit=2000)))
