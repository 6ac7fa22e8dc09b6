"""Migration 0007 on a database that holds invitations (SQLite and PostgreSQL): tracked codes become hashes
and keep working, the partner's clear reusable code is dropped (it keeps working until the first rotation),
and the derived link works at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import Engine, text

from partnerhub.auth.actor import Actor
from partnerhub.auth.models import Role
from partnerhub.auth.service import actor_for_user
from partnerhub.db import transaction
from partnerhub.db.base import UTCDateTime
from partnerhub.errors import InvitationNotFound
from partnerhub.invitations.partner_link import partner_invitation_link, rotate_partner_link
from partnerhub.invitations.service import accept_invitation, describe_invitation
from partnerhub.migrations import alembic_config, upgrade
from tests.factories import make_customer, make_partner

KEY = "the instance's secret key"
NOW = datetime.now(UTC)
PARTNER_ID = "11111111-1111-4111-8111-111111111111"
OLD_LINK_CODE = "0ldPartnerLinkCodeInClear"
TRACKED = {
    "22222222-2222-4222-8222-222222222222": ("Tr4ckedCodeSentInClear01", True),
    "33333333-3333-4333-8333-333333333333": ("Tr4ckedCodeSentInClear02", False),
}

tenants = sa.table(
    "tenants",
    sa.column("id"),
    sa.column("kind"),
    sa.column("name"),
    sa.column("domain"),
    sa.column("created_at", UTCDateTime()),
    sa.column("requires_mfa"),
)
partners = sa.table(
    "partners",
    sa.column("id"),
    sa.column("partner_type"),
    sa.column("mpn_id"),
    sa.column("invitation_code"),
    sa.column("admin_agents_may_remove"),
)
requests = sa.table(
    "relationship_requests",
    sa.column("id"),
    sa.column("code"),
    sa.column("partner_id"),
    sa.column("language"),
    sa.column("include_delegated_admin"),
    sa.column("status"),
    sa.column("created_at", UTCDateTime()),
    sa.column("expires_at", UTCDateTime()),
)


def _before_0007(engine: Engine) -> None:
    upgrade(engine, "0006")
    with engine.begin() as conn:
        conn.execute(
            tenants.insert().values(
                id=PARTNER_ID,
                kind="partner",
                name="Old Partner",
                domain="old-partner.example",
                created_at=NOW,
                requires_mfa=True,
            )
        )
        conn.execute(
            partners.insert().values(
                id=PARTNER_ID,
                partner_type="direct",
                mpn_id="7000001",
                invitation_code=OLD_LINK_CODE,
                admin_agents_may_remove=False,
            )
        )
        for request_id, (code, dap) in TRACKED.items():
            conn.execute(
                requests.insert().values(
                    id=request_id,
                    code=code,
                    partner_id=PARTNER_ID,
                    language="en",
                    include_delegated_admin=dap,
                    status="sent",
                    created_at=NOW,
                    expires_at=NOW + timedelta(days=30),
                )
            )


def _dump(engine: Engine) -> str:
    with engine.connect() as conn:
        return " ".join(
            str(v)
            for table in ("relationship_requests", "partners")
            for row in conn.execute(text(f"SELECT * FROM {table}"))  # noqa: S608 - fixed names
            for v in row
        )


def test_the_upgrade_hashes_every_code_and_keeps_every_invitation_working(blank_engine: Engine) -> None:
    _before_0007(blank_engine)
    upgrade(blank_engine)
    dumped = _dump(blank_engine)
    assert OLD_LINK_CODE not in dumped and not any(code in dumped for code, _ in TRACKED.values())
    old_partner_admin = Actor("u", "ga@old-partner.example", PARTNER_ID, "partner", frozenset({Role.GLOBAL_ADMIN}))
    with transaction(blank_engine) as session:
        other = make_partner(session)
        first, second = (actor_for_user(session, make_customer(session, other.admin).admin) for _ in "12")
        for request_id, (code, _) in TRACKED.items():
            assert describe_invitation(session, first, code=code).request_id == request_id
        rel = accept_invitation(session, first, code=TRACKED["22222222-2222-4222-8222-222222222222"][0])
        assert (rel.partner_id, rel.has_delegated_admin) == (PARTNER_ID, True)
        # the reusable link: the clear code from before keeps working; the derived one works too
        assert describe_invitation(session, second, code=OLD_LINK_CODE, secret_key=KEY).partner_id == PARTNER_ID
        link = partner_invitation_link(session, old_partner_admin, base_url="https://hub.example", secret_key=KEY)
        derived = link.url.rsplit("/", 1)[1]
        assert derived != OLD_LINK_CODE
        assert describe_invitation(session, second, code=derived, secret_key=KEY).partner_id == PARTNER_ID
        # ...until the partner rotates it: then only the new link accepts
        new = rotate_partner_link(session, old_partner_admin, base_url="https://hub.example", secret_key=KEY)
        for gone in (OLD_LINK_CODE, derived):
            with pytest.raises(InvitationNotFound):
                describe_invitation(session, second, code=gone, secret_key=KEY)
        assert (
            accept_invitation(session, second, code=new.url.rsplit("/", 1)[1], secret_key=KEY).partner_id == PARTNER_ID
        )


def test_the_migration_goes_down_and_up_again(blank_engine: Engine) -> None:
    _before_0007(blank_engine)
    upgrade(blank_engine)
    command.downgrade(alembic_config(blank_engine), "0006")
    with blank_engine.connect() as conn:
        codes = conn.execute(sa.select(requests.c.code)).scalars().all()
    assert len(codes) == 2 and all(codes)  # new random codes: hashes cannot be turned back into codes
    upgrade(blank_engine)
