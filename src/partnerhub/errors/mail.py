"""Errors of outgoing e-mail (codes 800760-800769)."""

from __future__ import annotations

from partnerhub.errors.base import InvalidInput, InvalidState


class MailNotConfigured(InvalidState):
    code = 800760
    message = (
        "This partnerhub sends no e-mail: the operator has not set PARTNERHUB_SMTP_URL. Copy the "
        "e-mail text and send it yourself."
    )


class MailAddressInvalid(InvalidInput):
    code = 800761
    message = "{address} is not an e-mail address."
