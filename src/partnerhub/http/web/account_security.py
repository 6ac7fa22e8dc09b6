"""My account's sign-in security: change your own password (every other session and every API token of
yours ends), set up multi-factor sign-in (QR code drawn here, key as text, recovery codes), and the tenant's
"require MFA for every user" policy, set by its Global admin."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from partnerhub.auth.directory import get_my_user
from partnerhub.auth.sign_in import change_my_password, confirm_mfa_enrolment, mfa_setup_key, set_mfa_policy
from partnerhub.auth.web_sessions import find_web_session_id
from partnerhub.errors import DomainError, MfaAlreadyEnabled, WrongMfaCode
from partnerhub.http.web.context import Form, SignedIn
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


@router.post("/account/password")
def change_password(ctx: SignedIn, form: Form) -> Response:
    actor = ctx.require_actor()
    state = FormState.from_form(ctx, form)
    current, new, _again = read_new_password(state)
    if not state.ok:
        return _render_account(ctx, password_form=state, status_code=400)
    try:
        with ctx.attempt() as session:
            change_my_password(session, actor, current=current, new=new,
                               keep_session_id=find_web_session_id(session, ctx.session_token))
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
    return render_enrolment(ctx, user, user.mfa_secret, state, action="/account/mfa", next_path="/account",
                            status_code=400)


@router.post("/account/mfa-policy")
def mfa_policy(ctx: SignedIn, form: Form) -> Response:
    actor = ctx.require_actor()
    state = FormState.from_form(ctx, form)
    required = state.choice("require_mfa", ("on", "off")) == "on"
    if not state.ok:
        return _render_account(ctx, status_code=400)
    set_mfa_policy(ctx.session, actor, required=required)
    return ctx.redirect("/account", flash=ctx.t(POLICY_ON if required else POLICY_OFF))
