"""Relationship requests: tracked single-use invitations and the partner's reusable link, their e-mail
text in the customer's language, acceptance by the customer's Global admin, revocation and expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from partnerhub.audit.models import ActivityRecord
from partnerhub.auth.actor import Actor
from partnerhub.auth.service import actor_for_user
from partnerhub.clock import frozen_at, utc_now
from partnerhub.customers.service import get_customer, list_customers
from partnerhub.errors import (
    AlreadyRelated,
    CustomerNotFound,
    Forbidden,
    InvalidInput,
    InvitationAlreadyUsed,
    InvitationExpired,
    InvitationForAnotherCustomer,
    InvitationNotFound,
    InvitationNotPending,
    InvitationRevoked,
    NoActivePartnership,
    NotAnIndirectProvider,
    NotAnIndirectReseller,
    NotCustomerGlobalAdmin,
    PartnerNotFound,
)
from partnerhub.invitations.jobs import expire_invitations
from partnerhub.invitations.models import InvitationStatus, RelationshipRequest
from partnerhub.invitations.partner_link import partner_invitation_link
from partnerhub.invitations.service import (
    accept_invitation,
    create_invitation,
    describe_invitation,
    list_invitations,
    revoke_invitation,
)
from partnerhub.partnerships.service import accept_partnership, invite_reseller
from partnerhub.relationships.models import RelationshipStatus, ResellerRelationship
from partnerhub.relationships.queries import relationship_history
from partnerhub.usecases.remove_reseller_relationship import remove_reseller_relationship
from tests.activity import activity
from tests.conftest import World
from tests.factories import PartnerWorld, make_customer, make_partner

BASE = "https://hub.example/"
KEY = "the instance's secret key"
T0 = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


def _new_customer(
    session: Session, world: World, *, language: str = "en", dap: bool = True, partner: Actor | None = None
) -> tuple[str, Actor]:
    """A customer of `partner` (another partner by default) and its Global admin actor."""
    created = make_customer(session, partner or world.other.admin, language=language, dap=dap)
    return created.customer.id, actor_for_user(session, created.admin)


def _removed(session: Session, world: World) -> None:
    """The world's customer (no subscriptions) leaves the partner: its relationship becomes history."""
    remove_reseller_relationship(session, world.partner.admin, customer_id=world.customer_id)


# --- create ----------------------------------------------------------------------------------------------


def test_create_invitation_gives_a_link_with_its_code_and_expires_in_90_days(session: Session, world: World) -> None:
    with frozen_at(T0):
        created = create_invitation(session, world.partner.sales_agent, base_url=BASE)
    req = created.request
    assert created.code
    assert created.url == f"https://hub.example/invitations/{created.code}"
    assert req.status == InvitationStatus.SENT
    assert req.partner_id == world.partner.partner_id
    assert req.customer_id is None
    assert req.include_delegated_admin is False
    assert req.created_by_user_id == world.partner.sales_agent.user_id
    assert req.created_at == T0
    assert req.expires_at == T0 + timedelta(days=90)

    (rec,) = activity(session, operation="create_relationship_request", resource_id=req.id)
    assert rec.partner_id == world.partner.partner_id
    assert rec.customer_id is None
    assert rec.resource_type == "relationship_request"
    assert rec.user_id == world.partner.sales_agent.user_id
    assert rec.new_value == {
        "id": req.id,
        "language": "en",
        "includeDelegatedAdmin": False,
        "expiresAt": (T0 + timedelta(days=90)).isoformat(),
    }


def test_codes_are_unique_per_invitation(session: Session, world: World) -> None:
    codes = {create_invitation(session, world.partner.admin, base_url=BASE).code for _ in range(5)}
    assert len(codes) == 5


def test_the_email_text_is_in_english_by_default(session: Session, world: World) -> None:
    with frozen_at(T0):
        created = create_invitation(session, world.partner.admin_agent, base_url=BASE)
    text = created.email_text
    assert text.startswith("Contoso Direct requests a reseller relationship with your organisation")
    assert "Dear customer" in text
    assert "Kind regards" in text
    assert "does not include delegated admin privileges" in text
    assert created.url in text
    assert "2025-05-30" in text  # the expiry date
    assert created.request.language == "en"


def test_the_email_text_mentions_delegated_admin_when_requested(session: Session, world: World) -> None:
    created = create_invitation(session, world.partner.admin, base_url=BASE, include_delegated_admin=True)
    assert "includes delegated admin privileges" in created.email_text
    assert "Contoso Direct will be able to administer your tenant" in created.email_text
    assert created.request.include_delegated_admin is True


def test_the_email_text_is_in_italian_for_an_italian_customer(session: Session, world: World) -> None:
    # Fabrikam's billing language is it; the invitation re-establishes the relationship
    _removed(session, world)
    created = create_invitation(session, world.partner.sales_agent, base_url=BASE, customer_id=world.customer_id)
    text = created.email_text
    assert created.request.language == "it"
    assert created.request.customer_id == world.customer_id
    assert "relazione con il rivenditore" in text
    assert "La richiesta non include i privilegi di amministratore con delega" in text
    assert created.url in text
    assert "requests a reseller relationship" not in text
    assert "Dear customer" not in text
    (rec,) = activity(session, operation="create_relationship_request", resource_id=created.request.id)
    assert rec.customer_id == world.customer_id
    assert rec.new_value is not None
    assert rec.new_value["language"] == "it"


def test_the_email_text_is_in_italian_when_asked(session: Session, world: World) -> None:
    created = create_invitation(
        session, world.partner.admin, base_url=BASE, language="it-IT", include_delegated_admin=True
    )
    assert created.request.language == "it"
    assert "Contoso Direct richiede una relazione con il rivenditore" in created.email_text
    assert "privilegi di amministratore con delega" in created.email_text
    assert "Dear customer" not in created.email_text


def test_an_explicit_language_wins_over_the_customers(session: Session, world: World) -> None:
    created = create_invitation(
        session, world.partner.admin, base_url=BASE, customer_id=world.customer_id, language="en"
    )
    assert created.request.language == "en"
    assert "Dear customer" in created.email_text


def test_an_unsupported_language_is_refused(session: Session, world: World) -> None:
    with pytest.raises(InvalidInput):
        create_invitation(session, world.partner.admin, base_url=BASE, language="fr")
    assert activity(session, operation="create_relationship_request") == []


@pytest.mark.parametrize("days", [0, -5, 366])
def test_validity_outside_1_to_365_days_is_refused(session: Session, world: World, days: int) -> None:
    with pytest.raises(InvalidInput):
        create_invitation(session, world.partner.admin, base_url=BASE, valid_days=days)


def test_a_custom_validity_sets_the_expiry(session: Session, world: World) -> None:
    with frozen_at(T0):
        created = create_invitation(session, world.partner.admin, base_url=BASE, valid_days=7)
    assert created.request.expires_at == T0 + timedelta(days=7)


def test_an_invitation_cannot_name_a_customer_the_partner_never_had(session: Session, world: World) -> None:
    foreign_id, _ = _new_customer(session, world)
    with pytest.raises(CustomerNotFound):
        create_invitation(session, world.partner.admin, base_url=BASE, customer_id=foreign_id)
    with pytest.raises(CustomerNotFound):
        create_invitation(
            session, world.partner.admin, base_url=BASE, customer_id="00000000-0000-0000-0000-000000000000"
        )
    assert activity(session, operation="create_relationship_request") == []


def _partnered(session: Session) -> tuple[PartnerWorld, PartnerWorld]:
    provider = make_partner(session, partner_type="indirect-provider")
    reseller = make_partner(session, partner_type="indirect-reseller")
    partnership = invite_reseller(session, provider.admin, reseller_id=reseller.partner_id)
    accept_partnership(session, reseller.admin, partnership_id=partnership.id)
    return provider, reseller


def test_an_invitation_on_behalf_of_an_indirect_reseller_relates_both_on_acceptance(
    session: Session, world: World
) -> None:
    provider, reseller = _partnered(session)
    created = create_invitation(session, provider.sales_agent, base_url=BASE, indirect_reseller_id=reseller.partner_id)
    assert created.request.indirect_reseller_id == reseller.partner_id
    customer_id, customer_admin = _new_customer(session, world)
    rel = accept_invitation(session, customer_admin, code=created.code)
    assert rel.partner_id == provider.partner_id
    assert rel.associated_partner_id == reseller.partner_id
    # The reseller is related to the customer too, without delegated admin.
    assert [r.customer.id for r in list_customers(session, reseller.admin).items] == [customer_id]
    records = activity(session, operation="add_partner_customer_relationship", customer_id=customer_id)
    assert {r.partner_id for r in records} == {provider.partner_id, reseller.partner_id}


def test_only_an_indirect_provider_invites_on_behalf_of_a_reseller(session: Session, world: World) -> None:
    # associatedPartnerId is "set only by an indirect provider" (DOMAIN §2)
    _provider, reseller = _partnered(session)
    with pytest.raises(NotAnIndirectProvider):
        create_invitation(session, world.partner.admin, base_url=BASE, indirect_reseller_id=reseller.partner_id)
    assert activity(session, operation="create_relationship_request") == []


def test_an_invitation_on_behalf_of_a_reseller_needs_an_active_partnership(session: Session, world: World) -> None:
    provider = make_partner(session, partner_type="indirect-provider")
    stranger = make_partner(session, partner_type="indirect-reseller")
    with pytest.raises(NoActivePartnership):
        create_invitation(session, provider.admin, base_url=BASE, indirect_reseller_id=stranger.partner_id)
    with pytest.raises(NotAnIndirectReseller):
        create_invitation(session, provider.admin, base_url=BASE, indirect_reseller_id=world.other.partner_id)
    with pytest.raises(PartnerNotFound):
        create_invitation(
            session, provider.admin, base_url=BASE, indirect_reseller_id="00000000-0000-0000-0000-000000000000"
        )
    assert activity(session, operation="create_relationship_request") == []


def test_helpdesk_agents_and_customers_cannot_create_invitations(session: Session, world: World) -> None:
    for actor in (world.partner.helpdesk_agent, world.customer_admin, Actor.system()):
        with pytest.raises(Forbidden):
            create_invitation(session, actor, base_url=BASE)
    assert activity(session, operation="create_relationship_request") == []


# --- the reusable partner link ---------------------------------------------------------------------------


def test_the_partner_link_is_reusable_and_grants_no_dap(session: Session, world: World) -> None:
    link = partner_invitation_link(session, world.other.sales_agent, base_url=BASE, secret_key=KEY)
    again = partner_invitation_link(session, world.other.admin, base_url="https://hub.example", secret_key=KEY)
    assert link.url == again.url
    assert link.partner_id == world.other.partner_id
    code = link.url.rsplit("/", 1)[1]

    first_id, first_admin = _new_customer(session, world, partner=world.partner.admin)
    second_id, second_admin = _new_customer(session, world, partner=world.partner.admin)
    rel1 = accept_invitation(session, first_admin, code=code, secret_key=KEY)
    rel2 = accept_invitation(session, second_admin, code=code, secret_key=KEY)

    for rel, customer_id in ((rel1, first_id), (rel2, second_id)):
        assert rel.partner_id == world.other.partner_id
        assert rel.customer_id == customer_id
        assert rel.status == RelationshipStatus.ACTIVE
        assert rel.has_delegated_admin is False
        assert rel.origin == "invitation"
        assert rel.invitation_id is None
        (rec,) = activity(session, operation="add_partner_customer_relationship", customer_id=customer_id)
        assert rec.partner_id == world.other.partner_id
        assert rec.resource_id == rel.id
        assert rec.old_value == {"relationshipToPartner": "none"}
        assert rec.new_value == {
            "relationshipToPartner": "reseller",
            "allowDelegatedAccess": False,
            "relationshipRequestId": None,
        }

    listed = {r.customer.id for r in list_customers(session, world.other.admin).items}
    assert {first_id, second_id} <= listed


def test_the_partner_link_is_refused_to_an_already_related_customer(session: Session, world: World) -> None:
    link = partner_invitation_link(session, world.partner.admin, base_url=BASE, secret_key=KEY)
    with pytest.raises(AlreadyRelated):
        accept_invitation(session, world.customer_admin, code=link.url.rsplit("/", 1)[1], secret_key=KEY)
    assert activity(session, operation="add_partner_customer_relationship") == []


def test_the_partner_link_needs_an_inviting_role(session: Session, world: World) -> None:
    with pytest.raises(Forbidden):
        partner_invitation_link(session, world.partner.helpdesk_agent, base_url=BASE, secret_key=KEY)


def test_describe_shows_who_asks_for_what(session: Session, world: World) -> None:
    created = create_invitation(session, world.partner.admin, base_url=BASE, include_delegated_admin=True)
    view = describe_invitation(session, world.customer_admin, code=created.code)
    assert view.partner_id == world.partner.partner_id
    assert view.partner_name == "Contoso Direct"
    assert view.partner_type == "direct"
    assert view.include_delegated_admin is True
    assert view.status == "sent"
    assert view.request_id == created.request.id

    link = partner_invitation_link(session, world.other.admin, base_url=BASE, secret_key=KEY)
    view = describe_invitation(session, world.customer_admin, code=link.url.rsplit("/", 1)[1], secret_key=KEY)
    assert view.partner_name == "Northwind Cloud"
    assert view.include_delegated_admin is False
    assert view.request_id is None

    with pytest.raises(InvitationNotFound):
        describe_invitation(session, world.customer_admin, code="no-such-code")


# --- accept ----------------------------------------------------------------------------------------------


def test_accepting_re_establishes_a_removed_relationship_as_a_new_episode(session: Session, world: World) -> None:
    _removed(session, world)
    assert list_customers(session, world.partner.admin).items == []
    start = utc_now() + timedelta(days=1)  # after the world's creation and the removal
    with frozen_at(start) as clock:
        created = create_invitation(session, world.partner.admin_agent, base_url=BASE, customer_id=world.customer_id)
        clock.move(timedelta(days=10))
        rel = accept_invitation(session, world.customer_admin, code=created.code)

    assert rel.status == RelationshipStatus.ACTIVE
    assert rel.partner_id == world.partner.partner_id
    assert rel.customer_id == world.customer_id
    assert rel.invitation_id == created.request.id
    assert rel.origin == "invitation"
    assert rel.activated_at == start + timedelta(days=10)

    history = relationship_history(session, partner_id=world.partner.partner_id, customer_id=world.customer_id)
    assert [h.status for h in history] == [RelationshipStatus.REMOVED, RelationshipStatus.ACTIVE]
    assert history[0].origin == "customer-created"
    assert history[0].removed_at is not None
    assert history[1].id == rel.id

    req = created.request
    assert req.status == InvitationStatus.ACCEPTED
    assert req.accepted_at == start + timedelta(days=10)
    assert req.accepted_by_user_id == world.customer_admin.user_id
    assert req.accepted_customer_id == world.customer_id

    assert [r.customer.id for r in list_customers(session, world.partner.admin).items] == [world.customer_id]
    seen = get_customer(session, world.partner.helpdesk_agent, customer_id=world.customer_id)
    assert seen.customer.id == world.customer_id

    (rec,) = activity(session, operation="add_partner_customer_relationship", customer_id=world.customer_id)
    assert rec.partner_id == world.partner.partner_id
    assert rec.customer_name == "Fabrikam Srl"
    assert rec.resource_type == "partner_relationship"
    assert rec.resource_id == rel.id
    assert rec.user_id == world.customer_admin.user_id
    assert rec.old_value == {"relationshipToPartner": "none"}
    assert rec.new_value == {
        "relationshipToPartner": "reseller",
        "allowDelegatedAccess": False,
        "relationshipRequestId": req.id,
    }


def test_dap_is_granted_only_if_the_invitation_asked_for_it(session: Session, world: World) -> None:
    _removed(session, world)
    with_dap = create_invitation(
        session, world.partner.admin, base_url=BASE, customer_id=world.customer_id, include_delegated_admin=True
    )
    rel = accept_invitation(session, world.customer_admin, code=with_dap.code)
    assert rel.has_delegated_admin is True
    (rec,) = activity(session, operation="add_partner_customer_relationship", customer_id=world.customer_id)
    assert rec.new_value is not None
    assert rec.new_value["allowDelegatedAccess"] is True

    _removed(session, world)
    without = create_invitation(session, world.partner.admin, base_url=BASE, customer_id=world.customer_id)
    rel = accept_invitation(session, world.customer_admin, code=without.code)
    assert rel.has_delegated_admin is False
    history = relationship_history(session, partner_id=world.partner.partner_id, customer_id=world.customer_id)
    assert len(history) == 3
    assert sum(1 for h in history if h.status == RelationshipStatus.ACTIVE) == 1


def test_a_dap_invitation_adds_dap_to_an_existing_relationship_without_a_new_episode(
    session: Session, world: World
) -> None:
    customer_id, customer_admin = _new_customer(session, world, partner=world.partner.admin, dap=False)
    created = create_invitation(
        session, world.partner.admin, base_url=BASE, customer_id=customer_id, include_delegated_admin=True
    )
    rel = accept_invitation(session, customer_admin, code=created.code)
    assert rel.has_delegated_admin is True
    assert rel.origin == "customer-created"
    assert rel.version == 2
    assert len(relationship_history(session, partner_id=world.partner.partner_id, customer_id=customer_id)) == 1
    (rec,) = activity(session, operation="add_partner_customer_relationship", customer_id=customer_id)
    assert rec.old_value == {"relationshipToPartner": "reseller"}
    assert rec.new_value is not None
    assert rec.new_value["allowDelegatedAccess"] is True


def test_accepting_while_already_related_is_refused(session: Session, world: World) -> None:
    created = create_invitation(session, world.partner.admin, base_url=BASE, customer_id=world.customer_id)
    with pytest.raises(AlreadyRelated):
        accept_invitation(session, world.customer_admin, code=created.code)
    assert created.request.status == InvitationStatus.SENT
    assert activity(session, operation="add_partner_customer_relationship") == []
    # a DAP request to a customer that already granted DAP changes nothing either
    with_dap = create_invitation(
        session, world.partner.admin, base_url=BASE, customer_id=world.customer_id, include_delegated_admin=True
    )
    with pytest.raises(AlreadyRelated):
        accept_invitation(session, world.customer_admin, code=with_dap.code)


def test_an_invitation_can_be_accepted_only_once(session: Session, world: World) -> None:
    _removed(session, world)
    created = create_invitation(session, world.partner.admin, base_url=BASE)
    accept_invitation(session, world.customer_admin, code=created.code)
    _removed(session, world)

    with pytest.raises(InvitationAlreadyUsed):
        accept_invitation(session, world.customer_admin, code=created.code)
    _other_id, other_admin = _new_customer(session, world)
    with pytest.raises(InvitationAlreadyUsed):
        accept_invitation(session, other_admin, code=created.code)
    assert len(activity(session, operation="add_partner_customer_relationship")) == 1
    assert list_customers(session, world.partner.admin).items == []


def test_a_revoked_invitation_cannot_be_accepted(session: Session, world: World) -> None:
    _removed(session, world)
    created = create_invitation(session, world.partner.admin, base_url=BASE, customer_id=world.customer_id)
    revoke_invitation(session, world.partner.sales_agent, invitation_id=created.request.id)
    with pytest.raises(InvitationRevoked):
        accept_invitation(session, world.customer_admin, code=created.code)
    assert activity(session, operation="add_partner_customer_relationship") == []
    assert list_customers(session, world.partner.admin).items == []


def test_an_expired_invitation_cannot_be_accepted_and_is_listed_as_expired(session: Session, world: World) -> None:
    _removed(session, world)
    with frozen_at(T0) as clock:
        created = create_invitation(session, world.partner.admin, base_url=BASE, customer_id=world.customer_id)
        fresh = create_invitation(session, world.partner.admin, base_url=BASE)
        clock.move(timedelta(days=89))
        fresh_later = create_invitation(session, world.partner.admin, base_url=BASE)
        clock.move(timedelta(days=2))  # day 91

        with pytest.raises(InvitationExpired) as err:
            accept_invitation(session, world.customer_admin, code=created.code)
        assert "2025-05-30" in str(err.value)

        expired = list_invitations(session, world.partner.helpdesk_agent, status="expired")
        assert {r.id for r in expired} == {created.request.id, fresh.request.id}
        assert [r.id for r in list_invitations(session, world.partner.admin, status="SENT")] == [fresh_later.request.id]
        assert describe_invitation(session, world.customer_admin, code=created.code).status == "expired"
    assert activity(session, operation="add_partner_customer_relationship") == []


def test_an_invitation_is_still_valid_just_before_it_expires(session: Session, world: World) -> None:
    _removed(session, world)
    with frozen_at(T0) as clock:
        created = create_invitation(session, world.partner.admin, base_url=BASE, customer_id=world.customer_id)
        clock.move(timedelta(days=90) - timedelta(seconds=1))
        rel = accept_invitation(session, world.customer_admin, code=created.code)
    assert rel.status == RelationshipStatus.ACTIVE


def test_an_invitation_addressed_to_another_customer_is_refused(session: Session, world: World) -> None:
    _removed(session, world)
    created = create_invitation(session, world.partner.admin, base_url=BASE, customer_id=world.customer_id)
    _other_id, other_admin = _new_customer(session, world)
    with pytest.raises(InvitationForAnotherCustomer):
        accept_invitation(session, other_admin, code=created.code)
    assert created.request.status == InvitationStatus.SENT
    assert activity(session, operation="add_partner_customer_relationship") == []
    # the addressed customer can still accept it
    accept_invitation(session, world.customer_admin, code=created.code)
    assert created.request.accepted_customer_id == world.customer_id


def test_an_open_invitation_can_be_accepted_by_any_customer(session: Session, world: World) -> None:
    created = create_invitation(session, world.partner.sales_agent, base_url=BASE, include_delegated_admin=True)
    customer_id, customer_admin = _new_customer(session, world)
    rel = accept_invitation(session, customer_admin, code=created.code)
    assert rel.partner_id == world.partner.partner_id
    assert rel.customer_id == customer_id
    assert rel.has_delegated_admin is True
    assert created.request.accepted_customer_id == customer_id
    # the customer now has two partners
    assert get_customer(session, world.other.admin, customer_id=customer_id).customer.id == customer_id
    assert get_customer(session, world.partner.admin, customer_id=customer_id).customer.id == customer_id


def test_partner_users_and_the_operator_cannot_accept(session: Session, world: World) -> None:
    created = create_invitation(session, world.other.admin, base_url=BASE)
    for actor in (world.partner.admin, world.other.admin, world.partner.admin_agent, Actor.system()):
        with pytest.raises(NotCustomerGlobalAdmin) as err:
            accept_invitation(session, actor, code=created.code)
        assert err.value.kind == "forbidden"
    assert created.request.status == InvitationStatus.SENT
    assert activity(session, operation="add_partner_customer_relationship") == []


def test_an_unknown_code_is_not_found(session: Session, world: World) -> None:
    with pytest.raises(InvitationNotFound):
        accept_invitation(session, world.customer_admin, code="does-not-exist")


# --- revoke, list, expire --------------------------------------------------------------------------------


def test_revoking_a_sent_invitation_records_it(session: Session, world: World) -> None:
    with frozen_at(T0):
        created = create_invitation(session, world.partner.admin, base_url=BASE, customer_id=world.customer_id)
    with frozen_at(T0 + timedelta(hours=2)):
        req = revoke_invitation(session, world.partner.admin_agent, invitation_id=f" {created.request.id.upper()} ")
    assert req.status == InvitationStatus.REVOKED
    assert req.revoked_at == T0 + timedelta(hours=2)
    (rec,) = activity(session, operation="revoke_relationship_request", resource_id=req.id)
    assert rec.partner_id == world.partner.partner_id
    assert rec.customer_id == world.customer_id
    assert rec.user_id == world.partner.admin_agent.user_id
    assert rec.old_value == {"status": "sent"}
    assert rec.new_value == {"status": "revoked"}
    assert [r.id for r in list_invitations(session, world.partner.admin, status="revoked")] == [req.id]


def test_only_a_sent_invitation_can_be_revoked(session: Session, world: World) -> None:
    revoked = create_invitation(session, world.partner.admin, base_url=BASE)
    revoke_invitation(session, world.partner.admin, invitation_id=revoked.request.id)
    with pytest.raises(InvitationNotPending) as err:
        revoke_invitation(session, world.partner.admin, invitation_id=revoked.request.id)
    assert "revoked" in str(err.value)

    accepted = create_invitation(session, world.partner.admin, base_url=BASE)
    _customer_id, customer_admin = _new_customer(session, world)
    accept_invitation(session, customer_admin, code=accepted.code)
    with pytest.raises(InvitationNotPending) as err:
        revoke_invitation(session, world.partner.admin, invitation_id=accepted.request.id)
    assert "accepted" in str(err.value)
    assert accepted.request.status == InvitationStatus.ACCEPTED

    with frozen_at(T0) as clock:
        expiring = create_invitation(session, world.partner.admin, base_url=BASE)
        clock.move(timedelta(days=91))
        with pytest.raises(InvitationNotPending) as err:
            revoke_invitation(session, world.partner.admin, invitation_id=expiring.request.id)
        assert "expired" in str(err.value)

    assert len(activity(session, operation="revoke_relationship_request")) == 1


def test_another_partner_cannot_revoke_an_invitation(session: Session, world: World) -> None:
    created = create_invitation(session, world.partner.admin, base_url=BASE)
    with pytest.raises(InvitationNotFound):
        revoke_invitation(session, world.other.admin, invitation_id=created.request.id)
    assert created.request.status == InvitationStatus.SENT
    assert activity(session, operation="revoke_relationship_request") == []


def test_a_helpdesk_agent_cannot_revoke_an_invitation(session: Session, world: World) -> None:
    created = create_invitation(session, world.partner.admin, base_url=BASE)
    with pytest.raises(Forbidden):
        revoke_invitation(session, world.partner.helpdesk_agent, invitation_id=created.request.id)
    assert created.request.status == InvitationStatus.SENT


def test_list_invitations_shows_only_the_partners_own_newest_first(session: Session, world: World) -> None:
    with frozen_at(T0) as clock:
        first = create_invitation(session, world.partner.admin, base_url=BASE)
        clock.move(timedelta(minutes=1))
        second = create_invitation(session, world.partner.sales_agent, base_url=BASE)
        clock.move(timedelta(minutes=1))
        foreign = create_invitation(session, world.other.admin, base_url=BASE)
        listed = list_invitations(session, world.partner.helpdesk_agent)
    assert [r.id for r in listed] == [second.request.id, first.request.id]
    assert [r.id for r in list_invitations(session, world.other.admin)] == [foreign.request.id]
    with pytest.raises(Forbidden):
        list_invitations(session, world.customer_admin)


def test_expire_invitations_persists_the_expiry_of_overdue_sent_invitations(session: Session, world: World) -> None:
    with frozen_at(T0) as clock:
        overdue = create_invitation(session, world.partner.admin, base_url=BASE)
        revoked = create_invitation(session, world.partner.admin, base_url=BASE)
        revoke_invitation(session, world.partner.admin, invitation_id=revoked.request.id)
        accepted = create_invitation(session, world.partner.admin, base_url=BASE)
        _customer_id, customer_admin = _new_customer(session, world)
        accept_invitation(session, customer_admin, code=accepted.code)
        clock.move(timedelta(days=60))
        recent = create_invitation(session, world.partner.admin, base_url=BASE)
        clock.move(timedelta(days=31))

        assert expire_invitations(session) == 1
        assert expire_invitations(session) == 0  # idempotent
        session.flush()
        session.expire_all()

        statuses = {
            row.id: row.status for row in session.execute(select(RelationshipRequest.id, RelationshipRequest.status))
        }
        assert statuses[overdue.request.id] == "expired"
        assert statuses[revoked.request.id] == "revoked"
        assert statuses[accepted.request.id] == "accepted"
        assert statuses[recent.request.id] == "sent"
        expiries = session.scalars(
            select(ActivityRecord).where(ActivityRecord.operation_type == "expire_relationship_request")
        ).all()
        assert [(r.resource_id, r.new_value["status"] if r.new_value else None) for r in expiries] == [
            (overdue.request.id, "expired")
        ]
        assert [r.id for r in list_invitations(session, world.partner.admin, status="expired")] == [overdue.request.id]
    # persisted: it stays expired even on a clock before its expiry date
    with frozen_at(T0 + timedelta(days=1)):
        assert [r.id for r in list_invitations(session, world.partner.admin, status="expired")] == [overdue.request.id]
        with pytest.raises(InvitationExpired):
            accept_invitation(session, world.customer_admin, code=overdue.code)


def test_expire_invitations_takes_an_explicit_instant(session: Session, world: World) -> None:
    with frozen_at(T0):
        created = create_invitation(session, world.partner.admin, base_url=BASE, valid_days=1)
    assert expire_invitations(session, now=T0 + timedelta(hours=23)) == 0
    assert expire_invitations(session, now=T0 + timedelta(days=1)) == 1
    assert created.request.status == InvitationStatus.EXPIRED


def test_no_relationship_row_is_written_by_a_refused_acceptance(session: Session, world: World) -> None:
    created = create_invitation(session, world.partner.admin, base_url=BASE, customer_id=world.customer_id)
    before = session.scalar(
        select(ResellerRelationship.id)
        .where(ResellerRelationship.customer_id == world.customer_id)
        .order_by(ResellerRelationship.id)
        .limit(1)
    )
    with pytest.raises(AlreadyRelated):
        accept_invitation(session, world.customer_admin, code=created.code)
    rows = list(
        session.scalars(select(ResellerRelationship).where(ResellerRelationship.customer_id == world.customer_id))
    )
    assert [r.id for r in rows] == [before]
