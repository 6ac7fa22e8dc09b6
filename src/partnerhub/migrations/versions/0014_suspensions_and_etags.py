"""suspension reasons with who, when and why; versions behind the security groups' etags

Revision ID: 0014
Revises: 0008
Create Date: 2026-12-10 10:00:00.000000

Each subscription gets `suspensions`, the detail of every reason it is suspended for (reason, initiator partner,
user, instant, note; issue 15 §3). A subscription suspended before keeps its reason names; its detail names
the partner that holds it (the reseller of record for `ResellerInitiated`, else the partner of record) and the
subscription's creation as the instant, since the true one was not kept. Security groups get a `version`
behind their etag (issue 15 §4).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0008"
branch_labels = None
depends_on = None

subscriptions = sa.table(
    "subscriptions",
    sa.column("id", sa.String),
    sa.column("status", sa.String),
    sa.column("partner_id", sa.String),
    sa.column("reseller_partner_id", sa.String),
    sa.column("suspension_reasons", sa.JSON),
    sa.column("suspensions", sa.JSON),
    sa.column("created_at", sa.DateTime),
)


def _created(value: object) -> str:
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text if ("+" in text[10:] or text.endswith("Z")) else text + "+00:00"


def upgrade() -> None:
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("suspensions", sa.JSON(), server_default="[]", nullable=False))
    with op.batch_alter_table("security_groups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))

    bind = op.get_bind()
    rows = bind.execute(
        sa.select(
            subscriptions.c.id,
            subscriptions.c.partner_id,
            subscriptions.c.reseller_partner_id,
            subscriptions.c.suspension_reasons,
            subscriptions.c.created_at,
        ).where(subscriptions.c.status == "suspended")
    ).all()
    for sub_id, partner_id, reseller_id, reasons, created_at in rows:
        detail = [
            {
                "reason": reason,
                "initiatorPartnerId": (reseller_id or partner_id) if reason == "ResellerInitiated" else partner_id,
                "initiatedBy": "",
                "at": _created(created_at),
                "note": "",
            }
            for reason in (reasons or [])
        ]
        bind.execute(subscriptions.update().where(subscriptions.c.id == sub_id).values(suspensions=detail))


def downgrade() -> None:
    with op.batch_alter_table("security_groups", schema=None) as batch_op:
        batch_op.drop_column("version")
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.drop_column("suspensions")
