"""Security groups under optimistic concurrency (issue 15 §4): a member change that names the group's etag
is refused (2055) when the group changed since; without one it applies; each change moves the etag."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from partnerhub.delegated_admin.access import add_group_member, create_security_group, remove_group_member
from partnerhub.delegated_admin.schemas import security_group_dict
from partnerhub.errors import StaleEtag
from tests.activity import operation_names
from tests.factories import make_partner


def test_a_stale_etag_is_refused_and_a_change_moves_the_etag(session: Session) -> None:
    partner = make_partner(session)
    group = create_security_group(session, partner.admin, display_name="Helpdesk team")
    first = security_group_dict(group, members=[])["@odata.etag"]

    add_group_member(session, partner.admin, security_group_id=group.id, user=partner.helpdesk_agent.email, etag=first)
    second = security_group_dict(group, members=[])["@odata.etag"]
    assert second != first

    with pytest.raises(StaleEtag) as err:
        remove_group_member(
            session, partner.admin, security_group_id=group.id, user=partner.helpdesk_agent.email, etag=f'W/"{first}"'
        )
    assert err.value.code == 2055
    assert operation_names(session, resource_id=group.id) == ["create_security_group", "add_security_group_member"]

    remove_group_member(
        session, partner.admin, security_group_id=group.id, user=partner.helpdesk_agent.email, etag=second
    )
    # adding a member again without an etag applies, as before
    add_group_member(session, partner.admin, security_group_id=group.id, user=partner.helpdesk_agent.email)
    assert operation_names(session, resource_id=group.id)[-2:] == [
        "remove_security_group_member",
        "add_security_group_member",
    ]
