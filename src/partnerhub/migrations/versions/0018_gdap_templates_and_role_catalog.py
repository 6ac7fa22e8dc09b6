"""GDAP templates and the operator's role catalog; a relationship remembers its template, the access
assignments to create on approval, and the relationship it renews

Revision ID: 0018
Revises: 0011
Create Date: 2026-12-06 18:00:00.000000

Relationships made before this migration have no template, no planned assignments and renew nothing.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import partnerhub.db.base

revision = "0018"
down_revision = "0011"
branch_labels = None
depends_on = None

UTC = partnerhub.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "gdap_templates",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("partner_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("name_key", sa.String(length=100), nullable=False),
        sa.Column("role_ids", sa.JSON(), nullable=False),
        sa.Column("duration_days", sa.Integer(), nullable=False),
        sa.Column("auto_extend_days", sa.Integer(), nullable=False),
        sa.Column("assignments", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("last_modified_at", UTC, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["partner_id"], ["partners.id"], name=op.f("fk_gdap_templates_partner_id_partners")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gdap_templates")),
        sa.UniqueConstraint("partner_id", "name_key", name="uq_gdap_templates_partner_name"),
    )
    op.create_table(
        "gdap_role_catalog",
        sa.Column("role_id", sa.String(length=36), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("role_id", name=op.f("pk_gdap_role_catalog")),
    )
    with op.batch_alter_table("admin_relationships", schema=None) as batch_op:
        batch_op.add_column(sa.Column("template_id", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("planned_assignments", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("renewed_from_id", sa.String(length=36), nullable=True))
        batch_op.create_index(batch_op.f("ix_admin_relationships_renewed_from_id"), ["renewed_from_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("admin_relationships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_admin_relationships_renewed_from_id"))
        batch_op.drop_column("renewed_from_id")
        batch_op.drop_column("planned_assignments")
        batch_op.drop_column("template_id")
    op.drop_table("gdap_role_catalog")
    op.drop_table("gdap_templates")
