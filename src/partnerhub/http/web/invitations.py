"""Request a reseller relationship: the partner's reusable link (and its rotation, after a confirmation),
tracked invitations (create, resend, revoke, their statuses and a filter on them), and the page the link
opens, where a customer's Global admin sees who asks for what and accepts or declines (the same page opens a
request of its inbox by its id). A tracked invitation's link is shown once, on the
page right after it is made (create or resend); it is never shown again."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import Response

from partnerhub.auth.actor import Actor
from partnerhub.auth.models import Role
from partnerhub.clock import utc_now
from partnerhub.errors import (
    CustomerNotFound,
    DomainError,
    Forbidden,
    InvalidInput,
    InvalidState,
    InvitationForAnotherCustomer,
    InvitationNotPending,
    StaleEtag,
)
from partnerhub.errors.mail import MailAddressInvalid, MailNotConfigured
from partnerhub.http.web.context import Form, SignedIn, Web, WebCtx, sign_in_url
from partnerhub.http.web.customers import GUID
from partnerhub.http.web.errors import STATUS_OF_KIND, WebRoute
from partnerhub.http.web.forms import FormState
from partnerhub.invitations.mailing import check_invitation_mail, mail_invitation
from partnerhub.invitations.models import InvitationStatus
from partnerhub.invitations.partner_link import may_rotate_link, partner_invitation_link, rotate_partner_link
from partnerhub.invitations.queries import STATUSES
from partnerhub.invitations.schemas import invitation_etag
from partnerhub.invitations.sent_invitation import (
    get_sent_invitation,
    names_of_invited_customers,
    sent_invitation_actions,
)
from partnerhub.invitations.service import (
    CreatedInvitation,
    InvitationView,
    accept_invitation,
    create_invitation,
    decline_invitation,
    describe_invitation,
    list_invitations,
    resend_invitation,
    revoke_invitation,
)
from partnerhub.locale import N_, SUPPORTED

router = APIRouter(route_class=WebRoute, include_in_schema=False)

CREATED = N_("Invitation created. Send the link or the e-mail below to a Global admin of the customer.")
SENT_BY_MAIL = N_("Invitation created. partnerhub sends the e-mail below to {address} within a minute.")
RESENT = N_(
    "A new invitation replaces the old one: the old link no longer works. Send the new link or the "
    "e-mail below to a Global admin of the customer."
)
REVOKED = N_("The invitation was revoked: its link no longer works.")
ROTATED = N_("Your reusable link was replaced: the old link no longer works.")
NOT_A_CUSTOMER_ID = N_("Enter a customer ID (for example 0c5b0e7e-6f3e-4b4e-9a57-1a2b3c4d5e6f), or leave it empty.")
ACCEPTED = N_(
    "You accepted the reseller relationship with {partner}: it can now purchase subscriptions on your behalf."
)
ACCEPTED_DAP = N_(
    "You accepted the reseller relationship with {partner}, with delegated admin privileges: it can "
    "now purchase subscriptions and administer your tenant on your behalf."
)
DECLINED = N_(
    "You declined the request of {partner}: it can no longer be accepted, and {partner} sees that you declined it."
)
NOT_A_STATUS = N_("Choose a status from the list.")
LANGUAGE_NAMES = {"en": "English", "it": "Italiano"}  # each language named in itself
VISITOR = Actor(None, "", None, None, frozenset(), application="web")


def _invitations_page(ctx: WebCtx, form: FormState, status_code: int = 200, wanted: str = "") -> Response:
    actor = ctx.require_actor()
    link: str | None = None
    session = ctx.session
    settings = ctx.runtime.settings
    try:
        link = partner_invitation_link(
            session, actor, base_url=settings.base_url, secret_key=settings.resolved_secret_key
        ).url
    except Forbidden:  # a Helpdesk agent sees the invitations but may not request relationships
        link = None
    filter_error: str | None = None
    try:
        invitations = list_invitations(session, actor, status=wanted)
    except InvalidInput:  # an unknown status: said beside the filter, and every invitation shown
        filter_error, wanted, status_code = ctx.t(NOT_A_STATUS), "", 400
        invitations = list_invitations(session, actor)
    names = names_of_invited_customers(session, actor, invitations)
    now = utc_now()
    rows = []
    for r in invitations:
        status = r.status_at(now)
        rows.append((r, status, *sent_invitation_actions(actor, status), invitation_etag(r, status)))
    return ctx.render(
        "invitations/index.html",
        status_code=status_code,
        form=form,
        partner_link=link,
        may_rotate=may_rotate_link(actor),
        rows=rows,
        names=names,
        statuses=STATUSES,
        status_filter=wanted.strip().lower(),
        filter_error=filter_error,
        languages=[(code, LANGUAGE_NAMES.get(code, code)) for code in SUPPORTED],
        mail_configured=_mail_configured(ctx),
        breadcrumbs=[(None, ctx.t("Request a reseller relationship"))],
    )


def _mail_configured(ctx: WebCtx) -> bool:
    return bool(ctx.runtime.settings.smtp_url.strip())


def _created_page(ctx: WebCtx, created: CreatedInvitation, message: str, sent_to: str | None = None) -> Response:
    """The only page that shows a tracked invitation's link and e-mail: the answer to making it."""
    actor = ctx.require_actor()
    names = names_of_invited_customers(ctx.session, actor, [created.request])
    subject, _, body = created.email_text.partition("\n\n")  # email_text(): the subject, a blank line, the body
    mailto = f"mailto:?subject={quote(subject, safe='')}&body={quote(body, safe='')}"
    ctx.flashes = [*ctx.flashes, ("success", message)]  # shown as a redirect's message would be
    return ctx.render(
        "invitations/created.html",
        created=created,
        mailto=mailto,
        names=names,
        sent_to=sent_to,
        language_name=LANGUAGE_NAMES.get(created.request.language, created.request.language),
        breadcrumbs=[("/invitations", ctx.t("Request a reseller relationship")), (None, ctx.t("Invitation"))],
    )


@router.get("/invitations")
def invitations_page(ctx: SignedIn, status: str = "") -> Response:
    """The reusable link, a new invitation, and the sent invitations (`status`: only those of one status)."""
    form = FormState(ctx, {"language": ctx.locale, "valid_days": "90"})
    return _invitations_page(ctx, form, wanted=status[:32])


@router.post("/invitations")
def create_invitation_page(ctx: SignedIn, form: Form) -> Response:
    actor = ctx.require_actor()
    state = FormState.from_form(ctx, form)
    customer_id = state.text("customer_id", required=False, limit=64)
    if customer_id and not GUID.match(customer_id):
        state.fail("customer_id", NOT_A_CUSTOMER_ID)
    language = state.choice("language", SUPPORTED)
    valid_days = state.integer("valid_days", low=1, high=365)
    send_to = state.text("send_to", required=False, limit=320) or None
    if not state.ok:
        return _invitations_page(ctx, state, 400)
    try:
        with ctx.attempt() as session:
            if send_to:  # refused before anything is made: no mail server, or not an address
                send_to = check_invitation_mail(send_to, mail_configured=_mail_configured(ctx))
            created = create_invitation(
                session,
                actor,
                base_url=ctx.runtime.settings.base_url,
                customer_id=customer_id or None,
                language=language,
                include_delegated_admin=state.checked("include_delegated_admin"),
                valid_days=valid_days or 90,
            )
            if send_to:
                mail_invitation(session, actor, invitation=created, to=send_to, mail_configured=_mail_configured(ctx))
    except (CustomerNotFound, InvalidInput, MailNotConfigured) as exc:
        state.domain_error(
            exc, field_of={CustomerNotFound: "customer_id", MailAddressInvalid: "send_to", MailNotConfigured: "send_to"}
        )
        return _invitations_page(ctx, state, 400)
    return _created_page(
        ctx, created, ctx.t(SENT_BY_MAIL, address=send_to) if send_to else ctx.t(CREATED), sent_to=send_to
    )


@router.get("/invitations/sent")
def sent_list(ctx: SignedIn) -> Response:
    return ctx.redirect("/invitations")


@router.get("/invitations/sent/{invitation_id}")
def sent_invitation_page(ctx: SignedIn, invitation_id: str) -> Response:
    actor = ctx.require_actor()
    session = ctx.session
    sent = get_sent_invitation(session, actor, invitation_id=invitation_id)
    names = names_of_invited_customers(session, actor, [sent.request])
    return ctx.render(
        "invitations/sent.html",
        sent=sent,
        names=names,
        language_name=LANGUAGE_NAMES.get(sent.request.language, sent.request.language),
        breadcrumbs=[("/invitations", ctx.t("Request a reseller relationship")), (None, ctx.t("Invitation"))],
    )


def _etag(ctx: WebCtx, form: Form) -> str | None:
    """The etag of the invitation as the page showed it: a resend or revoke of a page older than a change
    someone else made is refused (2055) instead of acting on what the user did not see."""
    return FormState.from_form(ctx, form).text("etag", required=False, limit=400) or None


@router.post("/invitations/sent/{invitation_id}/revoke")
def revoke(ctx: SignedIn, form: Form, invitation_id: str) -> Response:
    actor = ctx.require_actor()
    try:
        with ctx.attempt() as session:
            revoke_invitation(session, actor, invitation_id=invitation_id, etag=_etag(ctx, form))
    except (InvitationNotPending, StaleEtag) as exc:  # changed meanwhile: the list shows its status now
        return ctx.redirect("/invitations", flash=exc.render(ctx.locale), kind="error")
    return ctx.redirect("/invitations", flash=ctx.t(REVOKED))


@router.post("/invitations/sent/{invitation_id}/resend")
def resend(ctx: SignedIn, form: Form, invitation_id: str) -> Response:
    actor = ctx.require_actor()
    try:
        with ctx.attempt() as session:
            created = resend_invitation(
                session,
                actor,
                invitation_id=invitation_id,
                base_url=ctx.runtime.settings.base_url,
                etag=_etag(ctx, form),
            )
    except (InvitationNotPending, StaleEtag) as exc:  # changed meanwhile: the list shows its status now
        return ctx.redirect("/invitations", flash=exc.render(ctx.locale), kind="error")
    return _created_page(ctx, created, ctx.t(RESENT))


@router.get("/invitations/link/rotate")
def rotate_link_page(ctx: SignedIn) -> Response:
    """Replacing the reusable link asks for confirmation first: links already handed out stop working."""
    actor = ctx.require_actor()
    if not may_rotate_link(actor):
        raise Forbidden(operation="rotate invitation link")
    return ctx.render(
        "invitations/rotate.html",
        breadcrumbs=[
            ("/invitations", ctx.t("Request a reseller relationship")),
            (None, ctx.t("Replace your reusable link")),
        ],
    )


@router.post("/invitations/link/rotate")
def rotate_link(ctx: SignedIn, form: Form) -> Response:
    actor = ctx.require_actor()
    settings = ctx.runtime.settings
    with ctx.attempt() as session:
        rotate_partner_link(session, actor, base_url=settings.base_url, secret_key=settings.resolved_secret_key)
    return ctx.redirect("/invitations", flash=ctx.t(ROTATED))


# --- the page the link opens (after /invitations/sent/..., which the one-segment {code} never matches) ------


def _key(ctx: WebCtx) -> str:
    return ctx.runtime.settings.resolved_secret_key


def _is_customer_admin(actor: Actor | None) -> bool:
    return actor is not None and actor.is_customer_user and Role.GLOBAL_ADMIN in actor.roles


def _render_acceptance(
    ctx: WebCtx, code: str, view: InvitationView, form: FormState, status_code: int | None = None
) -> Response:
    usable = view.status == InvitationStatus.SENT
    return ctx.render(
        "invitations/accept.html",
        status_code=status_code or (200 if usable else 410),
        view=view,
        may_decline=usable and view.request_id is not None and _is_customer_admin(ctx.actor),
        code=code,
        form=form,
        usable=usable,
        can_accept=_is_customer_admin(ctx.actor),
        sign_in=sign_in_url(f"/invitations/{code}"),
    )


@router.get("/invitations/{code}")
def acceptance_page(ctx: Web, code: str) -> Response:
    session = ctx.session
    view = describe_invitation(session, ctx.actor or VISITOR, code=code, secret_key=_key(ctx))
    return _render_acceptance(ctx, code, view, FormState(ctx))


@router.get("/invitations/{code}/accept")
def acceptance_get(ctx: Web, code: str) -> Response:
    """Where sign-in lands when a visitor pressed Accept: the page itself, to accept from there."""
    return ctx.redirect(f"/invitations/{quote(code, safe='')}")


@router.post("/invitations/{code}/accept")
def accept(ctx: SignedIn, form: Form, code: str) -> Response:
    actor = ctx.require_actor()
    try:
        with ctx.attempt() as session:
            partner = describe_invitation(session, actor, code=code, secret_key=_key(ctx)).partner_name
            dap = accept_invitation(session, actor, code=code, secret_key=_key(ctx)).has_delegated_admin
    except DomainError as exc:
        session = ctx.session
        view = describe_invitation(session, actor, code=code, secret_key=_key(ctx))
        state = FormState(ctx)
        state.domain_error(exc)
        return _render_acceptance(ctx, code, view, state, STATUS_OF_KIND.get(exc.kind, 400))
    return ctx.redirect("/partner-relationships", flash=ctx.t(ACCEPTED_DAP if dap else ACCEPTED, partner=partner))


@router.post("/invitations/{code}/decline")
def decline(ctx: SignedIn, form: Form, code: str) -> Response:
    """The customer's Global admin declines, from the page the link opens (or from its inbox, by the request's
    id); a refusal is shown on that page."""
    actor = ctx.require_actor()
    try:
        with ctx.attempt() as session:
            partner = describe_invitation(session, actor, code=code, secret_key=_key(ctx)).partner_name
            decline_invitation(session, actor, code=code, secret_key=_key(ctx))
    except (InvalidState, InvitationForAnotherCustomer) as exc:
        view = describe_invitation(ctx.session, actor, code=code, secret_key=_key(ctx))
        state = FormState(ctx)
        state.domain_error(exc)
        return _render_acceptance(ctx, code, view, state, STATUS_OF_KIND.get(exc.kind, 400))
    return ctx.redirect("/partner-relationships", flash=ctx.t(DECLINED, partner=partner))
