"""Errors of the relationship lifecycle's other endings (issue 15 §1): a customer declines an invitation."""

from __future__ import annotations

from partnerhub.errors.base import Forbidden, InvalidState


class InvitationDeclined(InvalidState):
    code = 800117
    message = "This relationship request was declined by the customer; the partner can send a new one."


class LinkCannotBeDeclined(InvalidState):
    code = 800118
    message = ("This is a partner's reusable link, not a request addressed to you: there is nothing to decline. "
               "If you do not want the relationship, do not accept it.")


class NotCustomerGlobalAdminToDecline(Forbidden):
    code = 800119
    message = "Only a Global admin of a customer tenant can decline a relationship request."


__all__ = ["InvitationDeclined", "LinkCannotBeDeclined", "NotCustomerGlobalAdminToDecline"]
