"""Partnerships of the indirect model: a provider invites a reseller, the reseller accepts, either side ends
it, and who lists whom (DOMAIN.md §5)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from partnerhub.auth.actor import Actor
from partnerhub.auth.service import actor_for_email
from partnerhub.db import transaction
from partnerhub.errors import (
    CustomerNotFound,
    DomainError,
    Forbidden,
    NotAnIndirectProvider,
    NotAnIndirectReseller,
    OnlyResellerAccepts,
    PartnerNotFound,
    PartnerReferenceMismatch,
    PartnerReferenceMissing,
    PartnershipAlreadyEnded,
    PartnershipAlreadyOpen,
    PartnershipNotFound,
    PartnershipNotInvited,
)
from partnerhub.partnerships.models import Partnership
from partnerhub.partnerships.schemas import (
    partner_relationship_dict,
    partner_relationships_collection,
    partnership_dict,
)
from partnerhub.partnerships.service import (
    accept_partnership,
    end_partnership,
    has_active_partnership,
    invite_reseller,
    list_customer_resellers,
    list_providers,
    list_resellers,
)
from tests.conftest import World
from tests.factories import make_customer, make_partner
from tests.partnerships.world import (
    Indirect,
    customer_admin,
    customer_for_reseller,
    make_indirect,
    partner_up,
    records,
    relate,
)


@pytest.fixture
def indirect(session: Session) -> Indirect:
    return make_indirect(session)


# --- invite -------------------------------------------------------------------------------------------


def test_a_provider_invites_a_reseller_and_both_activity_logs_record_it(session: Session, indirect: Indirect) -> None:
    p = invite_reseller(session, indirect.provider.admin, reseller_id=indirect.reseller.partner_id)
    assert (p.provider_id, p.reseller_id, p.status) == (
        indirect.provider.partner_id,
        indirect.reseller.partner_id,
        "invited",
    )
    assert p.invited_by_user_id == indirect.provider.admin.user_id and p.accepted_at is None
    recs = records(session, "create_partnership", resource_id=p.id)
    assert {r.partner_id for r in recs} == {indirect.provider.partner_id, indirect.reseller.partner_id}
    assert all(r.resource_type == "partnership" and r.old_value is None for r in recs)
    assert recs[0].new_value == {
        "partnershipId": p.id,
        "providerId": indirect.provider.partner_id,
        "resellerId": indirect.reseller.partner_id,
        "status": "invited",
    }
    assert {r.user_principal_name for r in recs} == {indirect.provider.admin.email}
    assert not has_active_partnership(session, provider_id=p.provider_id, reseller_id=p.reseller_id)


def test_a_reseller_can_be_invited_by_its_mpn_id(session: Session, indirect: Indirect) -> None:
    p = invite_reseller(session, indirect.provider.admin_agent, reseller_mpn_id=f" {indirect.reseller.mpn_id} ")
    assert p.reseller_id == indirect.reseller.partner_id


def test_tenant_id_and_mpn_id_together_must_name_the_same_partner(session: Session, indirect: Indirect) -> None:
    other = make_partner(session, partner_type="indirect-reseller")
    with pytest.raises(PartnerReferenceMismatch):
        invite_reseller(
            session, indirect.provider.admin, reseller_id=indirect.reseller.partner_id, reseller_mpn_id=other.mpn_id
        )
    p = invite_reseller(
        session,
        indirect.provider.admin,
        reseller_id=indirect.reseller.partner_id.upper(),
        reseller_mpn_id=indirect.reseller.mpn_id,
    )
    assert p.reseller_id == indirect.reseller.partner_id


def test_an_invitation_names_a_reseller(session: Session, indirect: Indirect) -> None:
    with pytest.raises(PartnerReferenceMissing):
        invite_reseller(session, indirect.provider.admin)
    with pytest.raises(PartnerNotFound):
        invite_reseller(session, indirect.provider.admin, reseller_mpn_id="0000000")
    with pytest.raises(PartnerNotFound):
        invite_reseller(session, indirect.provider.admin, reseller_id="00000000-0000-0000-0000-000000000000")
    assert records(session, "create_partnership") == []


@pytest.mark.parametrize("partner_type", ["direct", "indirect-provider"])
def test_only_an_indirect_reseller_can_be_invited(session: Session, indirect: Indirect, partner_type: str) -> None:
    not_a_reseller = make_partner(session, partner_type=partner_type)
    with pytest.raises(NotAnIndirectReseller) as info:
        invite_reseller(session, indirect.provider.admin, reseller_id=not_a_reseller.partner_id)
    assert info.value.code == 800300 and not_a_reseller.mpn_id in str(info.value)


@pytest.mark.parametrize("partner_type", ["direct", "indirect-reseller"])
def test_only_an_indirect_provider_invites(session: Session, indirect: Indirect, partner_type: str) -> None:
    inviter = make_partner(session, partner_type=partner_type)
    with pytest.raises(NotAnIndirectProvider):
        invite_reseller(session, inviter.admin, reseller_id=indirect.reseller.partner_id)


@pytest.mark.parametrize("role", ["sales_agent", "helpdesk_agent"])
def test_sales_and_helpdesk_agents_cannot_invite(session: Session, indirect: Indirect, role: str) -> None:
    with pytest.raises(Forbidden):
        invite_reseller(session, getattr(indirect.provider, role), reseller_id=indirect.reseller.partner_id)


def test_a_customer_user_cannot_invite(session: Session, world: World, indirect: Indirect) -> None:
    with pytest.raises(Forbidden):
        invite_reseller(session, world.customer_admin, reseller_id=indirect.reseller.partner_id)


@pytest.mark.parametrize("accepted", [False, True])
def test_a_pair_has_one_open_partnership_at_most(session: Session, indirect: Indirect, accepted: bool) -> None:
    if accepted:
        partner_up(session, indirect.provider, indirect.reseller)
    else:
        invite_reseller(session, indirect.provider.admin, reseller_id=indirect.reseller.partner_id)
    with pytest.raises(PartnershipAlreadyOpen) as info:
        invite_reseller(session, indirect.provider.admin_agent, reseller_mpn_id=indirect.reseller.mpn_id)
    assert info.value.kind == "conflict" and "Adatum Rivendita" in str(info.value)
    assert len(records(session, "create_partnership", partner_id=indirect.provider.partner_id)) == 1


def test_after_an_end_the_pair_can_partner_again_and_history_is_kept(session: Session, indirect: Indirect) -> None:
    first = partner_up(session, indirect.provider, indirect.reseller)
    end_partnership(session, indirect.reseller.admin, partnership_id=first.id)
    second = invite_reseller(session, indirect.provider.admin, reseller_id=indirect.reseller.partner_id)
    assert second.id != first.id and first.status == "ended"
    history = list_resellers(session, indirect.provider.admin, include_ended=True)
    assert [(r.partnership_id, r.state) for r in history] == [(first.id, "ended"), (second.id, "invited")]


def test_one_provider_may_have_many_resellers_and_one_reseller_many_providers(
    session: Session, indirect: Indirect
) -> None:
    reseller2 = make_partner(session, name="Bellows Rivendita", partner_type="indirect-reseller")
    provider2 = make_partner(session, name="Alpine Distribution", partner_type="indirect-provider")
    partner_up(session, indirect.provider, indirect.reseller)
    partner_up(session, indirect.provider, reseller2)
    partner_up(session, provider2, indirect.reseller)
    assert [r.name for r in list_resellers(session, indirect.provider.sales_agent)] == [
        "Adatum Rivendita",
        "Bellows Rivendita",
    ]
    assert [r.name for r in list_providers(session, indirect.reseller.helpdesk_agent)] == [
        "Alpine Distribution",
        "Tailspin Distribution",
    ]


@pytest.mark.race
def test_concurrent_invitations_of_one_pair_open_one_partnership(fresh_engine: Engine) -> None:
    with transaction(fresh_engine) as s:
        provider = make_partner(s, partner_type="indirect-provider")
        reseller = make_partner(s, partner_type="indirect-reseller")
        emails = [provider.admin.email, provider.admin_agent.email] * 3
    barrier = threading.Barrier(len(emails))
    outcomes: list[str] = ["?"] * len(emails)

    def invite(i: int, email: str) -> Callable[[], None]:
        def run() -> None:
            barrier.wait()
            try:
                with transaction(fresh_engine) as s:
                    invite_reseller(s, actor_for_email(s, email), reseller_id=reseller.partner_id)
                outcomes[i] = "ok"
            except DomainError as exc:
                outcomes[i] = type(exc).__name__

        return run

    threads = [threading.Thread(target=invite(i, e)) for i, e in enumerate(emails)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(outcomes) == ["PartnershipAlreadyOpen"] * (len(emails) - 1) + ["ok"]
    with transaction(fresh_engine) as s:
        assert s.scalar(select(func.count()).select_from(Partnership)) == 1
        assert len(records(s, "create_partnership")) == 2  # one in each partner's log


# --- accept -------------------------------------------------------------------------------------------


def test_the_resellers_global_admin_accepts(session: Session, indirect: Indirect) -> None:
    p = invite_reseller(session, indirect.provider.admin, reseller_id=indirect.reseller.partner_id)
    accepted = accept_partnership(session, indirect.reseller.admin, partnership_id=p.id.upper())
    assert accepted.status == "active" and accepted.accepted_at is not None
    assert has_active_partnership(session, provider_id=p.provider_id, reseller_id=p.reseller_id)
    recs = records(session, "accept_partnership", resource_id=p.id)
    assert {r.partner_id for r in recs} == {indirect.provider.partner_id, indirect.reseller.partner_id}
    assert {r.user_principal_name for r in recs} == {indirect.reseller.admin.email}
    assert recs[0].old_value is not None and recs[0].old_value["status"] == "invited"
    assert recs[0].new_value is not None and recs[0].new_value["status"] == "active"


@pytest.mark.parametrize(
    "who", ["reseller.admin_agent", "reseller.sales_agent", "provider.admin", "provider.admin_agent"]
)
def test_only_the_resellers_global_admin_accepts(session: Session, indirect: Indirect, who: str) -> None:
    p = invite_reseller(session, indirect.provider.admin, reseller_id=indirect.reseller.partner_id)
    side, role = who.split(".")
    with pytest.raises(OnlyResellerAccepts) as info:
        accept_partnership(session, getattr(getattr(indirect, side), role), partnership_id=p.id)
    assert info.value.kind == "forbidden" and p.status == "invited"
    assert records(session, "accept_partnership") == []


def test_another_partners_partnership_is_not_found(session: Session, indirect: Indirect) -> None:
    p = invite_reseller(session, indirect.provider.admin, reseller_id=indirect.reseller.partner_id)
    stranger = make_partner(session, partner_type="indirect-reseller")
    with pytest.raises(PartnershipNotFound):
        accept_partnership(session, stranger.admin, partnership_id=p.id)
    with pytest.raises(PartnershipNotFound):
        end_partnership(session, stranger.admin, partnership_id=p.id)
    with pytest.raises(PartnershipNotFound):
        accept_partnership(session, indirect.reseller.admin, partnership_id="no-such-partnership")


def test_a_customer_user_cannot_accept(session: Session, world: World, indirect: Indirect) -> None:
    p = invite_reseller(session, indirect.provider.admin, reseller_id=indirect.reseller.partner_id)
    with pytest.raises(Forbidden):
        accept_partnership(session, world.customer_admin, partnership_id=p.id)


def test_only_an_invited_partnership_can_be_accepted(session: Session, indirect: Indirect) -> None:
    p = partner_up(session, indirect.provider, indirect.reseller)
    with pytest.raises(PartnershipNotInvited) as info:
        accept_partnership(session, indirect.reseller.admin, partnership_id=p.id)
    assert "active" in str(info.value)
    end_partnership(session, indirect.provider.admin, partnership_id=p.id)
    with pytest.raises(PartnershipNotInvited):
        accept_partnership(session, indirect.reseller.admin, partnership_id=p.id)
    assert len(records(session, "accept_partnership", partner_id=indirect.reseller.partner_id)) == 1


# --- end ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["provider.admin", "provider.admin_agent", "reseller.admin", "reseller.admin_agent"])
def test_either_side_ends_an_active_partnership(session: Session, indirect: Indirect, who: str) -> None:
    p = partner_up(session, indirect.provider, indirect.reseller)
    side, role = who.split(".")
    ended = end_partnership(session, getattr(getattr(indirect, side), role), partnership_id=p.id)
    assert ended.status == "ended" and ended.ended_at is not None
    assert ended.ended_by_partner_id == getattr(indirect, side).partner_id
    assert not has_active_partnership(session, provider_id=p.provider_id, reseller_id=p.reseller_id)
    recs = records(session, "end_partnership", resource_id=p.id)
    assert {r.partner_id for r in recs} == {indirect.provider.partner_id, indirect.reseller.partner_id}
    assert recs[0].old_value is not None and recs[0].old_value["status"] == "active"
    assert recs[0].new_value is not None and recs[0].new_value["status"] == "ended"


def test_the_reseller_declines_and_the_provider_withdraws_an_invitation(session: Session, indirect: Indirect) -> None:
    declined = invite_reseller(session, indirect.provider.admin, reseller_id=indirect.reseller.partner_id)
    end_partnership(session, indirect.reseller.admin, partnership_id=declined.id)
    withdrawn = invite_reseller(session, indirect.provider.admin, reseller_id=indirect.reseller.partner_id)
    end_partnership(session, indirect.provider.admin_agent, partnership_id=withdrawn.id)
    assert (declined.status, withdrawn.status) == ("ended", "ended")
    assert len(records(session, "end_partnership")) == 4


@pytest.mark.parametrize("role", ["sales_agent", "helpdesk_agent"])
def test_sales_and_helpdesk_agents_cannot_end_a_partnership(session: Session, indirect: Indirect, role: str) -> None:
    p = partner_up(session, indirect.provider, indirect.reseller)
    with pytest.raises(Forbidden):
        end_partnership(session, getattr(indirect.provider, role), partnership_id=p.id)
    with pytest.raises(Forbidden):
        end_partnership(session, getattr(indirect.reseller, role), partnership_id=p.id)


def test_an_ended_partnership_cannot_end_again(session: Session, indirect: Indirect) -> None:
    p = partner_up(session, indirect.provider, indirect.reseller)
    end_partnership(session, indirect.provider.admin, partnership_id=p.id)
    with pytest.raises(PartnershipAlreadyEnded):
        end_partnership(session, indirect.reseller.admin, partnership_id=p.id)
    assert len(records(session, "end_partnership", partner_id=indirect.reseller.partner_id)) == 1


# --- lists --------------------------------------------------------------------------------------------


def test_a_provider_lists_its_resellers_as_partner_center_does(session: Session, indirect: Indirect) -> None:
    p = partner_up(session, indirect.provider, indirect.reseller)
    [row] = list_resellers(session, indirect.provider.helpdesk_agent)
    assert partner_relationship_dict(row) == {
        "id": indirect.reseller.partner_id,
        "name": "Adatum Rivendita",
        "relationshipType": "is_indirect_cloud_solution_provider_of",
        "state": "Active",
        "mpnId": indirect.reseller.mpn_id,
        "partnershipId": p.id,
        "attributes": {"objectType": "PartnerRelationship"},
    }
    collection = partner_relationships_collection([row])
    assert collection["totalCount"] == 1 and collection["attributes"] == {"objectType": "Collection"}


def test_a_reseller_lists_its_providers_including_invitations(session: Session, indirect: Indirect) -> None:
    p = invite_reseller(session, indirect.provider.admin, reseller_id=indirect.reseller.partner_id)
    [row] = list_providers(session, indirect.reseller.sales_agent)
    d = partner_relationship_dict(row)
    assert (d["id"], d["name"], d["relationshipType"], d["state"], d["mpnId"], d["partnershipId"]) == (
        indirect.provider.partner_id,
        "Tailspin Distribution",
        "is_indirect_reseller_of",
        "Invited",
        indirect.provider.mpn_id,
        p.id,
    )


def test_ended_partnerships_are_listed_only_on_request(session: Session, indirect: Indirect) -> None:
    p = partner_up(session, indirect.provider, indirect.reseller)
    end_partnership(session, indirect.provider.admin, partnership_id=p.id)
    assert list_resellers(session, indirect.provider.admin) == []
    assert list_providers(session, indirect.reseller.admin) == []
    assert [r.state for r in list_providers(session, indirect.reseller.admin, include_ended=True)] == ["ended"]


def test_lists_are_for_the_right_partner_type(session: Session, world: World, indirect: Indirect) -> None:
    with pytest.raises(NotAnIndirectProvider):
        list_resellers(session, world.partner.admin)
    with pytest.raises(NotAnIndirectProvider):
        list_resellers(session, indirect.reseller.admin)
    with pytest.raises(Forbidden):
        list_providers(session, indirect.provider.admin)
    with pytest.raises(Forbidden):
        list_providers(session, world.customer_admin)


def test_partnership_dict_has_our_shape(session: Session, indirect: Indirect) -> None:
    p = partner_up(session, indirect.provider, indirect.reseller)
    d = partnership_dict(p)
    assert d["id"] == p.id and d["status"] == "active" and d["endedAt"] is None
    assert d["createdAt"].endswith("Z") and d["attributes"] == {"objectType": "Partnership"}


# --- a customer's indirect resellers ------------------------------------------------------------------


def test_a_provider_sees_its_resellers_related_to_the_customer(session: Session, indirect: Indirect) -> None:
    partner_up(session, indirect.provider, indirect.reseller)
    created = customer_for_reseller(session, indirect.provider.admin, indirect.reseller)
    [row] = list_customer_resellers(session, indirect.provider.sales_agent, customer_id=created.customer.id.upper())
    assert partner_relationship_dict(row) == {
        "id": indirect.reseller.partner_id,
        "name": "Adatum Rivendita",
        "relationshipType": "is_indirect_cloud_solution_provider_of",
        "state": "Active",
        "mpnId": indirect.reseller.mpn_id,
        "attributes": {"objectType": "PartnerRelationship"},
    }
    own = make_customer(session, indirect.provider.admin).customer
    assert list_customer_resellers(session, indirect.provider.admin, customer_id=own.id) == []


def test_a_provider_does_not_see_another_providers_reseller(session: Session, indirect: Indirect) -> None:
    partner_up(session, indirect.provider, indirect.reseller)
    created = customer_for_reseller(session, indirect.provider.admin, indirect.reseller)
    rival = make_partner(session, name="Rival Distribution", partner_type="indirect-provider")
    rival_reseller = make_partner(session, name="Rival Rivendita", partner_type="indirect-reseller")
    partner_up(session, rival, rival_reseller)
    # The customer also accepts relationship requests of the rival and of its reseller.
    for p in (rival, rival_reseller):
        relate(session, p, customer_admin(session, created))
    cid = created.customer.id
    assert [r.name for r in list_customer_resellers(session, rival.admin, customer_id=cid)] == ["Rival Rivendita"]
    assert [r.name for r in list_customer_resellers(session, indirect.provider.admin, customer_id=cid)] == [
        "Adatum Rivendita"
    ]
    # The customer's Global admin and the operator see every indirect reseller of the customer.
    everyone = ["Adatum Rivendita", "Rival Rivendita"]
    assert [
        r.name for r in list_customer_resellers(session, customer_admin(session, created), customer_id=cid)
    ] == everyone
    assert [r.name for r in list_customer_resellers(session, Actor.system(), customer_id=cid)] == everyone


def test_after_the_partnership_ends_the_provider_still_sees_the_reseller(session: Session, indirect: Indirect) -> None:
    p = partner_up(session, indirect.provider, indirect.reseller)
    created = customer_for_reseller(session, indirect.provider.admin, indirect.reseller)
    end_partnership(session, indirect.reseller.admin, partnership_id=p.id)
    assert [
        r.partner_id for r in list_customer_resellers(session, indirect.provider.admin, customer_id=created.customer.id)
    ] == [indirect.reseller.partner_id]


def test_who_may_list_a_customers_resellers(session: Session, world: World, indirect: Indirect) -> None:
    partner_up(session, indirect.provider, indirect.reseller)
    created = customer_for_reseller(session, indirect.provider.admin, indirect.reseller)
    cid = created.customer.id
    stranger = make_partner(session, partner_type="indirect-provider")
    with pytest.raises(CustomerNotFound):
        list_customer_resellers(session, stranger.admin, customer_id=cid)
    with pytest.raises(NotAnIndirectProvider):
        list_customer_resellers(session, indirect.reseller.admin, customer_id=cid)
    with pytest.raises(NotAnIndirectProvider):
        list_customer_resellers(session, world.partner.admin, customer_id=world.customer_id)
    with pytest.raises(CustomerNotFound):
        list_customer_resellers(session, world.customer_admin, customer_id=cid)
    with pytest.raises(CustomerNotFound):
        list_customer_resellers(session, Actor.system(), customer_id="00000000-0000-0000-0000-000000000000")
