"""invitation codes as hashed bearer secrets; the partner's reusable link derived from a per-partner nonce

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 10:00:00.000000

A tracked invitation keeps only the SHA-256 of its code: every stored code is hashed, so every invitation
sent before keeps working, and the clear column is dropped. A partner's reusable link is derived from the
instance's secret key and a new per-partner nonce; the clear code it had is kept only as a SHA-256, so the
link already handed out keeps working until the partner first rotates its link.

Downgrading cannot turn hashes back into codes: it gives every invitation and partner a new random code, so
links handed out before the downgrade stop working.
"""

from __future__ import annotations

import hashlib
import secrets

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

requests = sa.table(
    "relationship_requests", sa.column("id", sa.String), sa.column("code", sa.String), sa.column("code_hash", sa.String)
)
partners = sa.table(
    "partners",
    sa.column("id", sa.String),
    sa.column("invitation_code", sa.String),
    sa.column("invitation_nonce", sa.String),
    sa.column("legacy_invitation_code_hash", sa.String),
)


def _sha256(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _random_code(nbytes: int) -> str:
    """As partnerhub.ids.new_code: URL-safe, starting with a letter or a digit (never read as an option)."""
    while True:
        code = secrets.token_urlsafe(nbytes)
        if code[0].isalnum():
            return code


def upgrade() -> None:
    bind = op.get_bind()

    with op.batch_alter_table("relationship_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("code_hash", sa.String(length=64), nullable=True))
    for request_id, code in bind.execute(sa.select(requests.c.id, requests.c.code)).all():
        bind.execute(requests.update().where(requests.c.id == request_id).values(code_hash=_sha256(code)))
    with op.batch_alter_table("relationship_requests", schema=None) as batch_op:
        batch_op.alter_column("code_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_relationship_requests_code_hash"), ["code_hash"])
        batch_op.drop_constraint(batch_op.f("uq_relationship_requests_code"), type_="unique")
        batch_op.drop_column("code")

    with op.batch_alter_table("partners", schema=None) as batch_op:
        batch_op.add_column(sa.Column("invitation_nonce", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("legacy_invitation_code_hash", sa.String(length=64), nullable=True))
    for partner_id, code in bind.execute(sa.select(partners.c.id, partners.c.invitation_code)).all():
        bind.execute(
            partners.update()
            .where(partners.c.id == partner_id)
            .values(invitation_nonce=_random_code(12), legacy_invitation_code_hash=_sha256(code))
        )
    with op.batch_alter_table("partners", schema=None) as batch_op:
        batch_op.alter_column("invitation_nonce", existing_type=sa.String(length=32), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_partners_invitation_nonce"), ["invitation_nonce"])
        batch_op.create_unique_constraint(
            batch_op.f("uq_partners_legacy_invitation_code_hash"), ["legacy_invitation_code_hash"]
        )
        batch_op.drop_constraint(batch_op.f("uq_partners_invitation_code"), type_="unique")
        batch_op.drop_column("invitation_code")


def downgrade() -> None:
    bind = op.get_bind()

    with op.batch_alter_table("partners", schema=None) as batch_op:
        batch_op.add_column(sa.Column("invitation_code", sa.String(length=64), nullable=True))
    for (partner_id,) in bind.execute(sa.select(partners.c.id)).all():
        bind.execute(partners.update().where(partners.c.id == partner_id).values(invitation_code=_random_code(18)))
    with op.batch_alter_table("partners", schema=None) as batch_op:
        batch_op.alter_column("invitation_code", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_partners_invitation_code"), ["invitation_code"])
        batch_op.drop_constraint(batch_op.f("uq_partners_legacy_invitation_code_hash"), type_="unique")
        batch_op.drop_constraint(batch_op.f("uq_partners_invitation_nonce"), type_="unique")
        batch_op.drop_column("legacy_invitation_code_hash")
        batch_op.drop_column("invitation_nonce")

    with op.batch_alter_table("relationship_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("code", sa.String(length=64), nullable=True))
    for (request_id,) in bind.execute(sa.select(requests.c.id)).all():
        bind.execute(requests.update().where(requests.c.id == request_id).values(code=_random_code(18)))
    with op.batch_alter_table("relationship_requests", schema=None) as batch_op:
        batch_op.alter_column("code", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_relationship_requests_code"), ["code"])
        batch_op.drop_constraint(batch_op.f("uq_relationship_requests_code_hash"), type_="unique")
        batch_op.drop_column("code_hash")
