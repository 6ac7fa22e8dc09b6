"""The partner's delegated admin pages: a customer's Admin relationships tab (request GDAP, lock it for
approval, assign security groups, terminate) and Security groups (create, add and remove members)."""

from __future__ import annotations

from sqlalchemy import select

from partnerhub.db import read_session, transaction
from partnerhub.delegated_admin.gdap import (
    approve_admin_relationship,
    create_admin_relationship,
    list_admin_relationships,
    lock_for_approval,
)
from partnerhub.delegated_admin.models import AccessAssignment, AdminRelationship, SecurityGroup
from partnerhub.delegated_admin.roles import GLOBAL_ADMINISTRATOR, GLOBAL_READER, USER_ADMINISTRATOR
from tests.activity import operation_names
from tests.factories import PartnerWorld
from tests.web.conftest import Site


def _relationships(site: Site, partner: PartnerWorld, customer_id: str) -> list[AdminRelationship]:
    with read_session(site.engine) as session:
        return list_admin_relationships(session, partner.admin, customer_id=customer_id)


def _gdap(
    site: Site,
    partner: PartnerWorld,
    customer_id: str,
    *,
    name: str = "Helpdesk access",
    roles: tuple[str, ...] = (USER_ADMINISTRATOR, GLOBAL_READER),
    lock: bool = False,
    approve_as: str | None = None,
) -> str:
    with transaction(site.engine) as session:
        rel = create_admin_relationship(
            session, partner.admin, customer_id=customer_id, display_name=name, role_ids=list(roles), duration_days=365
        )
        if lock or approve_as:
            lock_for_approval(session, partner.admin, admin_relationship_id=rel.id)
        rel_id = rel.id
    if approve_as:
        with transaction(site.engine) as session:
            approve_admin_relationship(session, site.actor(approve_as), admin_relationship_id=rel_id)
    return rel_id


def _group(site: Site, browser: object, name: str) -> str:
    browser.get("/security-groups")  # type: ignore[attr-defined]
    page = browser.post("/security-groups", {"display_name": name})  # type: ignore[attr-defined]
    assert page.status_code == 200, page.text
    with read_session(site.engine) as session:
        return session.scalars(select(SecurityGroup.id).where(SecurityGroup.display_name == name)).one()


# --- the Admin relationships tab -----------------------------------------------------------------------


def test_the_tab_lists_the_customers_gdap_relationships_with_roles_status_and_duration(site: Site) -> None:
    partner = site.partner()
    customer_id, _ = site.customer(partner, name="Fabrikam")
    other_customer, _ = site.customer(partner, name="Contoso")
    _gdap(site, partner, customer_id, name="Fabrikam helpdesk", lock=True)
    _gdap(site, partner, other_customer, name="Contoso readers")
    page = site.signed_in(partner.admin_agent.email).get(f"/customers/{customer_id}/admin-relationships")
    assert page.status_code == 200
    assert "Fabrikam helpdesk" in page.text and "Contoso readers" not in page.text
    assert "User Administrator, Global Reader" in page.text
    assert "Approval pending" in page.text and "365 days" in page.text
    assert 'aria-current="page">Admin relationships' in page.text


def test_requesting_a_relationship_creates_it_and_opens_its_page(site: Site) -> None:
    partner = site.partner()
    customer_id, _ = site.customer(partner, name="Fabrikam")
    browser = site.signed_in(partner.admin.email)
    browser.get(f"/customers/{customer_id}/admin-relationships")
    page = browser.post(
        f"/customers/{customer_id}/admin-relationships",
        {
            "display_name": "Fabrikam user admins",
            "duration_days": "180",
            "roles": [USER_ADMINISTRATOR, GLOBAL_READER],
            "auto_extend": "on",
        },
    )
    assert page.status_code == 200
    assert "Admin relationship Fabrikam user admins was created." in page.text
    [rel] = _relationships(site, partner, customer_id)
    assert (rel.display_name, rel.duration_days, rel.auto_extend_days, rel.status) == (
        "Fabrikam user admins",
        180,
        180,
        "created",
    )
    assert sorted(rel.role_ids) == sorted([USER_ADMINISTRATOR, GLOBAL_READER])
    assert str(page.url).endswith(f"/customers/{customer_id}/admin-relationships/{rel.id}")
    assert "Request approval" in page.text
    assert operation_names(site.engine, resource_id=rel.id) == ["create_granular_admin_relationship"]


def test_a_request_without_name_roles_or_a_valid_duration_is_refused_next_to_each_field(site: Site) -> None:
    partner = site.partner()
    customer_id, _ = site.customer(partner)
    browser = site.signed_in(partner.admin.email)
    browser.get(f"/customers/{customer_id}/admin-relationships")
    page = browser.post(
        f"/customers/{customer_id}/admin-relationships", {"display_name": "x" * 51, "duration_days": "731"}
    )
    assert page.status_code == 400
    assert 'id="f-display_name-error">Use at most 50 characters.' in page.text
    assert 'id="f-duration_days-error">Enter a number from 1 to 730.' in page.text
    assert 'id="f-roles-error">Choose at least one role.' in page.text
    assert 'value="731"' in page.text  # what the user typed is kept
    assert _relationships(site, partner, customer_id) == []


def test_a_duplicate_name_is_refused_next_to_the_name_keeping_the_chosen_roles(site: Site) -> None:
    partner = site.partner()
    customer_id, _ = site.customer(partner)
    _gdap(site, partner, customer_id, name="Helpdesk access")
    browser = site.signed_in(partner.admin.email)
    browser.get(f"/customers/{customer_id}/admin-relationships")
    page = browser.post(
        f"/customers/{customer_id}/admin-relationships",
        {"display_name": "helpdesk ACCESS", "duration_days": "30", "roles": [GLOBAL_READER]},
    )
    assert page.status_code == 400
    assert 'id="f-display_name-error">You already have an admin relationship named helpdesk ACCESS.' in page.text
    assert f'value="{GLOBAL_READER}" checked' in page.text
    assert f'value="{USER_ADMINISTRATOR}" checked' not in page.text
    assert len(_relationships(site, partner, customer_id)) == 1


def test_auto_extend_with_global_administrator_is_refused_next_to_the_checkbox(site: Site) -> None:
    partner = site.partner()
    customer_id, _ = site.customer(partner)
    browser = site.signed_in(partner.admin.email)
    browser.get(f"/customers/{customer_id}/admin-relationships")
    page = browser.post(
        f"/customers/{customer_id}/admin-relationships",
        {"display_name": "Full control", "duration_days": "30", "roles": [GLOBAL_ADMINISTRATOR], "auto_extend": "on"},
    )
    assert page.status_code == 400
    assert (
        'id="f-auto_extend-error">An admin relationship that includes the Global Administrator role cannot be '
        "auto-extended."
    ) in page.text
    assert 'value="Full control"' in page.text
    assert _relationships(site, partner, customer_id) == []


def test_requesting_approval_locks_the_relationship_and_shows_the_approval_link(site: Site) -> None:
    partner = site.partner()
    customer_id, _ = site.customer(partner, name="Fabrikam")
    rel_id = _gdap(site, partner, customer_id)
    browser = site.signed_in(partner.admin.email)
    browser.get(f"/customers/{customer_id}/admin-relationships/{rel_id}")
    page = browser.post(f"/customers/{customer_id}/admin-relationships/{rel_id}/request-approval")
    assert page.status_code == 200
    assert "is waiting for approval: send the approval link to a Global admin of Fabrikam." in page.text
    assert f"http://testserver/partner-relationships/admin-relationships/{rel_id}" in page.text
    assert _relationships(site, partner, customer_id)[0].status == "approvalPending"
    assert operation_names(site.engine, resource_id=rel_id)[-1] == "lock_granular_admin_relationship_for_approval"
    again = browser.post(f"/customers/{customer_id}/admin-relationships/{rel_id}/request-approval")
    assert "this change is not allowed" in again.text  # a second click is refused, as a message on the page


def test_a_security_group_is_assigned_to_some_of_the_roles_and_removed_again(site: Site) -> None:
    partner = site.partner()
    customer_id, _ = site.customer(partner)
    rel_id = _gdap(site, partner, customer_id)
    browser = site.signed_in(partner.admin.email)
    group_id = _group(site, browser, "Helpdesk team")
    browser.get(f"/customers/{customer_id}/admin-relationships/{rel_id}")
    page = browser.post(
        f"/customers/{customer_id}/admin-relationships/{rel_id}/assignments",
        {"security_group_id": group_id, "roles": [GLOBAL_READER]},
    )
    assert "Security group Helpdesk team now has access through Helpdesk access." in page.text
    with read_session(site.engine) as session:
        assignment = session.scalars(
            select(AccessAssignment).where(AccessAssignment.admin_relationship_id == rel_id)
        ).one()
    assert assignment.role_ids == [GLOBAL_READER]
    page = browser.post(f"/customers/{customer_id}/admin-relationships/{rel_id}/assignments/{assignment.id}/delete")
    assert "Security group Helpdesk team no longer has access through Helpdesk access." in page.text
    assert operation_names(site.engine, resource_id=assignment.id) == [
        "create_granular_admin_access_assignment",
        "delete_granular_admin_access_assignment",
    ]


def test_an_assignment_needs_a_group_and_roles(site: Site) -> None:
    partner = site.partner()
    customer_id, _ = site.customer(partner)
    rel_id = _gdap(site, partner, customer_id)
    browser = site.signed_in(partner.admin.email)
    _group(site, browser, "Helpdesk team")
    browser.get(f"/customers/{customer_id}/admin-relationships/{rel_id}")
    page = browser.post(f"/customers/{customer_id}/admin-relationships/{rel_id}/assignments", {})
    assert page.status_code == 400
    assert 'id="f-security_group_id-error">Choose a security group.' in page.text
    assert 'id="f-roles-error">Choose at least one role.' in page.text


def test_a_role_outside_the_relationship_cannot_be_assigned(site: Site) -> None:
    partner = site.partner()
    customer_id, _ = site.customer(partner)
    rel_id = _gdap(site, partner, customer_id, roles=(GLOBAL_READER,))
    browser = site.signed_in(partner.admin.email)
    group_id = _group(site, browser, "Helpdesk team")
    browser.get(f"/customers/{customer_id}/admin-relationships/{rel_id}")
    page = browser.post(
        f"/customers/{customer_id}/admin-relationships/{rel_id}/assignments",
        {"security_group_id": group_id, "roles": [USER_ADMINISTRATOR]},
    )
    assert page.status_code == 400
    assert f'id="f-roles-error">The roles {USER_ADMINISTRATOR} are not part of admin relationship' in page.text
    assert f'value="{group_id}" selected' in page.text


def test_terminating_an_active_relationship_asks_for_confirmation_first(site: Site) -> None:
    partner = site.partner()
    customer_id, customer_admin = site.customer(partner, name="Fabrikam")
    rel_id = _gdap(site, partner, customer_id, approve_as=customer_admin)
    browser = site.signed_in(partner.admin.email)
    confirm = browser.get(f"/customers/{customer_id}/admin-relationships/{rel_id}/terminate")
    assert "Terminate admin relationship Helpdesk access?" in confirm.text
    assert _relationships(site, partner, customer_id)[0].status == "active"
    page = browser.post(f"/customers/{customer_id}/admin-relationships/{rel_id}/terminate")
    assert "Admin relationship Helpdesk access was terminated." in page.text
    rel = _relationships(site, partner, customer_id)[0]
    assert (rel.status, rel.ended_by) == ("terminated", "partner")
    assert operation_names(site.engine, resource_id=rel_id)[-1] == "terminate_granular_admin_relationship"


def test_another_partners_relationship_or_customer_is_not_found(site: Site) -> None:
    partner, other = site.partner(), site.partner()
    customer_id, _ = site.customer(partner)
    mine, _ = site.customer(other)
    rel_id = _gdap(site, partner, customer_id)
    browser = site.signed_in(other.admin.email)
    assert browser.get(f"/customers/{customer_id}/admin-relationships").status_code == 404
    assert browser.get(f"/customers/{customer_id}/admin-relationships/{rel_id}").status_code == 404
    page = browser.get(f"/customers/{mine}/admin-relationships/{rel_id}")  # own customer, foreign relationship
    assert page.status_code == 404
    assert "Admin relationship" in page.text and "was not found" in page.text
    page = browser.post(
        f"/customers/{customer_id}/admin-relationships/{rel_id}/terminate", csrf=_csrf(browser, "/security-groups")
    )
    assert page.status_code == 404
    assert _relationships(site, partner, customer_id)[0].status == "created"


def _csrf(browser: object, path: str) -> str:
    from tests.web.conftest import csrf_of

    return csrf_of(browser.get(path).text)  # type: ignore[attr-defined]


def test_a_sales_agent_or_a_customer_user_is_refused(site: Site) -> None:
    partner = site.partner()
    customer_id, customer_admin = site.customer(partner)
    sales = site.signed_in(partner.sales_agent.email).get(f"/customers/{customer_id}/admin-relationships")
    assert sales.status_code == 403
    assert "Your role does not allow this operation" in sales.text
    customer = site.signed_in(customer_admin)
    assert customer.get(f"/customers/{customer_id}/admin-relationships").status_code == 403
    assert customer.get("/security-groups").status_code == 403


def test_the_tab_reads_in_italian(site: Site) -> None:
    partner = site.partner()
    customer_id, _ = site.customer(partner, name="Fabrikam")
    _gdap(site, partner, customer_id, lock=True)
    page = site.signed_in(partner.admin.email, language="it").get(f"/customers/{customer_id}/admin-relationships")
    assert 'lang="it"' in page.text
    assert "Richiedi una nuova relazione di amministratore" in page.text
    assert "Amministratore utenti, Lettore globale" in page.text
    assert "In attesa di approvazione" in page.text and "365 giorni" in page.text


# --- Security groups ---------------------------------------------------------------------------------


def test_security_groups_are_created_and_listed_with_their_members(site: Site) -> None:
    partner = site.partner()
    browser = site.signed_in(partner.admin.email)
    group_id = _group(site, browser, "Helpdesk team")
    page = browser.get(f"/security-groups/{group_id}")
    page = browser.post(f"/security-groups/{group_id}/members", {"email": partner.helpdesk_agent.email.upper()})
    assert f"{partner.helpdesk_agent.email} was added to Helpdesk team." in page.text
    listing = browser.get("/security-groups")
    assert "Helpdesk team" in listing.text and partner.helpdesk_agent.email in listing.text
    assert operation_names(site.engine, resource_id=group_id) == ["create_security_group", "add_security_group_member"]


def test_a_member_is_removed_from_a_group(site: Site) -> None:
    partner = site.partner()
    browser = site.signed_in(partner.admin.email)
    group_id = _group(site, browser, "Helpdesk team")
    browser.get(f"/security-groups/{group_id}")
    browser.post(f"/security-groups/{group_id}/members", {"email": partner.helpdesk_agent.email})
    page = browser.post(f"/security-groups/{group_id}/members/remove", {"email": partner.helpdesk_agent.email})
    assert f"{partner.helpdesk_agent.email} was removed from Helpdesk team." in page.text
    assert "No members" in page.text
    assert operation_names(site.engine, resource_id=group_id)[-1] == "remove_security_group_member"


def test_a_group_name_is_required_and_unique(site: Site) -> None:
    partner = site.partner()
    browser = site.signed_in(partner.admin.email)
    _group(site, browser, "Helpdesk team")
    page = browser.post("/security-groups", {"display_name": " "})
    assert page.status_code == 400
    assert 'id="f-display_name-error">This field is required.' in page.text
    page = browser.post("/security-groups", {"display_name": "HELPDESK team"})
    assert page.status_code == 400
    assert 'id="f-display_name-error">You already have a security group named HELPDESK team.' in page.text
    assert 'value="HELPDESK team"' in page.text


def test_only_users_of_the_partner_can_become_members(site: Site) -> None:
    partner, other = site.partner(), site.partner()
    browser = site.signed_in(partner.admin.email)
    group_id = _group(site, browser, "Helpdesk team")
    browser.get(f"/security-groups/{group_id}")
    page = browser.post(f"/security-groups/{group_id}/members", {"email": other.admin.email})
    assert page.status_code == 400
    assert f'id="f-email-error">User {other.admin.email} was not found' in page.text
    assert f'value="{other.admin.email}"' in page.text
    assert operation_names(site.engine, resource_id=group_id) == ["create_security_group"]


def test_another_partners_group_is_not_found(site: Site) -> None:
    partner, other = site.partner(), site.partner()
    group_id = _group(site, site.signed_in(partner.admin.email), "Helpdesk team")
    browser = site.signed_in(other.admin.email)
    assert browser.get(f"/security-groups/{group_id}").status_code == 404
    page = browser.post(
        f"/security-groups/{group_id}/members", {"email": other.admin.email}, csrf=_csrf(browser, "/security-groups")
    )
    assert page.status_code == 404
