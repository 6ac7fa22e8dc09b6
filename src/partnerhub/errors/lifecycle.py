"""Errors of the relationship lifecycle (issue 15): a customer declines an invitation (800117-800119), suspension
reasons that belong to another party, and the activity-log filter's fields and operators (800600-800619)."""

from __future__ import annotations

from partnerhub.errors.base import Forbidden, InvalidState


class SuspendedByAnotherParty(InvalidState):
    """A reactivation that could lift nothing: every reason the subscription is suspended for belongs to
    another party (Google Channel API's rule). `data` names each: reason, initiator partner id and name."""

    code = 800600
    message = "Subscription {id} stays suspended: the reasons left belong to another party: {reasons}."

    @classmethod
    def naming(
        cls, subscription_id: str, reasons: list[tuple[str, str]], names: dict[str, str]
    ) -> SuspendedByAnotherParty:
        data: list[dict[str, object]] = [
            {"reason": reason, "initiatorPartnerId": partner_id, "initiator": names.get(partner_id, partner_id)}
            for reason, partner_id in reasons
        ]
        shown = ", ".join(f"{d['reason']} ({d['initiator']})" for d in data)
        return cls(data=data, id=subscription_id, reasons=shown)


class InvitationDeclined(InvalidState):
    code = 800117
    message = "This relationship request was declined by the customer; the partner can send a new one."


class LinkCannotBeDeclined(InvalidState):
    code = 800118
    message = (
        "This is a partner's reusable link, not a request addressed to you: there is nothing to decline. "
        "If you do not want the relationship, do not accept it."
    )


class NotCustomerGlobalAdminToDecline(Forbidden):
    code = 800119
    message = "Only a Global admin of a customer tenant can decline a relationship request."
