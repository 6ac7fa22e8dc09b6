"""Microsoft's Graph SDK for Python (`msgraph-sdk` from PyPI), unchanged, drives GDAP against a running
partnerhub: its base URL pointed at partnerhub's /v1 and a partnerhub bearer token. The whole lifecycle comes
back as the SDK's typed objects: create (durations as Python timedeltas), get, patch, lockForApproval, approve by
the customer's own Global admin, access assignments, the requests and operations kept, delegatedAdminCustomers,
paging past the first page with the SDK's PageIterator, `$count`, deleting a draft and terminating; and a
refusal reaches the caller as an `ODataError` with Graph's code and partnerhub's message."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any, TypeVar

import pytest
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph import GraphServiceClient
from msgraph.generated.models.delegated_admin_access_assignment import DelegatedAdminAccessAssignment
from msgraph.generated.models.delegated_admin_access_container import DelegatedAdminAccessContainer
from msgraph.generated.models.delegated_admin_access_container_type import DelegatedAdminAccessContainerType
from msgraph.generated.models.delegated_admin_access_details import DelegatedAdminAccessDetails
from msgraph.generated.models.delegated_admin_relationship import DelegatedAdminRelationship
from msgraph.generated.models.delegated_admin_relationship_collection_response import (
    DelegatedAdminRelationshipCollectionResponse,
)
from msgraph.generated.models.delegated_admin_relationship_customer_participant import (
    DelegatedAdminRelationshipCustomerParticipant,
)
from msgraph.generated.models.delegated_admin_relationship_operation_type import (
    DelegatedAdminRelationshipOperationType,
)
from msgraph.generated.models.delegated_admin_relationship_request import DelegatedAdminRelationshipRequest
from msgraph.generated.models.delegated_admin_relationship_request_action import (
    DelegatedAdminRelationshipRequestAction,
)
from msgraph.generated.models.delegated_admin_relationship_request_status import (
    DelegatedAdminRelationshipRequestStatus,
)
from msgraph.generated.models.delegated_admin_relationship_status import DelegatedAdminRelationshipStatus
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.unified_role import UnifiedRole
from msgraph.generated.tenant_relationships.delegated_admin_relationships.delegated_admin_relationships_request_builder import (  # noqa: E501
    DelegatedAdminRelationshipsRequestBuilder,
)
from msgraph_core.tasks.page_iterator import PageIterator

from partnerhub.db import transaction
from partnerhub.delegated_admin.access import add_group_member, create_security_group
from partnerhub.delegated_admin.roles import HELPDESK_ADMINISTRATOR, USER_ADMINISTRATOR
from partnerhub.ids import new_id
from tests.graph_sdk.conftest import GraphClients, Live

pytestmark = pytest.mark.slow

T = TypeVar("T")
Query = DelegatedAdminRelationshipsRequestBuilder.DelegatedAdminRelationshipsRequestBuilderGetQueryParameters


def _draft(
    customer_id: str, name: str, *roles: str, auto_extend: timedelta = timedelta(days=180)
) -> DelegatedAdminRelationship:
    return DelegatedAdminRelationship(
        display_name=name,
        duration=timedelta(days=730),
        auto_extend_duration=auto_extend,
        customer=DelegatedAdminRelationshipCustomerParticipant(tenant_id=customer_id),
        access_details=DelegatedAdminAccessDetails(unified_roles=[UnifiedRole(role_definition_id=r) for r in roles]),
    )


async def _refusal(call: Any) -> ODataError:
    """The ODataError a call raises (the test fails if it succeeds)."""
    try:
        await call
    except ODataError as error:
        return error
    raise AssertionError("the call was expected to be refused")


def _item(client: GraphServiceClient, relationship_id: str) -> Any:
    return client.tenant_relationships.delegated_admin_relationships.by_delegated_admin_relationship_id(relationship_id)


def _group(live: Live, partner: Any) -> str:
    with transaction(live.engine) as session:
        group = create_security_group(session, partner.admin, display_name="Helpdesk via the SDK")
        add_group_member(session, partner.admin, security_group_id=group.id, user=partner.helpdesk_agent.email)
        return group.id


async def _lifecycle(live: Live, graph: GraphClients) -> None:
    partner, partner_token = live.partner()
    customer_id, one_time_token = live.customer(partner, name="Fabrikam Srl", own_password=False)
    as_partner = graph(partner_token)
    relationships = as_partner.tenant_relationships.delegated_admin_relationships

    created = await relationships.post(
        _draft(customer_id, "Helpdesk via the SDK", USER_ADMINISTRATOR, HELPDESK_ADMINISTRATOR)
    )
    assert created is not None and created.id
    assert created.status == DelegatedAdminRelationshipStatus.Created
    assert (created.duration, created.auto_extend_duration) == (timedelta(days=730), timedelta(days=180))
    assert created.customer is not None and created.customer.tenant_id == customer_id
    item = relationships.by_delegated_admin_relationship_id(created.id)
    got = await item.get()
    assert got is not None and got.display_name == "Helpdesk via the SDK"
    patched = await item.patch(DelegatedAdminRelationship(display_name="Helpdesk (SDK)", duration=timedelta(days=365)))
    assert patched is not None and (patched.display_name, patched.duration) == ("Helpdesk (SDK)", timedelta(days=365))

    locked = await item.requests.post(
        DelegatedAdminRelationshipRequest(action=DelegatedAdminRelationshipRequestAction.LockForApproval)
    )
    assert locked is not None and locked.status == DelegatedAdminRelationshipRequestStatus.Succeeded

    # the customer's Global admin, still on the password the partner was shown, cannot approve: the SDK says why
    approval = DelegatedAdminRelationshipRequest(action=DelegatedAdminRelationshipRequestAction.Approve)
    refused = await _refusal(_item(graph(one_time_token), str(created.id)).requests.post(approval))
    assert refused.response_status_code == 403 and refused.error is not None
    assert refused.error.code == "accessDenied" and "own password" in (refused.error.message or "")
    assert refused.error.inner_error is not None
    assert refused.error.inner_error.additional_data["code"] == 800508
    missing = await _refusal(_item(as_partner, new_id()).get())
    assert missing.response_status_code == 404 and missing.error is not None
    assert missing.error.code == "itemNotFound" and "was not found" in (missing.error.message or "")

    as_customer = graph(live.take_over(customer_id))  # signs in, sets their own password
    approved = await _item(as_customer, str(created.id)).requests.post(approval)
    assert approved is not None and approved.action == DelegatedAdminRelationshipRequestAction.Approve
    active = await item.get()
    assert active is not None and active.status == DelegatedAdminRelationshipStatus.Active
    assert active.end_date_time is not None and active.activated_date_time is not None

    group_id = _group(live, partner)
    assignment = await item.access_assignments.post(
        DelegatedAdminAccessAssignment(
            access_container=DelegatedAdminAccessContainer(
                access_container_id=group_id, access_container_type=DelegatedAdminAccessContainerType.SecurityGroup
            ),
            access_details=DelegatedAdminAccessDetails(
                unified_roles=[UnifiedRole(role_definition_id=USER_ADMINISTRATOR)]
            ),
        )
    )
    assert assignment is not None and assignment.id
    listed = await item.access_assignments.get()
    assert listed is not None and [a.id for a in listed.value or []] == [assignment.id]
    one = await item.access_assignments.by_delegated_admin_access_assignment_id(assignment.id).get()
    assert one is not None and one.access_container is not None
    assert one.access_container.access_container_id == group_id

    requests = await item.requests.get()
    assert requests is not None and [r.action for r in requests.value or []] == [
        DelegatedAdminRelationshipRequestAction.LockForApproval,
        DelegatedAdminRelationshipRequestAction.Approve,
    ]
    assert [r.id for r in requests.value or []] == [locked.id, approved.id]
    kept = await item.requests.by_delegated_admin_relationship_request_id(str(locked.id)).get()
    assert kept is not None and kept.action == DelegatedAdminRelationshipRequestAction.LockForApproval
    operations = await item.operations.get()
    assert operations is not None and [o.operation_type for o in operations.value or []] == [
        DelegatedAdminRelationshipOperationType.DelegatedAdminRelationshipUpdate,
        DelegatedAdminRelationshipOperationType.DelegatedAdminAccessAssignmentUpdate,
    ]
    assert json.loads((operations.value or [])[1].data or "{}")["accessAssignmentId"] == assignment.id

    customers = as_partner.tenant_relationships.delegated_admin_customers
    found = await customers.get()
    assert found is not None and [(c.tenant_id, c.display_name) for c in found.value or []] == [
        (customer_id, "Fabrikam Srl")
    ]
    customer = await customers.by_delegated_admin_customer_id(customer_id).get()
    assert customer is not None and customer.display_name == "Fabrikam Srl"
    details = await customers.by_delegated_admin_customer_id(customer_id).service_management_details.get()
    assert details is not None and all(
        (d.service_management_url or "").startswith(f"{live.base_url}/customers/{customer_id}")
        for d in details.value or []
    )

    # paging past the first page: more relationships than $top, followed by the SDK's PageIterator
    for i in range(4):
        drafted = await relationships.post(
            _draft(customer_id, f"Draft {i}", USER_ADMINISTRATOR, auto_extend=timedelta(0))
        )
        assert drafted is not None and drafted.auto_extend_duration == timedelta(0)
    first = await relationships.get(RequestConfiguration(query_parameters=Query(top=2, count=True)))
    assert isinstance(first, DelegatedAdminRelationshipCollectionResponse)
    assert first.odata_count == 5 and len(first.value or []) == 2 and first.odata_next_link
    seen: list[str] = []

    def collect(rel: DelegatedAdminRelationship) -> bool:
        seen.append(str(rel.display_name))
        return True

    await PageIterator(first, as_partner.request_adapter).iterate(collect)
    assert seen == ["Helpdesk (SDK)", "Draft 0", "Draft 1", "Draft 2", "Draft 3"]
    assert await relationships.count.get() == 5
    drafts = await relationships.get(
        RequestConfiguration(query_parameters=Query(filter="status eq 'created'", count=True))
    )
    assert drafts is not None and drafts.odata_count == 4

    draft_id = str((drafts.value or [])[0].id)
    await relationships.by_delegated_admin_relationship_id(draft_id).delete()
    gone = await _refusal(relationships.by_delegated_admin_relationship_id(draft_id).get())
    assert gone.response_status_code == 404
    not_a_draft = await _refusal(item.delete())
    assert not_a_draft.response_status_code == 400 and not_a_draft.error is not None
    assert not_a_draft.error.code == "invalidRequest" and "active" in (not_a_draft.error.message or "")

    terminated = await item.requests.post(
        DelegatedAdminRelationshipRequest(action=DelegatedAdminRelationshipRequestAction.Terminate)
    )
    assert terminated is not None and terminated.action == DelegatedAdminRelationshipRequestAction.Terminate
    ended = await item.get()
    assert ended is not None and ended.status == DelegatedAdminRelationshipStatus.Terminated
    assert await customers.count.get() == 0


async def _closing(graph: GraphClients, work: Coroutine[Any, Any, T]) -> T:
    try:
        return await work
    finally:
        await graph.aclose()


def test_the_graph_sdk_runs_the_whole_gdap_lifecycle(live: Live, graph_client: GraphClients) -> None:
    asyncio.run(_closing(graph_client, _lifecycle(live, graph_client)))


async def _in_italian(live: Live, graph: GraphClients) -> ODataError:
    _, token = live.partner()
    missing = new_id()
    config: RequestConfiguration[Any] = RequestConfiguration()
    config.headers.add("Accept-Language", "it-IT")
    return await _refusal(
        graph(token)
        .tenant_relationships.delegated_admin_relationships.by_delegated_admin_relationship_id(missing)
        .get(config)
    )


def test_an_odata_error_carries_the_message_in_the_callers_language(live: Live, graph_client: GraphClients) -> None:
    error = asyncio.run(_closing(graph_client, _in_italian(live, graph_client)))
    assert error.error is not None and error.error.code == "itemNotFound"
    assert "non è stata trovata" in (error.error.message or "")
    assert error.error.inner_error is not None and error.error.inner_error.request_id
