"""Migration 0009 on a database that holds partners (SQLite and PostgreSQL): each partner's own domain and its
first Global admin's become its verified domains; a domain its users squatted (a customer's, another one) does
not, and a domain another tenant holds is skipped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import command
from sqlalchemy import Engine

from partnerhub.db import read_session
from partnerhub.db.base import UTCDateTime
from partnerhub.migrations import alembic_config, upgrade
from partnerhub.tenants.domains import verified_domains

NOW = datetime.now(UTC)
CONTOSO = "11111111-1111-4111-8111-111111111111"
FABRIKAM = "22222222-2222-4222-8222-222222222222"

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
    sa.column("invitation_nonce"),
    sa.column("admin_agents_may_remove"),
)
users = sa.table(
    "users",
    sa.column("id"),
    sa.column("tenant_id"),
    sa.column("email"),
    sa.column("display_name"),
    sa.column("password_hash"),
    sa.column("roles", sa.JSON),
    sa.column("locale"),
    sa.column("is_active"),
    sa.column("created_at", UTCDateTime()),
    sa.column("password_is_one_time"),
)


def _user(n: int, tenant_id: str, email: str, role: str) -> dict[str, object]:
    return {
        "id": f"00000000-0000-4000-8000-00000000000{n}",
        "tenant_id": tenant_id,
        "email": email,
        "display_name": email,
        "password_hash": "x",
        "roles": [role],
        "locale": "en",
        "is_active": True,
        "created_at": NOW + timedelta(seconds=n),
        "password_is_one_time": False,
    }


def _before_0009(engine: Engine) -> None:
    upgrade(engine, "0015")  # the revision before 0009
    with engine.begin() as conn:
        conn.execute(
            tenants.insert(),
            [
                {
                    "id": CONTOSO,
                    "kind": "partner",
                    "name": "Contoso",
                    "domain": "contoso.onmicrosoft.example",
                    "created_at": NOW,
                    "requires_mfa": True,
                },
                {
                    "id": FABRIKAM,
                    "kind": "customer",
                    "name": "Fabrikam",
                    "domain": "fabrikam.example",
                    "created_at": NOW,
                    "requires_mfa": False,
                },
            ],
        )
        conn.execute(
            partners.insert().values(
                id=CONTOSO,
                partner_type="direct",
                mpn_id="7000001",
                invitation_nonce="n" * 16,
                admin_agents_may_remove=False,
            )
        )
        conn.execute(
            users.insert(),
            [
                _user(1, CONTOSO, "ga@contoso.example", "global-admin"),  # the onboarded Global admin
                _user(2, CONTOSO, "boss@squatted.example", "global-admin"),  # added later by the partner
                _user(3, CONTOSO, "admin2@fabrikam.example", "sales-agent"),  # squatting the customer's domain
                _user(4, FABRIKAM, "admin@fabrikam.example", "global-admin"),
            ],
        )


def test_the_backfill_verifies_the_partners_domain_and_its_first_global_admins_only(blank_engine: Engine) -> None:
    _before_0009(blank_engine)
    upgrade(blank_engine)
    with read_session(blank_engine) as session:
        assert verified_domains(session, CONTOSO) == ["contoso.example", "contoso.onmicrosoft.example"]
        assert verified_domains(session, FABRIKAM) == []


def test_the_migration_goes_down_and_up_again(blank_engine: Engine) -> None:
    _before_0009(blank_engine)
    upgrade(blank_engine)
    command.downgrade(alembic_config(blank_engine), "0015")
    upgrade(blank_engine)
    with read_session(blank_engine) as session:
        assert verified_domains(session, CONTOSO) == ["contoso.example", "contoso.onmicrosoft.example"]
