"""The e-mail a partner sends a customer with an invitation's link, in the customer's language: the subject, a
blank line, the body (shown to the partner to copy, or sent through the mail outbox)."""

from __future__ import annotations

from datetime import datetime

from partnerhub.locale import N_, gettext, normalize_locale

EMAIL_SUBJECT = N_("{partner} requests a reseller relationship with your organisation")
EMAIL_BODY = N_(
    "Dear customer,\n\n"
    "{partner} would like to become your cloud solution provider and to purchase subscriptions on "
    "your behalf.\n\n"
    "To accept, a Global admin of your organisation opens the link below, signs in and confirms:\n\n"
    "{url}\n\n"
    "{dap}"
    "This link can be used once and expires on {expires}.\n\n"
    "Kind regards,\n{partner}"
)
EMAIL_DAP = N_(
    "The request includes delegated admin privileges: {partner} will be able to administer your tenant "
    "on your behalf. You can remove them at any time while keeping the reseller relationship.\n\n"
)
EMAIL_NO_DAP = N_("The request does not include delegated admin privileges.\n\n")


def email_text(
    *, partner_name: str, url: str, language: str, expires_at: datetime | None, include_delegated_admin: bool
) -> str:
    """The draft e-mail in the customer's language (English or Italian)."""
    lang = normalize_locale(language)
    dap = gettext(EMAIL_DAP if include_delegated_admin else EMAIL_NO_DAP, lang).format(partner=partner_name)
    expires = expires_at.strftime("%Y-%m-%d") if expires_at else "-"
    subject = gettext(EMAIL_SUBJECT, lang).format(partner=partner_name)
    body = gettext(EMAIL_BODY, lang).format(partner=partner_name, url=url, dap=dap, expires=expires)
    return f"{subject}\n\n{body}"
