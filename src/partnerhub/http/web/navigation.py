"""The navigation each kind of user sees: partners (by partner type), customers' Global admins, the operator."""

from __future__ import annotations

from dataclasses import dataclass

from partnerhub.auth.actor import Actor
from partnerhub.auth.models import Role
from partnerhub.locale import N_


@dataclass(frozen=True)
class NavItem:
    href: str
    label: str  # msgid, translated by the template


def navigation(actor: Actor | None) -> list[NavItem]:
    if actor is None:
        return []
    if actor.is_operator:
        return [
            NavItem("/operator/partners", N_("Partners")),
            NavItem("/operator/catalog", N_("Catalog")),
            NavItem("/activity", N_("Activity log")),
            NavItem("/account", N_("My account")),
        ]
    if actor.is_customer_user:
        items = [NavItem("/partner-relationships", N_("Partner relationships"))]
        return [*items, NavItem("/account", N_("My account"))]
    items = [
        NavItem("/", N_("Dashboard")),
        NavItem("/customers", N_("Customers")),
        NavItem("/invitations", N_("Request a reseller relationship")),
    ]
    if actor.partner_type == "indirect-provider":
        items.append(NavItem("/indirect-resellers", N_("Indirect resellers")))
    if actor.partner_type == "indirect-reseller":
        items.append(NavItem("/indirect-providers", N_("Indirect providers")))
    if actor.has_any(Role.GLOBAL_ADMIN, Role.ADMIN_AGENT):
        items.append(NavItem("/security-groups", N_("Security groups")))
        items.append(NavItem("/gdap-templates", N_("GDAP templates")))
    items.append(NavItem("/activity", N_("Activity log")))
    if Role.GLOBAL_ADMIN in actor.roles:
        items.append(NavItem("/users", N_("Users")))
        items.append(NavItem("/webhooks", N_("Webhooks")))
    items.append(NavItem("/account", N_("My account")))
    return items
