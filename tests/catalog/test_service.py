"""The operator's catalog: the default offers shipped with the package, parsing JSON and CSV catalogs, and
importing them (operator only, idempotent, recorded)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from partnerhub.audit.models import ActivityRecord
from partnerhub.auth.actor import Actor
from partnerhub.catalog.models import Offer
from partnerhub.catalog.queries import get_offer
from partnerhub.catalog.service import (
    import_offers,
    import_offers_file,
    list_offers,
    load_default_catalog,
    parse_offers,
)
from partnerhub.errors import Forbidden, InvalidInput, OfferNotFound
from tests.conftest import World
from tests.factories import AZURE_RESERVATION, M365_BASIC, M365_E3, TEAMS_PHONE_ADDON

BASE = {
    "id": "TEST0001:0001",
    "name": "Contoso Backup",
    "unitType": "Licenses",
    "billingCycles": ["monthly"],
    "termDurations": ["P1M", "P1Y"],
    "minQuantity": 1,
    "maxQuantity": 50,
}
ADDON = {"id": "TEST0002:0001", "name": "Contoso Backup Extra Storage", "parentOfferId": "TEST0001:0001"}

CSV = (
    "id,name,unitType,kind,billingCycles,termDurations,parentOfferId,minQuantity,maxQuantity,isAvailable\n"
    "TEST0001:0001,Contoso Backup,Licenses,license,monthly|annual,P1M|P1Y,,1,50,true\n"
    "TEST0002:0001,Contoso Backup Extra Storage,Licenses,license,monthly,P1M,TEST0001:0001,,,\n"
    "TEST0003:0001,Contoso Reserved Appliance,Reservation,reservation,one_time,P1Y|P3Y,,1,10,false\n"
)


def _import_records(session: Session, actor: Actor) -> list[ActivityRecord]:
    session.flush()
    return list(
        session.scalars(
            select(ActivityRecord).where(
                ActivityRecord.operation_type == "import_offers", ActivityRecord.correlation_id == actor.correlation_id
            )
        )
    )


# --- the default catalog ------------------------------------------------------------------------------


def test_the_default_catalog_is_loaded_with_realistic_offers(session: Session) -> None:
    offers = {o.id: o for o in list_offers(session)}

    assert len(offers) >= 20
    assert offers[M365_BASIC].name == "Microsoft 365 Business Basic"
    assert offers[M365_BASIC].term_durations == ["P1M", "P1Y"]
    assert offers[M365_BASIC].billing_cycles == ["monthly", "annual"]
    assert (offers[M365_BASIC].min_quantity, offers[M365_BASIC].max_quantity) == (1, 300)
    assert offers[M365_E3].name == "Microsoft 365 E3"
    assert "P3Y" in offers[M365_E3].term_durations
    assert [o.name for o in list_offers(session)] == sorted(o.name for o in offers.values())
    for offer in offers.values():
        assert offer.name.strip()
        assert offer.term_durations and set(offer.term_durations) <= {"P1M", "P1Y", "P3Y"}
        assert offer.billing_cycles
        assert 1 <= offer.min_quantity <= offer.max_quantity


def test_every_default_add_on_names_an_existing_base_offer(session: Session) -> None:
    offers = {o.id: o for o in list_offers(session)}
    addons = [o for o in offers.values() if o.parent_offer_id]

    assert len(addons) >= 3
    assert offers[TEAMS_PHONE_ADDON].parent_offer_id == M365_E3
    for addon in addons:
        assert addon.parent_offer_id in offers
        assert offers[addon.parent_offer_id].parent_offer_id is None


def test_the_default_catalog_has_reservations(session: Session) -> None:
    reservations = [o for o in list_offers(session) if o.kind == "reservation"]

    assert len(reservations) >= 2
    assert AZURE_RESERVATION in {o.id for o in reservations}
    assert all(o.parent_offer_id is None for o in reservations)
    assert get_offer(session, AZURE_RESERVATION).unit_type == "Reservation"


def test_loading_the_default_catalog_again_changes_nothing(session: Session) -> None:
    actor = Actor.system()

    assert load_default_catalog(session, actor) == (0, 0)
    assert _import_records(session, actor) == []


def test_get_offer_of_an_unknown_offer_is_not_found(session: Session) -> None:
    with pytest.raises(OfferNotFound):
        get_offer(session, "NOPE0000:0001")


# --- parsing ------------------------------------------------------------------------------------------


def test_parse_json_list_with_defaults() -> None:
    [base, addon] = parse_offers(json.dumps([BASE, ADDON]), fmt="json")

    assert base == {
        "id": "TEST0001:0001",
        "name": "Contoso Backup",
        "description": "",
        "unit_type": "Licenses",
        "kind": "license",
        "billing_cycles": ["monthly"],
        "term_durations": ["P1M", "P1Y"],
        "parent_offer_id": None,
        "min_quantity": 1,
        "max_quantity": 50,
        "is_available": True,
    }
    # Omitted fields take the defaults: one month, monthly, 1..10000 licenses.
    assert addon["parent_offer_id"] == "TEST0001:0001"
    assert (addon["term_durations"], addon["billing_cycles"]) == (["P1M"], ["monthly"])
    assert (addon["min_quantity"], addon["max_quantity"], addon["unit_type"]) == (1, 10000, "Licenses")


def test_parse_json_accepts_an_items_envelope_and_partner_center_names() -> None:
    text = json.dumps(
        {
            "items": [
                {
                    "offerId": "TEST0001:0001",
                    "offerName": "Contoso Backup",
                    "term_durations": "p1y",
                    "Kind": "Reservation",
                }
            ]
        }
    )

    [offer] = parse_offers(text, fmt="json")

    assert offer["id"] == "TEST0001:0001"
    assert offer["name"] == "Contoso Backup"
    assert offer["term_durations"] == ["P1Y"]
    assert offer["kind"] == "reservation"


def test_parse_csv_with_pipe_separated_lists() -> None:
    base, addon, reservation = parse_offers(CSV, fmt="csv")

    assert base["billing_cycles"] == ["monthly", "annual"]
    assert base["term_durations"] == ["P1M", "P1Y"]
    assert base["parent_offer_id"] is None
    assert (base["min_quantity"], base["max_quantity"], base["is_available"]) == (1, 50, True)
    assert addon["parent_offer_id"] == "TEST0001:0001"
    assert (addon["min_quantity"], addon["max_quantity"], addon["is_available"]) == (1, 10000, True)
    assert reservation["kind"] == "reservation"
    assert reservation["term_durations"] == ["P1Y", "P3Y"]
    assert reservation["billing_cycles"] == ["one_time"]
    assert reservation["is_available"] is False


def test_parse_csv_accepts_semicolons_in_lists() -> None:
    [offer] = parse_offers("id,name,termDurations\nTEST0001:0001,Contoso Backup,P1M; P1Y\n", fmt="csv")

    assert offer["term_durations"] == ["P1M", "P1Y"]


@pytest.mark.parametrize(
    ("row", "words"),
    [
        ({"name": "No id"}, "id and a name"),
        ({"id": "TEST0001:0001"}, "id and a name"),
        ({"id": "TEST0001:0001", "name": "   "}, "id and a name"),
        ({"id": "  ", "name": "Blank id"}, "id and a name"),
        ({"id": "TEST0001:0001", "name": "Bad term", "termDurations": ["P2Y"]}, "P2Y"),
        ({"id": "TEST0001:0001", "name": "Bad kind", "kind": "bundle"}, "bundle"),
        ({"id": "TEST0001:0001", "name": "Bad cycle", "billingCycles": ["weekly"]}, "weekly"),
        ({"id": "TEST0001:0001", "name": "Bad quantity", "minQuantity": "many"}, "whole numbers"),
        ({"id": "TEST0001:0001", "name": "Bad range", "minQuantity": 10, "maxQuantity": 5}, "minQuantity"),
        ({"id": "TEST0001:0001", "name": "Bad range", "minQuantity": -1}, "minQuantity"),
        ({"id": "TEST0001:0001", "name": "Zero minimum", "minQuantity": 0}, "minQuantity"),
        ({"id": "TEST0001:0001", "name": "Zero maximum", "maxQuantity": 0}, "minQuantity"),
    ],
)
def test_parse_refuses_an_invalid_offer_naming_it(row: dict[str, Any], words: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_offers(json.dumps([BASE | {"id": "TEST0009:0001"}, row]), fmt="json")

    assert "offer #2" in str(err.value)
    assert words in str(err.value)


def test_parse_refuses_a_bad_term_in_csv() -> None:
    with pytest.raises(InvalidInput, match="P5Y"):
        parse_offers("id,name,termDurations\nTEST0001:0001,Contoso Backup,P1M|P5Y\n", fmt="csv")


def test_parse_refuses_duplicate_ids() -> None:
    with pytest.raises(InvalidInput, match="TEST0001:0001 appears twice"):
        parse_offers(json.dumps([BASE, BASE | {"name": "Again"}]), fmt="json")


@pytest.mark.parametrize("text", ["{not json", '{"items": 3}', "[1, 2]", '"offers"'])
def test_parse_refuses_json_that_is_not_a_list_of_offers(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_offers(text, fmt="json")


def test_parse_refuses_an_unknown_format() -> None:
    with pytest.raises(InvalidInput, match="xml"):
        parse_offers("<offers/>", fmt="xml")


# --- importing ----------------------------------------------------------------------------------------


def test_import_creates_then_updates_and_records_each_change(session: Session) -> None:
    actor = Actor.system()

    assert import_offers(session, actor, offers=parse_offers(json.dumps([BASE, ADDON]), fmt="json")) == (2, 0)
    assert get_offer(session, "TEST0001:0001").max_quantity == 50
    assert get_offer(session, "TEST0002:0001").parent_offer_id == "TEST0001:0001"

    changed = BASE | {"name": "Contoso Backup Pro", "maxQuantity": 500}
    assert import_offers(session, actor, offers=parse_offers(json.dumps([changed, ADDON]), fmt="json")) == (0, 1)

    offer = get_offer(session, "TEST0001:0001")
    assert (offer.name, offer.max_quantity) == ("Contoso Backup Pro", 500)
    records = _import_records(session, actor)
    assert sorted(json.dumps(r.new_value, sort_keys=True) for r in records) == sorted(
        [json.dumps({"created": 2, "updated": 0}), json.dumps({"created": 0, "updated": 1})]
    )
    assert all(r.resource_type == "offer" and r.partner_id is None for r in records)


def test_importing_the_same_data_twice_changes_nothing_and_records_nothing(session: Session) -> None:
    offers = parse_offers(CSV, fmt="csv")
    import_offers(session, Actor.system(), offers=offers)
    again = Actor.system()

    assert import_offers(session, again, offers=parse_offers(CSV, fmt="csv")) == (0, 0)
    assert _import_records(session, again) == []


def test_an_import_can_make_an_offer_unavailable(session: Session) -> None:
    import_offers(session, Actor.system(), offers=parse_offers(json.dumps([BASE]), fmt="json"))

    import_offers(session, Actor.system(), offers=parse_offers(json.dumps([BASE | {"isAvailable": False}]), fmt="json"))

    assert "TEST0001:0001" not in {o.id for o in list_offers(session)}
    with pytest.raises(OfferNotFound):
        get_offer(session, "TEST0001:0001")


def test_an_add_on_may_name_a_parent_already_in_the_catalog(session: Session) -> None:
    addon = ADDON | {"parentOfferId": M365_E3}

    assert import_offers(session, Actor.system(), offers=parse_offers(json.dumps([addon]), fmt="json")) == (1, 0)


def test_an_add_on_whose_parent_is_missing_is_refused_and_nothing_is_imported(session: Session) -> None:
    actor = Actor.system()
    offers = parse_offers(json.dumps([BASE, ADDON | {"parentOfferId": "MISSING0:0001"}]), fmt="json")

    with pytest.raises(InvalidInput, match="MISSING0:0001"):
        import_offers(session, actor, offers=offers)

    session.flush()
    assert session.get(Offer, "TEST0001:0001") is None
    assert _import_records(session, actor) == []


@pytest.mark.parametrize("role", ["admin", "admin_agent", "sales_agent"])
def test_only_the_operator_imports_offers(session: Session, world: World, role: str) -> None:
    with pytest.raises(Forbidden):
        import_offers(session, getattr(world.partner, role), offers=parse_offers(json.dumps([BASE]), fmt="json"))

    session.flush()
    assert session.get(Offer, "TEST0001:0001") is None


def test_a_customer_admin_cannot_import_offers(session: Session, world: World) -> None:
    with pytest.raises(Forbidden):
        import_offers(session, world.customer_admin, offers=[])


def test_import_offers_file_reads_json(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps({"items": [BASE, ADDON]}), encoding="utf-8")

    assert import_offers_file(session, Actor.system(), path=path) == (2, 0)
    assert get_offer(session, "TEST0002:0001").name == "Contoso Backup Extra Storage"


def test_import_offers_file_reads_csv_by_its_suffix(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "catalog.CSV"
    path.write_text(CSV, encoding="utf-8")

    assert import_offers_file(session, Actor.system(), path=path) == (3, 0)
    assert import_offers_file(session, Actor.system(), path=path) == (0, 0)
    session.flush()
    assert session.get(Offer, "TEST0003:0001").kind == "reservation"  # type: ignore[union-attr]


def test_import_offers_file_of_a_missing_file_is_refused(session: Session, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="no such file"):
        import_offers_file(session, Actor.system(), path=tmp_path / "missing.json")


def test_import_offers_file_of_a_broken_file_is_refused(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    path.write_text("[{", encoding="utf-8")

    with pytest.raises(InvalidInput, match="not valid JSON"):
        import_offers_file(session, Actor.system(), path=path)


def test_partner_centers_three_part_offer_ids_find_the_sku(session: Session) -> None:
    from partnerhub.catalog.queries import get_offer

    assert get_offer(session, "CFQ7TTC0LH18:0001:CFQ7TTC0K971").id == "CFQ7TTC0LH18:0001"
    with pytest.raises(OfferNotFound):
        get_offer(session, "NOPE:0001:CFQ7TTC0K971")
