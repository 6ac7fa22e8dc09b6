"""Reads of the catalog that other features need: an offer that can be bought."""

from __future__ import annotations

from sqlalchemy.orm import Session

from partnerhub.catalog.models import Offer
from partnerhub.errors import OfferNotFound


def get_offer(session: Session, offer_id: str) -> Offer:
    """An available offer by id. Partner Center's new-commerce ids name an availability too
    (`PRODUCT:SKU:AVAILABILITY`); when no offer has the full id, its `PRODUCT:SKU` part is looked up."""
    offer = session.get(Offer, offer_id)
    parts = offer_id.split(":")
    if offer is None and len(parts) == 3:
        offer = session.get(Offer, ":".join(parts[:2]))
    if offer is None or not offer.is_available:
        raise OfferNotFound(id=offer_id)
    return offer
