"""The world of the GDAP bulk tests, committed (a job runs in transactions of its own): a partner, customers
with active GDAP relationships, and what became of each customer's relationships."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Engine, func, select

from partnerhub.audit.models import ActivityRecord
from partnerhub.auth.service import actor_for_email, actor_for_user
from partnerhub.db import read_session, transaction
from partnerhub.delegated_admin.models import AdminRelationship
from partnerhub.delegated_admin.roles import DIRECTORY_READERS, USER_ADMINISTRATOR
from partnerhub.delegated_admin.service import create_security_group
from partnerhub.delegated_admin.templates import TemplateAssignment, create_template
from tests.delegated_admin.conftest import active_gdap
from tests.factories import make_customer, make_partner


@dataclass
class BulkWorld:
    admin_email: str
    agent_email: str
    sales_email: str
    customer_ids: list[str]
    customer_admin_emails: list[str]


def bulk_world(engine: Engine, customers: int, *, active_each: int = 1) -> BulkWorld:
    """A partner with `customers` customers named "Bulk 000"…, each with `active_each` active GDAP
    relationships."""
    with transaction(engine) as s:
        partner = make_partner(s)
        ids: list[str] = []
        customer_admins: list[str] = []
        for i in range(customers):
            created = make_customer(s, partner.admin, name=f"Bulk {i:03d}")
            customer_admin = actor_for_user(s, created.admin)
            for _ in range(active_each):
                active_gdap(
                    s,
                    partner.admin,
                    customer_admin,
                    customer_id=created.customer.id,
                    roles=[DIRECTORY_READERS, USER_ADMINISTRATOR],
                )
            ids.append(created.customer.id)
            customer_admins.append(str(created.admin.email))
        assert partner.admin.email and partner.admin_agent.email and partner.sales_agent.email
        return BulkWorld(
            partner.admin.email, partner.admin_agent.email, partner.sales_agent.email, ids, customer_admins
        )


def make_template(engine: Engine | Connection, admin_email: str, name: str = "Standard MSP") -> str:
    """A template of the partner with two roles, auto-extend on, and a security group given both: its id."""
    with transaction(engine) as s:
        admin = actor_for_email(s, admin_email)
        group = create_security_group(s, admin, display_name=f"{name} helpdesk")
        return create_template(
            s,
            admin,
            name=name,
            role_ids=[DIRECTORY_READERS, USER_ADMINISTRATOR],
            duration_days=365,
            auto_extend_days=180,
            assignments=[TemplateAssignment(group.id, [DIRECTORY_READERS, USER_ADMINISTRATOR])],
        ).id


def statuses(engine: Engine, customer_id: str) -> list[str]:
    """The statuses of the customer's admin relationships, oldest first."""
    with read_session(engine) as s:
        return list(
            s.scalars(
                select(AdminRelationship.status)
                .where(AdminRelationship.customer_id == customer_id)
                .order_by(AdminRelationship.created_at, AdminRelationship.id)
            )
        )


def terminations(engine: Engine, customer_id: str) -> int:
    """How many terminations the activity log holds for the customer."""
    with read_session(engine) as s:
        return int(
            s.scalar(
                select(func.count())
                .select_from(ActivityRecord)
                .where(
                    ActivityRecord.customer_id == customer_id,
                    ActivityRecord.operation_type == "terminate_granular_admin_relationship",
                )
            )
            or 0
        )
