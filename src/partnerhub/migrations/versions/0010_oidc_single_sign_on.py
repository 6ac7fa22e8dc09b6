"""single sign-on with OpenID Connect: each tenant's identity provider (client secret encrypted)

Revision ID: 0010
Revises: 0013
Create Date: 2026-12-07 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import partnerhub.db.base

revision = "0010"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tenant_single_sign_on",
        sa.Column("tenant_id", sa.String(length=36), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("client_id", sa.String(length=255), nullable=False),
        sa.Column("client_secret_encrypted", sa.Text(), nullable=False),
        sa.Column("is_enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", partnerhub.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", partnerhub.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_tenant_single_sign_on_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_tenant_single_sign_on")),
    )


def downgrade() -> None:
    op.drop_table("tenant_single_sign_on")
