"""GDAP tables: admin relationships (Microsoft Graph's delegatedAdminRelationship), partner security groups
with members, and access assignments of a group to a subset of a relationship's roles."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from partnerhub.db import Base, UTCDateTime


class AdminRelationshipStatus(StrEnum):
    CREATED = "created"
    APPROVAL_PENDING = "approvalPending"
    ACTIVE = "active"
    EXPIRED = "expired"
    TERMINATION_REQUESTED = "terminationRequested"
    TERMINATED = "terminated"


class AdminRelationship(Base):
    """A time-bound, least-privilege admin relationship of a partner in a customer tenant."""

    __tablename__ = "admin_relationships"
    __table_args__ = (
        UniqueConstraint("partner_id", "display_name", name="uq_admin_relationships_partner_display_name"),
        Index("ix_admin_relationships_customer_status", "customer_id", "status"),
        Index("ix_admin_relationships_status_end", "status", "end_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id"))
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"))
    display_name: Mapped[str] = mapped_column(String(50))
    duration_days: Mapped[int]
    auto_extend_days: Mapped[int] = mapped_column(default=0)  # 0 (PT0S) or 180 (P180D)
    role_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_modified_at: Mapped[datetime] = mapped_column(UTCDateTime())
    requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    terminated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_by: Mapped[str | None] = mapped_column(String(16))  # partner | customer | system
    version: Mapped[int] = mapped_column(default=1)


class SecurityGroup(Base):
    """A partner's security group; its members get the roles of the access assignments naming it."""

    __tablename__ = "security_groups"
    __table_args__ = (UniqueConstraint("partner_id", "display_name", name="uq_security_groups_partner_name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id"))
    display_name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SecurityGroupMember(Base):
    __tablename__ = "security_group_members"

    group_id: Mapped[str] = mapped_column(ForeignKey("security_groups.id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)


class AccessAssignment(Base):
    """Maps a security group to a subset of an admin relationship's roles (none: nobody has access)."""

    __tablename__ = "access_assignments"
    __table_args__ = (Index("ix_access_assignments_relationship", "admin_relationship_id", "status"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    admin_relationship_id: Mapped[str] = mapped_column(ForeignKey("admin_relationships.id"))
    security_group_id: Mapped[str] = mapped_column(ForeignKey("security_groups.id"))
    role_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | deleted
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_modified_at: Mapped[datetime] = mapped_column(UTCDateTime())
