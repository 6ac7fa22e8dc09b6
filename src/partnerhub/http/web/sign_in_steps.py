"""The steps of a sign-in after a right password, before any session exists: the authenticator code of an
enrolled user, a new password in place of a generated (one-time) one, and the multi-factor enrolment the
tenant's policy requires. Between steps the browser holds only a short-lived signed note (user, whether
the code was given, the password's fingerprint); the session is opened when the last step is done."""

from __future__ import annotations

import time
from dataclasses import dataclass

import segno
from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from partnerhub.auth.attempts import SignInLimits
from partnerhub.auth.models import User
from partnerhub.auth.oidc_sign_in import sign_in_details
from partnerhub.auth.service import actor_for_user
from partnerhub.auth.sign_in import (
    MIN_PASSWORD_LENGTH,
    STEP_CODE,
    STEP_ENROL,
    STEP_PASSWORD,
    confirm_mfa_enrolment,
    mfa_required,
    mfa_setup_key,
    next_sign_in_step,
    password_fingerprint,
    provisioning_uri,
    set_own_password,
    verify_second_factor,
)
from partnerhub.auth.web_sessions import end_web_session, open_web_session
from partnerhub.errors import (
    DomainError,
    PasswordNotChanged,
    PasswordTooWeak,
    SignInThrottled,
    WrongCurrentPassword,
    WrongMfaCode,
)
from partnerhub.http.web.context import ANON_COOKIE, SESSION_COOKIE, Form, Web, WebCtx
from partnerhub.http.web.errors import WebRoute
from partnerhub.http.web.forms import REQUIRED, FormState
from partnerhub.locale import N_

router = APIRouter(route_class=WebRoute, include_in_schema=False)

PENDING_COOKIE = "ph_signin"
PENDING_SECONDS = 600  # a half-finished sign-in is forgotten after ten minutes
PASSWORDS_DIFFER = N_("The two new passwords are not the same.")
SIGN_IN_AGAIN = N_("Sign in again: the sign-in was not finished in time.")
STEP_PATHS = {STEP_CODE: "/signin/code", STEP_PASSWORD: "/signin/password", STEP_ENROL: "/signin/mfa-setup"}


@dataclass(frozen=True)
class Pending:
    user_id: str
    mfa_done: bool
    expires: int
    fingerprint: str
    sso: str = ""  # "1": the user's identity provider signed them in (no password step; its record says so)


def _note(ctx: WebCtx, pending: Pending) -> None:
    value = f"{pending.user_id}:{int(pending.mfa_done)}:{pending.expires}:{pending.fingerprint}:{pending.sso}"
    ctx.set_cookies[PENDING_COOKIE] = (ctx.signer.sign("signin", value), PENDING_SECONDS)


def _read(ctx: WebCtx, session: Session) -> tuple[Pending, User] | None:
    """The half-finished sign-in of this browser, if it is still valid (not expired, same password)."""
    raw = ctx.request.cookies.get(PENDING_COOKIE)
    value = ctx.signer.unsign("signin", raw) if raw else None
    if not value:
        return None
    try:
        user_id, done, expires, fingerprint, sso = value.split(":")
        pending = Pending(user_id, done == "1", int(expires), fingerprint, sso)
    except ValueError:
        return None
    user = session.get(User, pending.user_id)
    if pending.expires < time.time() or user is None or not user.is_active:
        return None
    if password_fingerprint(user) != pending.fingerprint:
        return None
    return pending, user


def hold_sign_in(ctx: WebCtx, user: User, *, mfa_done: bool, sso: str) -> None:
    """Remember a sign-in verified by this request for the next one (a single sign-on is verified by the
    provider's callback, which only reads, and finished by the page it sends the browser to)."""
    _note(ctx, Pending(user.id, mfa_done, int(time.time()) + PENDING_SECONDS, password_fingerprint(user), sso))


def held_sign_in(ctx: WebCtx, session: Session) -> tuple[Pending, User] | None:
    return _read(ctx, session)


def continue_sign_in(
    ctx: WebCtx, session: Session, user: User, *, mfa_done: bool, next_path: str, sso: str = ""
) -> Response:
    """Send the browser to the next step, or open the session when none is left (`sso`: see Pending)."""
    step = next_sign_in_step(session, user, mfa_done=mfa_done, with_password=not sso)
    if step == STEP_ENROL:
        mfa_setup_key(session, user)  # kept until the enrolment is confirmed, so a scanned code stays valid
    if step is not None:
        _note(ctx, Pending(user.id, mfa_done, int(time.time()) + PENDING_SECONDS, password_fingerprint(user), sso))
        return ctx.redirect(f"{STEP_PATHS[step]}?next={next_path}")
    return finish_sign_in(ctx, session, user, mfa_done=mfa_done, next_path=next_path, sso=sso)


def finish_sign_in(
    ctx: WebCtx, session: Session, user: User, *, mfa_done: bool, next_path: str, sso: str = ""
) -> Response:
    from partnerhub.http.web.signin import start_page

    settings = ctx.runtime.settings
    if ctx.session_token:  # signing in again ends the old session: ids are never reused
        end_web_session(session, ctx.session_token)
    started = open_web_session(
        session,
        user,
        is_mfa=mfa_done,
        max_hours=settings.session_max_hours,
        single_sign_on=sign_in_details(session, user) if sso else None,
    )
    ctx.set_cookies[SESSION_COOKIE] = (started.token, settings.session_max_hours * 3600)
    ctx.drop_cookies.update({ANON_COOKIE, PENDING_COOKIE})
    ctx.actor = started.actor
    ctx.session_token = started.token
    ctx.csrf_token = ctx.signer.mac("csrf", "session:" + started.token)  # forms on the next page are the session's
    return ctx.redirect(start_page(ctx) if next_path == "/" else next_path)


def _restart(ctx: WebCtx) -> Response:
    ctx.drop_cookies.add(PENDING_COOKIE)
    return ctx.redirect("/signin", flash=ctx.t(SIGN_IN_AGAIN), kind="info")


def _next(ctx: WebCtx, state: FormState | None = None) -> str:
    from partnerhub.http.web.signin import safe_next

    if state is not None:
        return safe_next(state.text("next", required=False, limit=2000))
    return safe_next(ctx.request.query_params.get("next"))


def _throttled(ctx: WebCtx, request: Request, user_id: str, state: FormState) -> bool:
    limits: SignInLimits = request.app.state.sign_in_limits
    wait = limits.code(ctx.session, user_id)
    if wait is not None:
        state.domain_error(SignInThrottled(seconds=wait))
        return True
    return False


# --- the code of an enrolled user ----------------------------------------------------------------------


def _render_code(ctx: WebCtx, state: FormState, next_path: str, status_code: int = 200) -> Response:
    return ctx.render("signin_code.html", form=state, next=next_path, status_code=status_code)


@router.get("/signin/code")
def code_page(ctx: Web) -> Response:
    if _read(ctx, ctx.session) is None:
        return _restart(ctx)
    return _render_code(ctx, FormState(ctx), _next(ctx))


@router.post("/signin/code")
def enter_code(ctx: Web, form: Form, request: Request) -> Response:
    state = FormState.from_form(ctx, form)
    next_path = _next(ctx, state)
    found = _read(ctx, ctx.session)
    if found is None:
        return _restart(ctx)
    pending, user = found
    code = state.text("code", limit=40)
    if not state.ok:
        return _render_code(ctx, state, next_path, 400)
    if _throttled(ctx, request, user.id, state):
        return _render_code(ctx, state, next_path, 429)
    try:
        with ctx.attempt() as session:
            verify_second_factor(session, user, code=code, actor=actor_for_user(session, user, application="web"))
    except DomainError as exc:
        state.values.pop("code", None)
        state.domain_error(exc, field_of={WrongMfaCode: "code"})
        return _render_code(ctx, state, next_path, 400)
    return continue_sign_in(ctx, ctx.session, user, mfa_done=True, next_path=next_path, sso=pending.sso)


# --- a new password in place of the generated one ------------------------------------------------------


def _render_password(ctx: WebCtx, state: FormState, next_path: str, status_code: int = 200) -> Response:
    return ctx.render(
        "signin_password.html", form=state, next=next_path, minimum=MIN_PASSWORD_LENGTH, status_code=status_code
    )


@router.get("/signin/password")
def password_page(ctx: Web) -> Response:
    if _read(ctx, ctx.session) is None:
        return _restart(ctx)
    return _render_password(ctx, FormState(ctx), _next(ctx))


def read_new_password(state: FormState) -> tuple[str, str, str]:
    """The current password and the new one twice, never echoed back into the form."""
    current = str(state.values.pop("current_password", ""))
    new = str(state.values.pop("new_password", ""))
    again = str(state.values.pop("new_password_again", ""))
    if not current:
        state.fail("current_password", REQUIRED)
    if not new:
        state.fail("new_password", REQUIRED)
    elif new != again:
        state.fail("new_password_again", PASSWORDS_DIFFER)
    return current, new, again


PASSWORD_FIELDS: dict[type[DomainError], str] = {
    WrongCurrentPassword: "current_password",
    PasswordTooWeak: "new_password",
    PasswordNotChanged: "new_password",
}


@router.post("/signin/password")
def set_password(ctx: Web, form: Form) -> Response:
    state = FormState.from_form(ctx, form)
    next_path = _next(ctx, state)
    found = _read(ctx, ctx.session)
    if found is None:
        return _restart(ctx)
    pending, user = found
    current, new, _again = read_new_password(state)
    if not state.ok:
        return _render_password(ctx, state, next_path, 400)
    try:
        with ctx.attempt() as session:
            set_own_password(
                session, user, actor=actor_for_user(session, user, application="web"), current=current, new=new
            )
    except DomainError as exc:
        state.domain_error(exc, field_of=PASSWORD_FIELDS)
        return _render_password(ctx, state, next_path, 400)
    return continue_sign_in(ctx, ctx.session, user, mfa_done=pending.mfa_done, next_path=next_path, sso=pending.sso)


# --- the enrolment the policy requires -----------------------------------------------------------------


def qr_svg_data_uri(uri: str) -> str:
    """The authenticator's set-up code as an SVG drawn here (no outside service sees the key)."""
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, border=2))


def render_enrolment(
    ctx: WebCtx, user: User, secret: str, state: FormState, *, action: str, next_path: str, status_code: int = 200
) -> Response:
    """The set-up page: the QR code, the key as text for those who cannot scan, the field for the first code."""
    uri = provisioning_uri(user, secret)
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return ctx.render(
        "mfa_setup.html",
        form=state,
        next=next_path,
        action=action,
        qr=qr_svg_data_uri(uri),
        key=grouped,
        email=user.email,
        required=mfa_required(ctx.session, user),
        status_code=status_code,
    )


@router.get("/signin/mfa-setup")
def enrol_page(ctx: Web) -> Response:
    session = ctx.session
    found = _read(ctx, session)
    if found is None:
        return _restart(ctx)
    pending, user = found
    if user.has_mfa:  # enrolled meanwhile (another browser): the code step comes instead
        return continue_sign_in(ctx, session, user, mfa_done=False, next_path=_next(ctx), sso=pending.sso)
    secret = user.mfa_secret
    if secret is None:  # the key is made by the step before (a POST): a GET only reads
        return _restart(ctx)
    return render_enrolment(ctx, user, secret, FormState(ctx), action="/signin/mfa-setup", next_path=_next(ctx))


@router.post("/signin/mfa-setup")
def enrol(ctx: Web, form: Form, request: Request) -> Response:
    state = FormState.from_form(ctx, form)
    next_path = _next(ctx, state)
    session = ctx.session
    found = _read(ctx, session)
    if found is None:
        return _restart(ctx)
    pending, user = found
    code = state.text("code", limit=40)
    if user.mfa_secret is None:
        return _restart(ctx)
    if not state.ok or _throttled(ctx, request, user.id, state):
        return render_enrolment(
            ctx, user, user.mfa_secret, state, action="/signin/mfa-setup", next_path=next_path, status_code=400
        )
    try:
        with ctx.attempt() as s:
            codes = confirm_mfa_enrolment(s, user, actor=actor_for_user(s, user, application="web"), code=code)
    except DomainError as exc:
        state.values.pop("code", None)
        state.domain_error(exc, field_of={WrongMfaCode: "code"})
        return render_enrolment(
            ctx, user, user.mfa_secret, state, action="/signin/mfa-setup", next_path=next_path, status_code=400
        )
    step = next_sign_in_step(session, user, mfa_done=True, with_password=not pending.sso)
    assert step is None, step  # the password was set before the enrolment
    from partnerhub.http.web.signin import start_page

    finish_sign_in(ctx, session, user, mfa_done=True, next_path=next_path, sso=pending.sso)
    return ctx.render("recovery_codes.html", codes=codes, next=start_page(ctx) if next_path == "/" else next_path)
