"""Catalog: the operator loads offers from JSON or CSV; partners read them to order."""

from __future__ import annotations

import csv
import io
import json
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from partnerhub.audit.operations import Operation, ResourceType
from partnerhub.audit.service import record
from partnerhub.auth.actor import Actor
from partnerhub.catalog.models import Offer, OfferKind
from partnerhub.errors import InvalidInput

TERMS = ("P1M", "P1Y", "P3Y")
CYCLES = ("monthly", "annual", "triennial", "one_time", "none")


def _as_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.replace(";", "|").split("|") if v.strip()]
    return [str(v).strip() for v in value]


def _offer_from_row(row: dict[str, Any], where: str) -> dict[str, Any]:
    lower = {str(k).strip().lower().replace("_", ""): v for k, v in row.items()}

    def get(*names: str) -> Any:
        for n in names:
            if n in lower and lower[n] not in (None, ""):
                return lower[n]
        return None

    offer_id = str(get("id", "offerid") or "").strip()
    name = str(get("name", "offername") or "").strip()
    if not offer_id or not name:
        raise InvalidInput(detail=f"{where}: every offer needs an id and a name")
    kind = str(get("kind") or OfferKind.LICENSE).lower()
    if kind not in {k.value for k in OfferKind}:
        raise InvalidInput(detail=f"{where}: kind must be license or reservation, not '{kind}'")
    terms = [t.upper() for t in _as_list(get("termdurations", "terms"))] or ["P1M"]
    bad_terms = [t for t in terms if t not in TERMS]
    if bad_terms:
        raise InvalidInput(detail=f"{where}: unknown term duration {bad_terms[0]}; use P1M, P1Y or P3Y")
    cycles = [c.lower() for c in _as_list(get("billingcycles", "cycles"))] or ["monthly"]
    bad_cycles = [c for c in cycles if c not in CYCLES]
    if bad_cycles:
        raise InvalidInput(detail=f"{where}: unknown billing cycle {bad_cycles[0]}")
    try:
        # Not `or`: an explicit 0 is a mistake to report, not a request for the default.
        min_q = int(get("minquantity") if get("minquantity") is not None else 1)
        max_q = int(get("maxquantity") if get("maxquantity") is not None else 10000)
    except (TypeError, ValueError):
        raise InvalidInput(detail=f"{where}: quantities must be whole numbers") from None
    if not 1 <= min_q <= max_q:
        raise InvalidInput(detail=f"{where}: minQuantity must be at least 1 and at most maxQuantity")
    available = get("isavailable")
    return {
        "id": offer_id,
        "name": name,
        "description": str(get("description") or ""),
        "unit_type": str(get("unittype") or "Licenses"),
        "kind": kind,
        "billing_cycles": cycles,
        "term_durations": terms,
        "parent_offer_id": (str(get("parentofferid", "addonof")).strip() if get("parentofferid", "addonof") else None),
        "min_quantity": min_q,
        "max_quantity": max_q,
        "is_available": str(available).lower() not in ("false", "0", "no") if available is not None else True,
    }


def parse_offers(text: str, *, fmt: str) -> list[dict[str, Any]]:
    """Parse a catalog file: JSON (a list, or {"items": [...]}) or CSV with a header row."""
    rows: list[dict[str, Any]]
    if fmt == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInput(detail=f"the catalog is not valid JSON: {exc}") from None
        if isinstance(data, dict):
            data = data.get("items", data.get("offers"))
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise InvalidInput(detail='a JSON catalog is a list of offers (or {"items": [...]})')
        rows = data
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(text)))
    else:
        raise InvalidInput(detail=f"unknown catalog format '{fmt}'; use json or csv")
    offers = [_offer_from_row(r, f"offer #{i + 1}") for i, r in enumerate(rows)]
    ids = [o["id"] for o in offers]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise InvalidInput(detail=f"offer id {sorted(dupes)[0]} appears twice")
    return offers


def import_offers(session: Session, actor: Actor, *, offers: list[dict[str, Any]]) -> tuple[int, int]:
    """Insert or update offers (operator only). Add-ons must name a parent that exists after the import.
    Returns (created, updated)."""
    actor.require_operator("import offers")
    known = set(session.scalars(select(Offer.id)))
    incoming = {o["id"] for o in offers}
    for o in offers:
        parent = o["parent_offer_id"]
        if parent is not None and parent not in known | incoming:
            raise InvalidInput(detail=f"offer {o['id']}: parent offer {parent} is not in the catalog")
    created = updated = 0
    for o in offers:
        row = session.get(Offer, o["id"])
        if row is None:
            session.add(Offer(**o))
            created += 1
        else:
            changed = False
            for k, v in o.items():
                if getattr(row, k) != v:
                    setattr(row, k, v)
                    changed = True
            updated += int(changed)
    if created or updated:
        record(
            session,
            actor,
            operation=Operation.IMPORT_OFFERS,
            resource_type=ResourceType.OFFER,
            resource_id=None,
            partner_id=None,
            new={"created": created, "updated": updated},
        )
    return created, updated


def import_offers_file(session: Session, actor: Actor, *, path: Path) -> tuple[int, int]:
    if not path.exists():
        raise InvalidInput(detail=f"no such file: {path}")
    fmt = "csv" if path.suffix.lower() == ".csv" else "json"
    return import_offers(session, actor, offers=parse_offers(path.read_text(encoding="utf-8"), fmt=fmt))


def load_default_catalog(session: Session, actor: Actor) -> tuple[int, int]:
    """Load the catalog shipped with the package (idempotent)."""
    text = resources.files("partnerhub.data").joinpath("offers.json").read_text(encoding="utf-8")
    return import_offers(session, actor, offers=parse_offers(text, fmt="json"))


def list_offers(session: Session) -> list[Offer]:
    """Every available offer (the catalog is public to signed-in users)."""
    return list(session.scalars(select(Offer).where(Offer.is_available.is_(True)).order_by(Offer.name)))
