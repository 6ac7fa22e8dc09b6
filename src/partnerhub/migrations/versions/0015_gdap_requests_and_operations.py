"""GDAP requests and operations kept as rows (Microsoft Graph's delegatedAdminRelationshipRequest and
delegatedAdminRelationshipOperation)

Revision ID: 0015
Revises: 0010
Create Date: 2026-12-06 16:00:00.000000

Each request that took effect on an admin relationship (lockForApproval, approve, reject, terminate) and each
change of a relationship or its access assignments is kept, so that `GET .../requests` and `.../operations`
answer what happened instead of making it up. Relationships changed before this migration have no history.

"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import partnerhub.db.base

revision = "0015"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "admin_relationship_requests",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("admin_relationship_id", sa.String(length=36), nullable=False),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_by", sa.String(length=36), nullable=True),
        sa.Column("created_at", partnerhub.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_modified_at", partnerhub.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["admin_relationship_id"],
            ["admin_relationships.id"],
            name=op.f("fk_admin_relationship_requests_admin_relationship_id_admin_relationships"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_relationship_requests")),
    )
    with op.batch_alter_table("admin_relationship_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_admin_relationship_requests_relationship", ["admin_relationship_id", "created_at"], unique=False
        )

    op.create_table(
        "admin_relationship_operations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("admin_relationship_id", sa.String(length=36), nullable=False),
        sa.Column("operation_type", sa.String(length=48), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", partnerhub.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_modified_at", partnerhub.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["admin_relationship_id"],
            ["admin_relationships.id"],
            name=op.f("fk_admin_relationship_operations_admin_relationship_id_admin_relationships"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_relationship_operations")),
    )
    with op.batch_alter_table("admin_relationship_operations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_admin_relationship_operations_relationship", ["admin_relationship_id", "created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("admin_relationship_operations", schema=None) as batch_op:
        batch_op.drop_index("ix_admin_relationship_operations_relationship")
    op.drop_table("admin_relationship_operations")
    with op.batch_alter_table("admin_relationship_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_admin_relationship_requests_relationship")
    op.drop_table("admin_relationship_requests")
