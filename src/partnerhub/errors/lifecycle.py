"""Errors of the relationship lifecycle's second round (issue 15 §3-§6): suspension reasons that belong to
another party, and the activity-log filter's fields and operators. Codes 800600-800619."""

from __future__ import annotations

from partnerhub.errors.base import InvalidState


class SuspendedByAnotherParty(InvalidState):
    """A reactivation that could lift nothing: every reason the subscription is suspended for belongs to
    another party (Google Channel API's rule). `data` names each: reason, initiator partner id and name."""

    code = 800600
    message = "Subscription {id} stays suspended: the reasons left belong to another party: {reasons}."

    @classmethod
    def naming(cls, subscription_id: str, reasons: list[tuple[str, str]],
               names: dict[str, str]) -> SuspendedByAnotherParty:
        data: list[dict[str, object]] = [
            {"reason": reason, "initiatorPartnerId": partner_id, "initiator": names.get(partner_id, partner_id)}
            for reason, partner_id in reasons]
        shown = ", ".join(f"{d['reason']} ({d['initiator']})" for d in data)
        return cls(data=data, id=subscription_id, reasons=shown)
