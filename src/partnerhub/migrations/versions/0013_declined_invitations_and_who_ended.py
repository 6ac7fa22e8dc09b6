"""declined relationship requests; the side that ended a reseller relationship

Revision ID: 0013
Revises: 0017
Create Date: 2026-12-10 09:00:00.000000

A relationship request the customer's Global admin declines keeps when and by whom (`declined_at`,
`declined_by_user_id`); a customer's inbox reads the requests addressed to it by status (a new index). A
removed reseller relationship says which side ended it (`removed_by`: partner or customer, issue 15 §2): every
episode removed before this revision was removed by its partner, the only side that could. Downgrading turns a
declined request into a revoked one (it can no longer be accepted either way).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import partnerhub.db.base

revision = "0013"
down_revision = "0017"
branch_labels = None
depends_on = None

relationships = sa.table("reseller_relationships", sa.column("status", sa.String), sa.column("removed_by", sa.String))
requests = sa.table(
    "relationship_requests",
    sa.column("status", sa.String),
    sa.column("revoked_at", partnerhub.db.base.UTCDateTime()),
    sa.column("declined_at", partnerhub.db.base.UTCDateTime()),
)


def upgrade() -> None:
    with op.batch_alter_table("relationship_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("declined_at", partnerhub.db.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("declined_by_user_id", sa.String(length=36), nullable=True))
        batch_op.create_index("ix_relationship_requests_customer_status", ["customer_id", "status"], unique=False)
    with op.batch_alter_table("reseller_relationships", schema=None) as batch_op:
        batch_op.add_column(sa.Column("removed_by", sa.String(length=16), nullable=True))
    op.execute(relationships.update().where(relationships.c.status == "removed").values(removed_by="partner"))


def downgrade() -> None:
    # before this revision nothing could be declined: a declined request becomes what it is to its partner, a
    # request that can no longer be accepted (revoked, at the instant it was declined)
    op.execute(
        requests.update()
        .where(requests.c.status == "declined")
        .values(status="revoked", revoked_at=requests.c.declined_at)
    )
    with op.batch_alter_table("reseller_relationships", schema=None) as batch_op:
        batch_op.drop_column("removed_by")
    with op.batch_alter_table("relationship_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_relationship_requests_customer_status")
        batch_op.drop_column("declined_by_user_id")
        batch_op.drop_column("declined_at")
