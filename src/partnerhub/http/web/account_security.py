"""My account's sign-in security: change your own password (every other session and every API token of
yours ends), set up multi-factor sign-in (QR code drawn here, key as text, recovery codes), get new recovery
codes after a code from the app, turn multi-factor sign-in off where the organisation allows it (after a code
or the password), and the tenant's "require MFA for every user" policy, set by its Global admin. The
confirmations count against the user's code limit, as the codes of a sign-in do."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from partnerhub.auth.attempts import SignInLimits
from partnerhub.auth.directory import get_my_user
from partnerhub.auth.sign_in import (
    change_my_password,
    check_may_turn_off_mfa,
    confirm_mfa_enrolment,
    get_my_factor,
    mfa_setup_key,
    regenerate_recovery_codes,
    set_mfa_policy,
    turn_off_my_mfa,
)
from partnerhub.auth.web_sessions import find_web_session_id
from partnerhub.errors import DomainError, MfaAlreadyEnabled, SignInThrottled, WrongCurrentPassword, WrongMfaCode
from partnerhub.http.web.context import Form, SignedIn, WebCtx
from partnerhub.http.web.errors import WebRoute
from partnerhub.http.web.forms import FormState
from partnerhub.http.web.sign_in_steps import PASSWORD_FIELDS, read_new_password, render_enrolment
from partnerhub.http.web.users import _render_account
from partnerhub.locale import N_

router = APIRouter(route_class=WebRoute, include_in_schema=False)

PASSWORD_CHANGED = N_("Your password was changed. Your other sessions and your API tokens have ended.")
MFA_ALREADY_ON = N_("Multi-factor sign-in is already on for your account.")
POLICY_ON = N_("Every user of your organisation now signs in with multi-factor authentication.")
POLICY_OFF = N_("Multi-factor sign-in is now each user's choice in your organisation.")
MFA_TURNED_OFF = N_(
    "Multi-factor sign-in is off for your account: your password alone signs in, and your recovery "
    "codes no longer work."
)


@router.post("/account/password")
def change_password(ctx: SignedIn, form: Form) -> Response:
    actor = ctx.require_actor()
    state = FormState.from_form(ctx, form)
    current, new, _again = read_new_password(state)
    if not state.ok:
        return _render_account(ctx, password_form=state, status_code=400)
    try:
        with ctx.attempt() as session:
            change_my_password(
                session,
                actor,
                current=current,
                new=new,
                keep_session_id=find_web_session_id(session, ctx.session_token),
            )
    except DomainError as exc:
        state.domain_error(exc, field_of=PASSWORD_FIELDS)
        return _render_account(ctx, password_form=state, status_code=400)
    return ctx.redirect("/account", flash=ctx.t(PASSWORD_CHANGED))


@router.post("/account/mfa/start")
def start_mfa(ctx: SignedIn, form: Form) -> Response:
    user = get_my_user(ctx.session, ctx.require_actor())
    if user.has_mfa:
        return ctx.redirect("/account", flash=ctx.t(MFA_ALREADY_ON), kind="info")
    mfa_setup_key(ctx.session, user)
    return ctx.redirect("/account/mfa")


@router.get("/account/mfa")
def mfa_page(ctx: SignedIn) -> Response:
    user = get_my_user(ctx.session, ctx.require_actor())
    if user.has_mfa or user.mfa_secret is None:
        return ctx.redirect("/account")
    return render_enrolment(ctx, user, user.mfa_secret, FormState(ctx), action="/account/mfa", next_path="/account")


@router.post("/account/mfa")
def confirm_mfa(ctx: SignedIn, form: Form) -> Response:
    actor = ctx.require_actor()
    state = FormState.from_form(ctx, form)
    user = get_my_user(ctx.session, actor)
    if user.has_mfa or user.mfa_secret is None:
        return ctx.redirect("/account")
    code = state.text("code", limit=40)
    if state.ok:
        try:
            with ctx.attempt() as session:
                codes = confirm_mfa_enrolment(session, user, actor=actor, code=code)
            return ctx.render("recovery_codes.html", codes=codes, next="/account")
        except MfaAlreadyEnabled:
            return ctx.redirect("/account")
        except DomainError as exc:
            state.values.pop("code", None)
            state.domain_error(exc, field_of={WrongMfaCode: "code"})
    return render_enrolment(
        ctx, user, user.mfa_secret, state, action="/account/mfa", next_path="/account", status_code=400
    )


@router.post("/account/mfa-policy")
def mfa_policy(ctx: SignedIn, form: Form) -> Response:
    actor = ctx.require_actor()
    state = FormState.from_form(ctx, form)
    required = state.choice("require_mfa", ("on", "off")) == "on"
    if not state.ok:
        return _render_account(ctx, status_code=400)
    set_mfa_policy(ctx.session, actor, required=required)
    return ctx.redirect("/account", flash=ctx.t(POLICY_ON if required else POLICY_OFF))


# --- new recovery codes, turning it off ------------------------------------------------------------------


def _throttled(ctx: WebCtx, request: Request, user_id: str, state: FormState) -> bool:
    """A confirmation is a code attempt: a stolen session must not guess its way through (F11's code limit)."""
    limits: SignInLimits = request.app.state.sign_in_limits
    wait = limits.code(ctx.session, user_id)
    if wait is not None:
        state.domain_error(SignInThrottled(seconds=wait))
    return wait is not None


def _account_crumbs(ctx: WebCtx, title: str) -> list[tuple[str | None, str]]:
    return [("/account", ctx.t("My account")), (None, title)]


def _render_new_codes(ctx: WebCtx, state: FormState, status_code: int = 200) -> Response:
    return ctx.render(
        "users/new_recovery_codes.html",
        form=state,
        status_code=status_code,
        breadcrumbs=_account_crumbs(ctx, ctx.t("Get new recovery codes")),
    )


@router.get("/account/mfa/recovery-codes")
def new_codes_page(ctx: SignedIn) -> Response:
    get_my_factor(ctx.session, ctx.require_actor())
    return _render_new_codes(ctx, FormState(ctx))


@router.post("/account/mfa/recovery-codes")
def new_codes(ctx: SignedIn, form: Form, request: Request) -> Response:
    actor = ctx.require_actor()
    user = get_my_factor(ctx.session, actor)
    state = FormState.from_form(ctx, form)
    code = state.text("code", limit=40)
    state.values.pop("code", None)
    if not state.ok:
        return _render_new_codes(ctx, state, 400)
    if _throttled(ctx, request, user.id, state):
        return _render_new_codes(ctx, state, 429)
    try:
        with ctx.attempt() as session:
            codes = regenerate_recovery_codes(session, actor, code=code)
    except DomainError as exc:
        state.domain_error(exc, field_of={WrongMfaCode: "code"})
        return _render_new_codes(ctx, state, 400)
    # Shown on this answer only (no-store): only a fingerprint of each code is kept.
    return ctx.render(
        "recovery_codes.html",
        codes=codes,
        next="/account",
        renewed=True,
        breadcrumbs=_account_crumbs(ctx, ctx.t("Get new recovery codes")),
    )


def _render_turn_off(ctx: WebCtx, state: FormState, status_code: int = 200) -> Response:
    return ctx.render(
        "users/turn_off_mfa.html",
        form=state,
        status_code=status_code,
        breadcrumbs=_account_crumbs(ctx, ctx.t("Turn off multi-factor sign-in")),
    )


@router.get("/account/mfa/turn-off")
def turn_off_page(ctx: SignedIn) -> Response:
    user = get_my_factor(ctx.session, ctx.require_actor())
    check_may_turn_off_mfa(ctx.session, user)
    return _render_turn_off(ctx, FormState(ctx))


@router.post("/account/mfa/turn-off")
def turn_off(ctx: SignedIn, form: Form, request: Request) -> Response:
    actor = ctx.require_actor()
    user = get_my_factor(ctx.session, actor)
    check_may_turn_off_mfa(ctx.session, user)
    state = FormState.from_form(ctx, form)
    code = state.text("code", required=False, limit=40)
    password = str(state.values.pop("password", ""))  # never written back into the page
    state.values.pop("code", None)
    if not state.ok:
        return _render_turn_off(ctx, state, 400)
    if (code or password) and _throttled(ctx, request, user.id, state):
        return _render_turn_off(ctx, state, 429)
    try:
        with ctx.attempt() as session:
            turn_off_my_mfa(session, actor, code=code, password=password)
    except DomainError as exc:
        state.domain_error(exc, field_of={WrongMfaCode: "code", WrongCurrentPassword: "password"})
        return _render_turn_off(ctx, state, 400)
    return ctx.redirect("/account", flash=ctx.t(MFA_TURNED_OFF))
