"""Users and My account: a partner Global admin lists its users, adds one (the one-time password shown once)
and changes roles; everyone signed in sees its account, sets its language and manages its API tokens (each
token shown once)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter
from fastapi.responses import Response

from partnerhub.auth.directory import get_my_user, get_partner_user, list_partner_users
from partnerhub.auth.models import PARTNER_ROLES, ApiToken, Role
from partnerhub.auth.service import add_partner_user, create_token, list_tokens, revoke_token, set_user_roles
from partnerhub.auth.sign_in import (
    MIN_PASSWORD_LENGTH,
    MfaResetTarget,
    mfa_required,
    mfa_reset_target,
    recovery_codes_left,
    reset_user_mfa,
    tenant_requires_mfa,
)
from partnerhub.auth.web_sessions import set_my_language
from partnerhub.clock import utc_now
from partnerhub.errors import DomainError, DuplicateEmail, EmailOutsideVerifiedDomains, InvalidRole, LastGlobalAdmin
from partnerhub.http.web.context import LANG_COOKIE, Form, SignedIn, WebCtx
from partnerhub.http.web.errors import WebRoute
from partnerhub.http.web.forms import NOT_A_CHOICE, FormState
from partnerhub.http.web.rendering import LANGUAGES
from partnerhub.locale import N_, SUPPORTED, gettext, supported_language
from partnerhub.tenants.domains import verified_domains

router = APIRouter(route_class=WebRoute, include_in_schema=False)

ROLE_LABELS: dict[str, str] = {
    Role.GLOBAL_ADMIN: N_("Global admin"),
    Role.ADMIN_AGENT: N_("Admin agent"),
    Role.SALES_AGENT: N_("Sales agent"),
    Role.HELPDESK_AGENT: N_("Helpdesk agent"),
    Role.OPERATOR: N_("Operator"),
    Role.USER: N_("User"),
}
ROLE_HINTS: dict[str, str] = {
    Role.GLOBAL_ADMIN: N_("Everything, including users and API tokens of the whole account."),
    Role.ADMIN_AGENT: N_("Customer management, delegated admin and subscriptions."),
    Role.SALES_AGENT: N_("Creates customers, requests relationships and places orders."),
    Role.HELPDESK_AGENT: N_("Subscriptions and support on behalf of customers."),
}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
NOT_AN_EMAIL = N_("Enter an e-mail address such as anna@contoso.com.")
CHOOSE_A_ROLE = N_("Choose at least one role.")
ROLES_SAVED = N_("The roles of {email} were updated.")
NOTHING_CHANGED = N_("Nothing was changed.")
LANGUAGE_SAVED = N_("Your language is now {language}.")
TOKEN_REVOKED = N_("The API token “{name}” was revoked.")
TOKEN_ALREADY_REVOKED = N_("The API token “{name}” was already revoked.")
UNNAMED = N_("(no name)")
MFA_RESET_DONE = N_(
    "The multi-factor sign-in of {email} was reset: they were signed out everywhere and their API tokens ended."
)


def role_options(ctx: WebCtx) -> list[tuple[str, str, str]]:
    return [(r.value, ctx.t(ROLE_LABELS[r]), ctx.t(ROLE_HINTS[r])) for r in PARTNER_ROLES]


def role_names(ctx: WebCtx, roles: list[str] | frozenset[str]) -> list[str]:
    """Roles as the page says them, in the order of importance."""
    order = [r.value for r in Role]
    return [
        ctx.t(ROLE_LABELS[r]) if r in ROLE_LABELS else r
        for r in sorted(roles, key=lambda r: order.index(r) if r in order else len(order))
    ]


def _read_roles(state: FormState) -> list[str]:
    roles = state.many("roles")
    allowed = {r.value for r in PARTNER_ROLES}
    if not roles:
        state.fail("roles", CHOOSE_A_ROLE)
    elif any(r not in allowed for r in roles):
        state.fail("roles", NOT_A_CHOICE)
    return roles


def _users_crumbs(ctx: WebCtx, *more: tuple[str | None, str]) -> list[tuple[str | None, str]]:
    return [("/users", ctx.t("Users")), *more] if more else [(None, ctx.t("Users"))]


# --- users (partner Global admins) -------------------------------------------------------------------


@router.get("/users")
def users_page(ctx: SignedIn) -> Response:
    actor = ctx.require_actor()
    session = ctx.session
    users = list_partner_users(session, actor)
    rows = [(u, role_names(ctx, u.roles)) for u in users]
    return ctx.render("users/list.html", rows=rows, breadcrumbs=_users_crumbs(ctx))


def _render_new_user(ctx: WebCtx, state: FormState, status_code: int = 200) -> Response:
    domains = verified_domains(ctx.session, ctx.require_actor().tenant_id or "")
    return ctx.render(
        "users/new.html",
        form=state,
        roles=role_options(ctx),
        chosen=state.many("roles"),
        domains=", ".join(domains),
        status_code=status_code,
        breadcrumbs=_users_crumbs(ctx, (None, ctx.t("Add user"))),
    )


@router.get("/users/new")
def new_user_page(ctx: SignedIn) -> Response:
    actor = ctx.require_actor()
    session = ctx.session
    list_partner_users(session, actor)  # only a partner Global admin gets the form
    return _render_new_user(ctx, FormState(ctx))


@router.post("/users/new")
def add_user(ctx: SignedIn, form: Form) -> Response:
    actor = ctx.require_actor()
    session = ctx.session
    list_partner_users(session, actor)
    state = FormState.from_form(ctx, form)
    email = state.text("email", limit=320).lower()
    if email and not EMAIL.match(email):
        state.fail("email", NOT_AN_EMAIL)
    display_name = state.text("display_name", required=False, limit=200)
    roles = _read_roles(state)
    if not state.ok:
        return _render_new_user(ctx, state, 400)
    try:
        with ctx.attempt() as session:
            user, password = add_partner_user(session, actor, email=email, roles=roles, display_name=display_name)
            shown = (user.id, user.email, user.display_name)
    except DomainError as exc:
        state.domain_error(
            exc, field_of={DuplicateEmail: "email", EmailOutsideVerifiedDomains: "email", InvalidRole: "roles"}
        )
        return _render_new_user(ctx, state, 400)
    # The password is shown on this page only: never in a cookie, never again (no-store keeps it out of caches).
    return ctx.render(
        "users/created.html",
        user_id=shown[0],
        email=shown[1],
        display_name=shown[2],
        password=password,
        roles=role_names(ctx, roles),
        breadcrumbs=_users_crumbs(ctx, (None, ctx.t("Add user"))),
    )


def _render_roles(
    ctx: WebCtx, user_id: str, email: str, name: str, state: FormState, status_code: int = 200
) -> Response:
    return ctx.render(
        "users/roles.html",
        form=state,
        roles=role_options(ctx),
        chosen=state.many("roles"),
        user_id=user_id,
        email=email,
        display_name=name,
        status_code=status_code,
        breadcrumbs=_users_crumbs(ctx, (None, email)),
    )


@router.get("/users/{user_id}")
def user_roles_page(ctx: SignedIn, user_id: str) -> Response:
    actor = ctx.require_actor()
    session = ctx.session
    user = get_partner_user(session, actor, user_id=user_id)
    state = FormState(ctx, {"roles": list(user.roles)})
    return _render_roles(ctx, user.id, user.email, user.display_name, state)


@router.post("/users/{user_id}")
def change_user_roles(ctx: SignedIn, form: Form, user_id: str) -> Response:
    actor = ctx.require_actor()
    session = ctx.session
    user = get_partner_user(session, actor, user_id=user_id)
    state = FormState.from_form(ctx, form)
    roles = _read_roles(state)
    if not state.ok:
        return _render_roles(ctx, user.id, user.email, user.display_name, state, 400)
    before = list(user.roles)
    try:
        with ctx.attempt() as session:
            updated = set_user_roles(session, actor, email=user.email, roles=roles)
            after = list(updated.roles)
    except DomainError as exc:
        state.domain_error(exc, field_of={LastGlobalAdmin: "roles", InvalidRole: "roles"})
        return _render_roles(ctx, user.id, user.email, user.display_name, state, 400)
    if after == before:
        return ctx.redirect("/users", flash=ctx.t(NOTHING_CHANGED), kind="info")
    return ctx.redirect("/users", flash=ctx.t(ROLES_SAVED, email=user.email))


# --- resetting a user's multi-factor sign-in (the user lost the phone and the recovery codes) ---------------


def render_mfa_reset(
    ctx: WebCtx,
    target: MfaResetTarget,
    *,
    action: str,
    cancel: str,
    breadcrumbs: list[tuple[str | None, str]],
    email_field: bool = False,
) -> Response:
    """The confirmation before a reset (the Users page and the operator's page share it)."""
    return ctx.render(
        "users/reset_mfa.html",
        target=target,
        action=action,
        cancel=cancel,
        email_field=email_field,
        breadcrumbs=breadcrumbs,
    )


@router.get("/users/{user_id}/reset-mfa")
def reset_mfa_page(ctx: SignedIn, user_id: str) -> Response:
    actor = ctx.require_actor()
    user = get_partner_user(ctx.session, actor, user_id=user_id)
    target = mfa_reset_target(ctx.session, actor, email=user.email)
    return render_mfa_reset(
        ctx,
        target,
        action=f"/users/{user.id}/reset-mfa",
        cancel="/users",
        breadcrumbs=_users_crumbs(ctx, (None, user.email)),
    )


@router.post("/users/{user_id}/reset-mfa")
def reset_mfa(ctx: SignedIn, form: Form, user_id: str) -> Response:
    actor = ctx.require_actor()
    user = get_partner_user(ctx.session, actor, user_id=user_id)
    reset_user_mfa(ctx.session, actor, email=user.email)
    return ctx.redirect("/users", flash=ctx.t(MFA_RESET_DONE, email=user.email))


# --- my account (everyone signed in) -----------------------------------------------------------------


@dataclass(frozen=True)
class TokenRow:
    token: ApiToken
    status: str  # active, expired or revoked


def token_rows(tokens: list[ApiToken], now: datetime) -> list[TokenRow]:
    return [
        TokenRow(t, "revoked" if t.revoked_at else ("expired" if t.expires_at <= now else "active")) for t in tokens
    ]


def _render_account(
    ctx: WebCtx,
    *,
    language_form: FormState | None = None,
    token_form: FormState | None = None,
    password_form: FormState | None = None,
    status_code: int = 200,
) -> Response:
    actor = ctx.require_actor()
    session = ctx.session
    user = get_my_user(session, actor)
    security = {
        "has_mfa": user.has_mfa,
        "mfa_since": user.mfa_enabled_at,
        "mfa_required": mfa_required(session, user),
        "recovery_left": recovery_codes_left(session, user.id) if user.has_mfa else 0,
        "tenant_requires_mfa": tenant_requires_mfa(session, actor.tenant_id),
        "may_set_policy": actor.tenant_id is not None and Role.GLOBAL_ADMIN in actor.roles,
        "min_password": MIN_PASSWORD_LENGTH,
        "session_mfa": actor.mfa,
    }
    tokens = token_rows(list_tokens(session, actor), utc_now())
    switch = supported_language(ctx.request.cookies.get(LANG_COOKIE))
    return ctx.render(
        "users/account.html",
        status_code=status_code,
        user=user,
        roles=role_names(ctx, actor.roles),
        tokens=tokens,
        languages_offered=LANGUAGES,
        switch_language=dict(LANGUAGES).get(switch or "", ""),
        language_form=language_form or FormState(ctx, {"language": supported_language(user.locale) or "en"}),
        token_form=token_form or FormState(ctx, {"days": "90"}),
        password_form=password_form or FormState(ctx),
        security=security,
        breadcrumbs=[(None, ctx.t("My account"))],
    )


@router.get("/account")
def account_page(ctx: SignedIn) -> Response:
    return _render_account(ctx)


@router.post("/account/language")
def change_language(ctx: SignedIn, form: Form) -> Response:
    actor = ctx.require_actor()
    state = FormState.from_form(ctx, form)
    language = state.choice("language", SUPPORTED)
    if not state.ok:
        return _render_account(ctx, language_form=state, status_code=400)
    session = ctx.session
    set_my_language(session, actor, language=language)
    # the next page speaks the new language unless this browser's switch says otherwise
    next_locale = supported_language(ctx.request.cookies.get(LANG_COOKIE)) or language
    message = gettext(LANGUAGE_SAVED, next_locale).format(language=dict(LANGUAGES)[language])
    return ctx.redirect("/account", flash=message)


@router.post("/account/tokens")
def new_token(ctx: SignedIn, form: Form) -> Response:
    actor = ctx.require_actor()
    state = FormState.from_form(ctx, form)
    name = state.text("name", limit=100)
    days = state.integer("days", low=1, high=730)
    if not state.ok or days is None:
        return _render_account(ctx, token_form=state, status_code=400)
    session = ctx.session
    issued = create_token(session, actor, expires_days=days, name=name)
    # Shown on this page only: only its SHA-256 is kept, so it can never be shown again.
    return ctx.render(
        "users/token_created.html",
        name=name,
        token=issued.token,
        expires_at=issued.expires_at,
        breadcrumbs=[("/account", ctx.t("My account")), (None, ctx.t("New API token"))],
    )


@router.post("/account/tokens/{token_id}/revoke")
def revoke_my_token(ctx: SignedIn, form: Form, token_id: str) -> Response:
    actor = ctx.require_actor()
    session = ctx.session
    was_revoked = {t.id for t in list_tokens(session, actor) if t.revoked_at is not None}
    row = revoke_token(session, actor, token_id=token_id)
    name = row.name or ctx.t(UNNAMED)
    if row.id in was_revoked:
        return ctx.redirect("/account", flash=ctx.t(TOKEN_ALREADY_REVOKED, name=name), kind="info")
    return ctx.redirect("/account", flash=ctx.t(TOKEN_REVOKED, name=name))
