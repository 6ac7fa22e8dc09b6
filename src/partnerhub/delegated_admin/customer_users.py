"""The customer tenant's users, administered by its own Global admin or by partners through DAP or GDAP:
list, create, reset password."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from partnerhub.audit.operations import Operation, ResourceType
from partnerhub.audit.service import record
from partnerhub.auth.actor import Actor
from partnerhub.auth.models import Role, User
from partnerhub.auth.passwords import hash_password
from partnerhub.auth.service import end_sessions_and_tokens, new_user, normalize_email
from partnerhub.clock import utc_now
from partnerhub.customers.models import Customer
from partnerhub.delegated_admin.check import require_delegated_role
from partnerhub.delegated_admin.roles import (
    DIRECTORY_READERS,
    GLOBAL_ADMINISTRATOR,
    GLOBAL_READER,
    HELPDESK_ADMINISTRATOR,
    USER_ADMINISTRATOR,
)
from partnerhub.errors import (
    CustomerNotFound,
    CustomerUserDomainMismatch,
    GlobalAdminPasswordResetRefused,
    UserNotFound,
)
from partnerhub.ids import new_password, normalize_id
from partnerhub.locale import normalize_locale

USER_READERS = (GLOBAL_ADMINISTRATOR, USER_ADMINISTRATOR, HELPDESK_ADMINISTRATOR, GLOBAL_READER, DIRECTORY_READERS)
USER_WRITERS = (GLOBAL_ADMINISTRATOR, USER_ADMINISTRATOR)
PASSWORD_RESETTERS = (GLOBAL_ADMINISTRATOR, USER_ADMINISTRATOR, HELPDESK_ADMINISTRATOR)


def _customer(session: Session, customer_id: str) -> Customer:
    customer = session.get(Customer, normalize_id(customer_id))
    if customer is None:
        raise CustomerNotFound(id=customer_id)
    return customer


def _acting_partner(actor: Actor) -> str | None:
    return actor.tenant_id if actor.is_partner_user else None


def list_customer_users(session: Session, actor: Actor, *, customer_id: str) -> list[User]:
    """The users of a customer tenant, by e-mail. Needs, in that tenant, Global Administrator, User
    Administrator, Helpdesk Administrator, Global Reader or Directory Readers (DAP, GDAP, or its own Global
    admin)."""
    require_delegated_role(
        session, actor, customer_id=customer_id, any_of=USER_READERS, operation="list customer users"
    )
    customer = _customer(session, customer_id)
    return list(session.scalars(select(User).where(User.tenant_id == customer.id).order_by(User.email)))


def create_customer_user(
    session: Session, actor: Actor, *, customer_id: str, user_name: str, display_name: str = ""
) -> tuple[User, str]:
    """Create an ordinary user in a customer tenant; returns it and its one-time password (shown once).
    Needs Global Administrator or User Administrator there. The user name is `name@<customer domain>` (a
    bare name gets the domain appended); another domain is refused, a taken name is a conflict."""
    require_delegated_role(
        session, actor, customer_id=customer_id, any_of=USER_WRITERS, operation="create customer user"
    )
    customer = _customer(session, customer_id)
    name = user_name.strip().lower()
    if "@" not in name:
        name = f"{name}@{customer.domain}"
    email = normalize_email(name)
    if email.rsplit("@", 1)[1] != customer.domain:
        raise CustomerUserDomainMismatch(domain=customer.domain)
    user, password = new_user(
        session,
        tenant_id=customer.id,
        email=email,
        roles=[Role.USER.value],
        display_name=display_name.strip(),
        locale=normalize_locale(customer.language),
    )
    session.flush()
    record(
        session,
        actor,
        operation=Operation.CREATE_CUSTOMER_USER,
        resource_type=ResourceType.CUSTOMER_USER,
        resource_id=user.id,
        partner_id=_acting_partner(actor),
        customer_id=customer.id,
        customer_name=customer.company_name,
        new={"userPrincipalName": user.email, "displayName": user.display_name, "roles": list(user.roles)},
    )
    return user, password


def reset_customer_user_password(session: Session, actor: Actor, *, customer_id: str, user: str) -> tuple[User, str]:
    """Give a customer tenant's user (e-mail or id) a new random password, shown once. Needs Global
    Administrator, User Administrator or Helpdesk Administrator there; as in Microsoft Entra, only a Global
    Administrator may reset the password of a Global admin (so never a Helpdesk Administrator)."""
    held = require_delegated_role(
        session, actor, customer_id=customer_id, any_of=PASSWORD_RESETTERS, operation="reset customer user password"
    )
    customer = _customer(session, customer_id)
    key = user.strip().lower()
    target = session.scalars(
        select(User).where(User.tenant_id == customer.id, (User.email == key) | (User.id == key)).with_for_update()
    ).first()
    if target is None:
        raise UserNotFound(id=user)
    if Role.GLOBAL_ADMIN in target.roles and GLOBAL_ADMINISTRATOR not in held:
        raise GlobalAdminPasswordResetRefused()
    password = new_password()
    target.password_hash = hash_password(password)
    target.password_is_one_time = True  # F1: it works for one sign-in, which sets a new one
    end_sessions_and_tokens(session, target.id, keep_session_id=None, now=utc_now())  # F3
    record(
        session,
        actor,
        operation=Operation.RESET_CUSTOMER_USER_PASSWORD,
        resource_type=ResourceType.CUSTOMER_USER,
        resource_id=target.id,
        partner_id=_acting_partner(actor),
        customer_id=customer.id,
        customer_name=customer.company_name,
        new={"userPrincipalName": target.email},
    )
    session.flush()
    return target, password
