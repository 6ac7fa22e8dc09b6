"""verified domains per partner, backfilled from each partner's own domain and its first Global admin's

Revision ID: 0009
Revises: 0015
Create Date: 2026-12-11 09:00:00.000000

Issue 12, F5: a partner's users have e-mail addresses in the partner's verified domains, which the operator
sets. Each existing partner gets its tenant's domain and the domain of its first Global admin (the one the
operator onboarded it with), never the domains of the users it added itself: an address that squatted a
customer's domain must not make that domain the partner's. A domain already taken (another tenant's domain,
or verified for another partner first) is skipped.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import partnerhub.db.base

revision = "0009"
down_revision = "0015"
branch_labels = None
depends_on = None

tenants = sa.table(
    "tenants",
    sa.column("id", sa.String),
    sa.column("kind", sa.String),
    sa.column("domain", sa.String),
    sa.column("created_at", sa.DateTime),
)
users = sa.table(
    "users",
    sa.column("id", sa.String),
    sa.column("tenant_id", sa.String),
    sa.column("email", sa.String),
    sa.column("roles", sa.JSON),
    sa.column("created_at", sa.DateTime),
)
partner_domains = sa.table(
    "partner_domains",
    sa.column("domain", sa.String),
    sa.column("partner_id", sa.String),
    sa.column("created_at", partnerhub.db.base.UTCDateTime()),
)


def upgrade() -> None:
    op.create_table(
        "partner_domains",
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.Column("partner_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", partnerhub.db.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["partner_id"], ["partners.id"], name=op.f("fk_partner_domains_partner_id_partners")),
        sa.PrimaryKeyConstraint("domain", name=op.f("pk_partner_domains")),
    )
    with op.batch_alter_table("partner_domains", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_partner_domains_partner_id"), ["partner_id"], unique=False)

    bind = op.get_bind()
    tenant_domains = {
        domain: tenant_id for tenant_id, domain in bind.execute(sa.select(tenants.c.id, tenants.c.domain))
    }
    partners = bind.execute(
        sa.select(tenants.c.id, tenants.c.domain)
        .where(tenants.c.kind == "partner")
        .order_by(tenants.c.created_at, tenants.c.id)
    ).all()
    taken: set[str] = set()
    now = datetime.now(UTC)
    for partner_id, own_domain in partners:
        first_admin = None
        for email, roles in bind.execute(
            sa.select(users.c.email, users.c.roles)
            .where(users.c.tenant_id == partner_id)
            .order_by(users.c.created_at, users.c.id)
        ):
            if "global-admin" in (roles or []):
                first_admin = email
                break
        candidates = [own_domain]
        if first_admin and "@" in first_admin:
            candidates.append(first_admin.rsplit("@", 1)[1].lower())
        for domain in candidates:
            if domain in taken or tenant_domains.get(domain, partner_id) != partner_id:
                continue
            taken.add(domain)
            bind.execute(partner_domains.insert().values(domain=domain, partner_id=partner_id, created_at=now))


def downgrade() -> None:
    with op.batch_alter_table("partner_domains", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_domains_partner_id"))
    op.drop_table("partner_domains")
