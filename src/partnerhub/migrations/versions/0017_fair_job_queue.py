"""a job queue fair across tenants: when each job was last claimed, indexed per tenant

Revision ID: 0017
Revises: 0014
Create Date: 2026-12-11 09:00:00.000000

A claim serves the tenant with the fewest running jobs, then the one served least recently (the latest
`claimed_at` of its jobs), oldest job first within a tenant (issue 12, F11).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import partnerhub.db.base

revision = "0017"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_at", partnerhub.db.base.UTCDateTime(), nullable=True))
        batch_op.create_index("ix_jobs_partner_claimed", ["partner_id", "claimed_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_partner_claimed")
        batch_op.drop_column("claimed_at")
