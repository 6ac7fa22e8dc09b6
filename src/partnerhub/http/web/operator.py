"""The operator's pages: partners (list; onboard one, its Global admin's one-time password shown once; its
verified domains, added and removed), the catalog (list the offers; import a JSON or CSV file, saying how many
offers were added and updated), and the reset of a tenant's Global admin's multi-factor sign-in."""

from __future__ import annotations

import re

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from partnerhub.auth.sign_in import mfa_reset_target, reset_user_mfa
from partnerhub.catalog.service import import_offers, list_offers, parse_offers
from partnerhub.errors import (
    DomainAlreadyVerified,
    DomainError,
    DomainHasOtherTenantsUsers,
    DuplicateDomain,
    DuplicateEmail,
    InvalidInput,
    MfaNotEnabled,
    MfaResetByOwnAdmin,
    MfaResetOfOwnAccount,
    UserNotFound,
)
from partnerhub.http.web.context import Form, SignedIn, WebCtx
from partnerhub.http.web.errors import WebRoute
from partnerhub.http.web.forms import REQUIRED, FormState
from partnerhub.http.web.users import MFA_RESET_DONE, render_mfa_reset
from partnerhub.ids import normalize_id
from partnerhub.locale import N_
from partnerhub.tenants.domains import add_partner_domain, list_partner_domains, remove_partner_domain
from partnerhub.tenants.models import PartnerType
from partnerhub.tenants.service import create_partner, list_partners, normalize_domain, tenant_name_of_partner

router = APIRouter(route_class=WebRoute, include_in_schema=False)

PARTNER_TYPE_LABELS: dict[str, str] = {
    PartnerType.DIRECT: N_("Direct-bill partner"),
    PartnerType.INDIRECT_PROVIDER: N_("Indirect provider"),
    PartnerType.INDIRECT_RESELLER: N_("Indirect reseller"),
}
OFFER_KIND_LABELS = {"license": N_("License"), "reservation": N_("Reservation")}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
NOT_A_DOMAIN = N_("Enter a domain name such as contoso.onmicrosoft.com.")
NOT_AN_EMAIL = N_("Enter an e-mail address such as anna@contoso.com.")
MAX_CATALOG_BYTES = 5 * 1024 * 1024
CATALOG_TOO_LARGE = N_("The file is larger than 5 MB.")
CATALOG_NOT_TEXT = N_("The file is not UTF-8 text: save it as JSON or CSV in UTF-8.")
CATALOG_EMPTY = N_("The file is empty.")
CATALOG_INVALID = N_("The catalog was not imported, nothing changed: {detail}")
CATALOG_IMPORTED = N_("Catalog imported: {created} offers added, {updated} updated.")
CATALOG_UNCHANGED = N_("Catalog imported: every offer was already up to date, nothing changed.")
DOMAIN_ADDED = N_("{domain} is now a verified domain of {name}.")
DOMAIN_REMOVED = N_("{domain} is no longer a verified domain of {name}.")


def partner_type_options(ctx: WebCtx) -> list[tuple[str, str]]:
    return [(t.value, ctx.t(PARTNER_TYPE_LABELS[t])) for t in PartnerType]


# --- partners ----------------------------------------------------------------------------------------


@router.get("/operator/partners")
def partners_page(ctx: SignedIn) -> Response:
    actor = ctx.require_actor()
    session = ctx.session
    partners = list_partners(session, actor)
    return ctx.render(
        "operator/partners.html",
        partners=partners,
        type_labels=PARTNER_TYPE_LABELS,
        breadcrumbs=[(None, ctx.t("Partners"))],
    )


def _render_new_partner(ctx: WebCtx, state: FormState, status_code: int = 200) -> Response:
    return ctx.render(
        "operator/new_partner.html",
        form=state,
        types=partner_type_options(ctx),
        status_code=status_code,
        breadcrumbs=[("/operator/partners", ctx.t("Partners")), (None, ctx.t("Create partner"))],
    )


@router.get("/operator/partners/new")
def new_partner_page(ctx: SignedIn) -> Response:
    ctx.require_actor().require_operator("create partner")
    return _render_new_partner(ctx, FormState(ctx, {"partner_type": PartnerType.DIRECT.value}))


@router.post("/operator/partners/new")
def create_partner_page(ctx: SignedIn, form: Form) -> Response:
    actor = ctx.require_actor()
    actor.require_operator("create partner")
    state = FormState.from_form(ctx, form)
    name = state.text("name", limit=200)
    domain = state.text("domain", limit=253).lower()
    if domain:
        try:
            domain = normalize_domain(domain)
        except InvalidInput:
            state.fail("domain", NOT_A_DOMAIN)
    partner_type = state.choice("partner_type", [t.value for t in PartnerType])
    admin_email = state.text("admin_email", limit=320).lower()
    if admin_email and not EMAIL.match(admin_email):
        state.fail("admin_email", NOT_AN_EMAIL)
    if not state.ok:
        return _render_new_partner(ctx, state, 400)
    try:
        with ctx.attempt() as session:
            created = create_partner(
                session, actor, name=name, partner_type=partner_type, domain=domain, admin_email=admin_email
            )
            shown = {
                "name": created.tenant.name,
                "domain": created.tenant.domain,
                "mpn_id": created.partner.mpn_id,
                "partner_id": created.partner.id,
                "partner_type": created.partner.partner_type,
                "admin_email": created.admin.email,
            }
    except DomainError as exc:
        state.domain_error(exc, field_of={DuplicateDomain: "domain", DuplicateEmail: "admin_email"})
        return _render_new_partner(ctx, state, 400)
    # The password is shown on this page only: never in a cookie, never again (no-store keeps it out of caches).
    return ctx.render(
        "operator/partner_created.html",
        partner=shown,
        password=created.password,
        type_label=ctx.t(PARTNER_TYPE_LABELS[PartnerType(shown["partner_type"])]),
        breadcrumbs=[("/operator/partners", ctx.t("Partners")), (None, shown["name"])],
    )


# --- a Global admin's multi-factor sign-in ----------------------------------------------------------------

MFA_RESET_FIELDS: dict[type[DomainError], str] = {
    UserNotFound: "email",
    MfaResetByOwnAdmin: "email",
    MfaNotEnabled: "email",
    MfaResetOfOwnAccount: "email",
}


def _mfa_crumbs(ctx: WebCtx) -> list[tuple[str | None, str]]:
    return [("/operator/partners", ctx.t("Partners")), (None, ctx.t("Reset a Global admin's multi-factor sign-in"))]


def _render_mfa_lookup(ctx: WebCtx, state: FormState, status_code: int = 200) -> Response:
    return ctx.render("operator/mfa_reset.html", form=state, status_code=status_code, breadcrumbs=_mfa_crumbs(ctx))


@router.get("/operator/mfa-reset")
def mfa_reset_page(ctx: SignedIn) -> Response:
    ctx.require_actor().require_operator("reset multi-factor sign-in")
    return _render_mfa_lookup(ctx, FormState(ctx))


@router.post("/operator/mfa-reset")
def find_mfa_reset(ctx: SignedIn, form: Form) -> Response:
    actor = ctx.require_actor()
    actor.require_operator("reset multi-factor sign-in")
    state = FormState.from_form(ctx, form)
    email = state.text("email", limit=320)
    if not state.ok:
        return _render_mfa_lookup(ctx, state, 400)
    try:
        target = mfa_reset_target(ctx.session, actor, email=email)
    except DomainError as exc:
        state.domain_error(exc, field_of=MFA_RESET_FIELDS)
        return _render_mfa_lookup(ctx, state, 400)
    return render_mfa_reset(
        ctx,
        target,
        action="/operator/mfa-reset/confirm",
        cancel="/operator/mfa-reset",
        breadcrumbs=_mfa_crumbs(ctx),
        email_field=True,
    )


@router.post("/operator/mfa-reset/confirm")
def confirm_mfa_reset(ctx: SignedIn, form: Form) -> Response:
    actor = ctx.require_actor()
    actor.require_operator("reset multi-factor sign-in")
    state = FormState.from_form(ctx, form)
    email = state.text("email", limit=320)
    if not state.ok:
        return _render_mfa_lookup(ctx, state, 400)
    try:
        with ctx.attempt() as session:
            shown = reset_user_mfa(session, actor, email=email).email
    except DomainError as exc:
        state.domain_error(exc, field_of=MFA_RESET_FIELDS)
        return _render_mfa_lookup(ctx, state, 400)
    return ctx.redirect("/operator/mfa-reset", flash=ctx.t(MFA_RESET_DONE, email=shown))


# --- a partner's verified domains (F5) ----------------------------------------------------------------


def _render_domains(ctx: WebCtx, partner_id: str, state: FormState, status_code: int = 200) -> Response:
    actor = ctx.require_actor()
    session = ctx.session
    domains = list_partner_domains(session, actor, partner_id=partner_id)
    name = tenant_name_of_partner(session, actor, partner_id=partner_id)
    return ctx.render(
        "operator/domains.html",
        form=state,
        domains=domains,
        partner_name=name,
        partner_id=normalize_id(partner_id),
        status_code=status_code,
        breadcrumbs=[("/operator/partners", ctx.t("Partners")), (None, name)],
    )


@router.get("/operator/partners/{partner_id}/domains")
def domains_page(ctx: SignedIn, partner_id: str) -> Response:
    return _render_domains(ctx, partner_id, FormState(ctx))


@router.post("/operator/partners/{partner_id}/domains")
def add_domain(ctx: SignedIn, form: Form, partner_id: str) -> Response:
    actor = ctx.require_actor()
    actor.require_operator("verify a domain")
    state = FormState.from_form(ctx, form)
    domain = state.text("domain", limit=253)
    if domain:
        try:
            domain = normalize_domain(domain)
        except InvalidInput:
            state.fail("domain", NOT_A_DOMAIN)
    if not state.ok:
        return _render_domains(ctx, partner_id, state, 400)
    try:
        with ctx.attempt() as session:
            row = add_partner_domain(session, actor, partner_id=partner_id, domain=domain)
            name = tenant_name_of_partner(session, actor, partner_id=row.partner_id)
    except DomainError as exc:
        state.domain_error(exc, field_of={DomainAlreadyVerified: "domain", DomainHasOtherTenantsUsers: "domain"})
        return _render_domains(ctx, partner_id, state, 400)
    return ctx.redirect(
        f"/operator/partners/{row.partner_id}/domains", flash=ctx.t(DOMAIN_ADDED, domain=row.domain, name=name)
    )


@router.post("/operator/partners/{partner_id}/domains/remove")
def remove_domain(ctx: SignedIn, form: Form, partner_id: str) -> Response:
    actor = ctx.require_actor()
    actor.require_operator("remove a verified domain")
    state = FormState.from_form(ctx, form)
    domain = state.text("domain", limit=253).lower()
    page = f"/operator/partners/{normalize_id(partner_id)}/domains"
    try:
        with ctx.attempt() as session:
            remove_partner_domain(session, actor, partner_id=partner_id, domain=domain)
            name = tenant_name_of_partner(session, actor, partner_id=partner_id)
    except DomainError as exc:
        return ctx.redirect(page, flash=exc.render(ctx.locale), kind="error")
    return ctx.redirect(page, flash=ctx.t(DOMAIN_REMOVED, domain=domain, name=name))


# --- catalog -----------------------------------------------------------------------------------------


def _render_catalog(ctx: WebCtx, state: FormState | None = None, status_code: int = 200) -> Response:
    session = ctx.session
    offers = list_offers(session)
    return ctx.render(
        "operator/catalog.html",
        offers=offers,
        form=state or FormState(ctx),
        kind_labels=OFFER_KIND_LABELS,
        status_code=status_code,
        breadcrumbs=[(None, ctx.t("Catalog"))],
    )


@router.get("/operator/catalog")
def catalog_page(ctx: SignedIn) -> Response:
    ctx.require_actor().require_operator("import offers")
    return _render_catalog(ctx)


def catalog_format(filename: str, text: str) -> str:
    """JSON or CSV, by the file's extension, else by its first character."""
    lower = filename.lower()
    if lower.endswith(".csv"):
        return "csv"
    if lower.endswith(".json"):
        return "json"
    return "json" if text.lstrip()[:1] in ("[", "{") else "csv"


@router.post("/operator/catalog")
def import_catalog(ctx: SignedIn, form: Form) -> Response:
    actor = ctx.require_actor()
    actor.require_operator("import offers")
    state = FormState(ctx)
    upload = form.get("catalog")
    raw = b""
    filename = ""
    if isinstance(upload, UploadFile):
        filename = upload.filename or ""
        try:
            raw = upload.file.read(MAX_CATALOG_BYTES + 1)
        finally:
            upload.file.close()
    if not filename and not raw:
        state.fail("catalog", REQUIRED)
    elif len(raw) > MAX_CATALOG_BYTES:
        state.fail("catalog", CATALOG_TOO_LARGE)
    elif not raw.strip():
        state.fail("catalog", CATALOG_EMPTY)
    text = ""
    if state.ok:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            state.fail("catalog", CATALOG_NOT_TEXT)
    if not state.ok:
        return _render_catalog(ctx, state, 400)
    try:
        offers = parse_offers(text, fmt=catalog_format(filename, text))
        with ctx.attempt() as session:
            created, updated = import_offers(session, actor, offers=offers)
    except InvalidInput as exc:
        state.fail("catalog", CATALOG_INVALID, detail=str(exc.params.get("detail", "")))
        return _render_catalog(ctx, state, 400)
    if not created and not updated:
        return ctx.redirect("/operator/catalog", flash=ctx.t(CATALOG_UNCHANGED), kind="info")
    return ctx.redirect("/operator/catalog", flash=ctx.t(CATALOG_IMPORTED, created=created, updated=updated))
