"""The Actor: who performs an operation (a user through the CLI, a token, the web) or the system itself."""

from __future__ import annotations

from dataclasses import dataclass, field

from partnerhub.auth.models import Role
from partnerhub.errors import Forbidden
from partnerhub.ids import new_id


@dataclass(frozen=True)
class Actor:
    """The signed-in user on whose behalf a service runs; services check roles and tenant themselves."""

    user_id: str | None
    email: str
    tenant_id: str | None
    tenant_kind: str | None
    roles: frozenset[str]
    partner_type: str | None = None
    application: str = "cli"
    correlation_id: str = field(default_factory=new_id)
    locale: str = "en"
    # how the user proved who they are: a second factor (web sign-in with a code, or a token made by such a
    # session), or the trusted shell on the server (the CLI's --as)
    mfa: bool = False
    via_shell: bool = False

    @classmethod
    def system(cls, application: str = "partnerhub") -> Actor:
        """The platform itself (migrations, the operator's shell, scheduled jobs)."""
        return cls(None, "system", None, None, frozenset({Role.OPERATOR}), application=application)

    @property
    def is_operator(self) -> bool:
        return Role.OPERATOR in self.roles

    @property
    def reads_are_recorded(self) -> bool:
        """A signed-in operator (a person, not the platform's own jobs): each read of a tenant's data is
        recorded in that tenant's activity log (audit/operator_reads.py)."""
        return self.is_operator and self.user_id is not None

    @property
    def is_partner_user(self) -> bool:
        return self.tenant_kind == "partner"

    @property
    def is_customer_user(self) -> bool:
        return self.tenant_kind == "customer"

    def has_any(self, *roles: Role) -> bool:
        return any(r in self.roles for r in roles)

    def require_partner(self, operation: str, *roles: Role) -> str:
        """The actor's partner id, if the actor is a partner user holding one of `roles` (Global admin always)."""
        if not self.is_partner_user or self.tenant_id is None:
            raise Forbidden(operation=operation)
        if Role.GLOBAL_ADMIN in self.roles or self.has_any(*roles):
            return self.tenant_id
        raise Forbidden(operation=operation)

    def require_customer_admin(self, operation: str) -> str:
        """The actor's customer tenant id, if the actor is that customer's Global admin."""
        if not self.is_customer_user or self.tenant_id is None or Role.GLOBAL_ADMIN not in self.roles:
            raise Forbidden(operation=operation)
        return self.tenant_id

    def require_operator(self, operation: str) -> None:
        if not self.is_operator:
            raise Forbidden(operation=operation)
