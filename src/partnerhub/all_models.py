"""Imports every table so that Alembic, the tests and the schema check see the whole schema."""

from partnerhub.audit.models import ActivityRecord, OutboxEvent
from partnerhub.auth.models import ApiToken, User, WebSession
from partnerhub.auth.oidc_models import SingleSignOn
from partnerhub.catalog.models import Offer
from partnerhub.customers.models import Customer
from partnerhub.db.base import Base
from partnerhub.delegated_admin.models import (
    AccessAssignment,
    AdminRelationship,
    AdminRelationshipActionRequest,
    AdminRelationshipOperation,
    GdapRoleEntry,
    GdapTemplate,
    SecurityGroup,
    SecurityGroupMember,
)
from partnerhub.idempotency.models import StoredAnswer
from partnerhub.invitations.models import RelationshipRequest
from partnerhub.jobs.models import Job, JobItem
from partnerhub.orders.models import Order, OrderLineItem
from partnerhub.partnerships.models import Partnership
from partnerhub.relationships.models import ResellerRelationship
from partnerhub.subscriptions.models import Subscription
from partnerhub.tenants.models import Partner, PartnerDomain, Tenant
from partnerhub.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

__all__ = [
    "AccessAssignment",
    "ActivityRecord",
    "AdminRelationship",
    "AdminRelationshipActionRequest",
    "AdminRelationshipOperation",
    "ApiToken",
    "Base",
    "Customer",
    "GdapRoleEntry",
    "GdapTemplate",
    "Job",
    "JobItem",
    "Offer",
    "Order",
    "OrderLineItem",
    "OutboxEvent",
    "Partner",
    "PartnerDomain",
    "Partnership",
    "RelationshipRequest",
    "ResellerRelationship",
    "SecurityGroup",
    "SecurityGroupMember",
    "SingleSignOn",
    "StoredAnswer",
    "Subscription",
    "Tenant",
    "User",
    "WebSession",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
]
