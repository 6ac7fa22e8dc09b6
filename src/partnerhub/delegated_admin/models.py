"""GDAP tables: admin relationships (Microsoft Graph's delegatedAdminRelationship), partner security groups
with members, and access assignments of a group to a subset of a relationship's roles; the pure state
transitions of an admin relationship (each takes `now`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from partnerhub.db import Base, UTCDateTime
from partnerhub.errors import AdminRelationshipInvalidState


class AdminRelationshipStatus(StrEnum):
    CREATED = "created"
    APPROVAL_PENDING = "approvalPending"
    ACTIVE = "active"
    EXPIRED = "expired"
    TERMINATION_REQUESTED = "terminationRequested"
    TERMINATED = "terminated"
    EXPIRING = "expiring"  # shown, never stored: active, no auto-extend, ending within EXPIRING_WITHIN


# Statuses a relationship can still leave; expired and terminated are final.
OPEN_STATUSES = (
    AdminRelationshipStatus.CREATED,
    AdminRelationshipStatus.APPROVAL_PENDING,
    AdminRelationshipStatus.ACTIVE,
    AdminRelationshipStatus.TERMINATION_REQUESTED,
)
# Access assignments can be prepared before approval and changed while the relationship is active.
ASSIGNABLE_STATUSES = (
    AdminRelationshipStatus.CREATED,
    AdminRelationshipStatus.APPROVAL_PENDING,
    AdminRelationshipStatus.ACTIVE,
)
REQUEST_STATUSES = (AdminRelationshipStatus.CREATED, AdminRelationshipStatus.APPROVAL_PENDING)
REQUEST_LIFETIME = timedelta(days=90)  # unapproved requests expire after 90 days (Microsoft Graph)
EXPIRING_WITHIN = timedelta(days=30)  # an active relationship without auto-extend this close to its end is expiring


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
    # requested from a GDAP template (its id is kept after the template is deleted), the access assignments
    # to create when the customer approves ([{"securityGroupId", "roleIds"}]), and the relationship it renews
    template_id: Mapped[str | None] = mapped_column(String(36))
    planned_assignments: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    renewed_from_id: Mapped[str | None] = mapped_column(String(36), index=True)

    def _require(self, *allowed: AdminRelationshipStatus) -> None:
        if self.status not in allowed:
            raise AdminRelationshipInvalidState(id=self.id, status=self.status)

    def _touch(self, now: datetime) -> None:
        self.last_modified_at = now
        self.version += 1

    def amend(
        self, *, display_name: str, role_ids: list[str], duration_days: int, auto_extend_days: int, now: datetime
    ) -> None:
        """New terms for the relationship (the service has checked which may change in its status)."""
        self.display_name, self.role_ids = display_name, role_ids
        self.duration_days, self.auto_extend_days = duration_days, auto_extend_days
        self._touch(now)

    def _require_unexpired(self, now: datetime) -> None:
        """A request unapproved for 90 days is expired from that instant, whether or not the scheduled clock
        has written it yet: it can no longer be locked or approved."""
        if self.status_at(now) == AdminRelationshipStatus.EXPIRED:
            raise AdminRelationshipInvalidState(id=self.id, status=AdminRelationshipStatus.EXPIRED)

    def lock_for_approval(self, *, now: datetime) -> None:
        """created → approvalPending: the partner locks the request and sends it to the customer."""
        self._require(AdminRelationshipStatus.CREATED)
        self._require_unexpired(now)
        self.status = AdminRelationshipStatus.APPROVAL_PENDING
        self.requested_at = now
        self._touch(now)

    def approve(self, *, now: datetime) -> None:
        """approvalPending → active: the customer approves; the relationship ends after its duration."""
        self._require(AdminRelationshipStatus.APPROVAL_PENDING)
        self._require_unexpired(now)
        self.status = AdminRelationshipStatus.ACTIVE
        self.activated_at = now
        self.end_at = now + timedelta(days=self.duration_days)
        self._touch(now)

    def reject(self, *, now: datetime) -> None:
        """approvalPending → terminated: the customer declines the request."""
        self._require(AdminRelationshipStatus.APPROVAL_PENDING)
        self._end(now=now, by="customer")

    def terminate(self, *, now: datetime, by: str) -> None:
        """active → (terminationRequested →) terminated, by the partner or the customer. One past its end is
        expired already, whether or not the scheduled clock has written it: there is nothing to terminate."""
        self._require(AdminRelationshipStatus.ACTIVE, AdminRelationshipStatus.TERMINATION_REQUESTED)
        if self.status_at(now) == AdminRelationshipStatus.EXPIRED:
            raise AdminRelationshipInvalidState(id=self.id, status=AdminRelationshipStatus.EXPIRED)
        self._end(now=now, by=by)

    def end(self, *, now: datetime, by: str) -> None:
        """Any open status → terminated (the reseller relationship ended)."""
        self._require(*OPEN_STATUSES)
        self._end(now=now, by=by)

    def _end(self, *, now: datetime, by: str) -> None:
        self.status = AdminRelationshipStatus.TERMINATED
        self.terminated_at = now
        if self.end_at is None or self.end_at > now:
            self.end_at = now
        self.ended_by = by
        self._touch(now)

    def auto_extend(self, *, now: datetime) -> None:
        """An active relationship past its end with auto-extend on stays active: its end moves on by the
        auto-extend duration (as many times as needed to lie after `now`)."""
        self._require(AdminRelationshipStatus.ACTIVE)
        if self.auto_extend_days <= 0 or self.end_at is None or self.end_at > now:
            raise AdminRelationshipInvalidState(id=self.id, status=self.status)
        while self.end_at <= now:
            self.end_at += timedelta(days=self.auto_extend_days)
        self._touch(now)

    def expire(self, *, now: datetime) -> None:
        """An active relationship past its end without auto-extend, or a request unapproved for 90 days,
        becomes expired."""
        if self.status in REQUEST_STATUSES and self.request_expires_at() <= now:
            self.end_at = self.request_expires_at()
        elif not (
            self.status == AdminRelationshipStatus.ACTIVE and self.auto_extend_days == 0 and self.is_past_end(now)
        ):
            raise AdminRelationshipInvalidState(id=self.id, status=self.status)
        self.status = AdminRelationshipStatus.EXPIRED
        self.ended_by = "system"
        self._touch(now)

    def request_expires_at(self) -> datetime:
        return self.created_at + REQUEST_LIFETIME

    def is_past_end(self, now: datetime) -> bool:
        return self.end_at is not None and self.end_at <= now

    def grants_access_at(self, now: datetime) -> bool:
        """Active and within its time (an auto-extending one is extended at its end, so it stays valid)."""
        if self.status != AdminRelationshipStatus.ACTIVE:
            return False
        return self.auto_extend_days > 0 or not self.is_past_end(now)

    def status_at(self, now: datetime) -> str:
        """The status as of `now`, including expiries the scheduled clock has not written yet."""
        if self.status == AdminRelationshipStatus.ACTIVE and self.auto_extend_days == 0 and self.is_past_end(now):
            return AdminRelationshipStatus.EXPIRED
        if self.status in REQUEST_STATUSES and self.request_expires_at() <= now:
            return AdminRelationshipStatus.EXPIRED
        return self.status

    def is_expiring_at(self, now: datetime) -> bool:
        """Active without auto-extend, and its end within EXPIRING_WITHIN of `now` (not yet past)."""
        return (
            self.status == AdminRelationshipStatus.ACTIVE
            and self.auto_extend_days == 0
            and self.end_at is not None
            and now < self.end_at <= now + EXPIRING_WITHIN
        )

    def shown_status(self, now: datetime) -> str:
        """The status as Microsoft Graph shows it: `status_at`, with an active relationship that will end
        within 30 days without auto-extend shown as `expiring` (it still grants access: it is active)."""
        return AdminRelationshipStatus.EXPIRING if self.is_expiring_at(now) else self.status_at(now)


class SecurityGroup(Base):
    """A partner's security group; its members get the roles of the access assignments naming it."""

    __tablename__ = "security_groups"
    __table_args__ = (UniqueConstraint("partner_id", "display_name", name="uq_security_groups_partner_name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id"))
    display_name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1, server_default="1")  # behind the group's etag


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


class AdminRelationshipActionRequest(Base):
    """A request made on an admin relationship (Microsoft Graph's delegatedAdminRelationshipRequest): lock for
    approval, approve, reject or terminate, by whom and when. Kept as it happened, one row per request that
    took effect (a refused one changed nothing and leaves none)."""

    __tablename__ = "admin_relationship_requests"
    __table_args__ = (Index("ix_admin_relationship_requests_relationship", "admin_relationship_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    admin_relationship_id: Mapped[str] = mapped_column(ForeignKey("admin_relationships.id"))
    action: Mapped[str] = mapped_column(String(24))  # lockForApproval | approve | reject | terminate
    status: Mapped[str] = mapped_column(String(16))  # succeeded: each request is carried out at once
    requested_by: Mapped[str | None] = mapped_column(String(36))  # the user, None for the system
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_modified_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AdminRelationshipOperation(Base):
    """A change made to an admin relationship or its access assignments (Microsoft Graph's
    delegatedAdminRelationshipOperation): its type, the change itself as `data`, and its outcome."""

    __tablename__ = "admin_relationship_operations"
    __table_args__ = (Index("ix_admin_relationship_operations_relationship", "admin_relationship_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    admin_relationship_id: Mapped[str] = mapped_column(ForeignKey("admin_relationships.id"))
    operation_type: Mapped[str] = mapped_column(String(48))
    status: Mapped[str] = mapped_column(String(16))  # succeeded: partnerhub applies each change at once
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_modified_at: Mapped[datetime] = mapped_column(UTCDateTime())


class GdapTemplate(Base):
    """A partner's recipe for admin relationships: roles, duration, auto-extend, and the security groups with the
    roles each gets (`assignments`: [{"securityGroupId", "roleIds"}]), created at once on approval."""

    __tablename__ = "gdap_templates"
    __table_args__ = (UniqueConstraint("partner_id", "name_key", name="uq_gdap_templates_partner_name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id"))
    name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(100))  # the name in lower case: unique per partner
    role_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    duration_days: Mapped[int]
    auto_extend_days: Mapped[int] = mapped_column(default=0)
    assignments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_modified_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1)


class GdapRoleEntry(Base):
    """The operator's change to the shipped role catalog for one role: a new role, a new name, or its removal
    (`status` removed; retired instead when relationships or templates still hold the role)."""

    __tablename__ = "gdap_role_catalog"

    role_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))  # active | retired | removed
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
