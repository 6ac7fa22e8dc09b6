"""Delegated admin use cases, in one import: DAP, GDAP, security groups and access assignments, the check,
and the customer tenant's users (each lives in its own module; this one only gathers them)."""

from __future__ import annotations

from partnerhub.delegated_admin.access import (
    AccessAssignmentView,
    SecurityGroupWithMembers,
    add_group_member,
    create_access_assignment,
    create_security_group,
    delete_access_assignment,
    list_access_assignments,
    list_security_groups,
    remove_group_member,
    update_access_assignment,
)
from partnerhub.delegated_admin.check import delegated_roles, may_act, require_delegated_role
from partnerhub.delegated_admin.customer_users import (
    create_customer_user,
    list_customer_users,
    reset_customer_user_password,
)
from partnerhub.delegated_admin.dap import remove_delegated_admin, set_delegated_admin
from partnerhub.delegated_admin.gdap import (
    approve_admin_relationship,
    create_admin_relationship,
    get_admin_relationship,
    list_admin_relationships,
    lock_for_approval,
    reject_admin_relationship,
    terminate_admin_relationship,
    update_admin_relationship,
)
from partnerhub.delegated_admin.lifetime import apply_gdap_clock, end_admin_relationships_for

__all__ = [
    "AccessAssignmentView",
    "SecurityGroupWithMembers",
    "add_group_member",
    "apply_gdap_clock",
    "approve_admin_relationship",
    "create_access_assignment",
    "create_admin_relationship",
    "create_customer_user",
    "create_security_group",
    "delegated_roles",
    "delete_access_assignment",
    "end_admin_relationships_for",
    "get_admin_relationship",
    "list_access_assignments",
    "list_admin_relationships",
    "list_customer_users",
    "list_security_groups",
    "lock_for_approval",
    "may_act",
    "reject_admin_relationship",
    "remove_delegated_admin",
    "remove_group_member",
    "require_delegated_role",
    "reset_customer_user_password",
    "set_delegated_admin",
    "terminate_admin_relationship",
    "update_access_assignment",
    "update_admin_relationship",
]
