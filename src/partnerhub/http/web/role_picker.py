"""The roles of the catalog on the pages: grouped (a few dozen roles in groups, with a filter), and their names
in the page's language where partnerhub translates them."""

from __future__ import annotations

from partnerhub.delegated_admin.roles import BUILTIN_ROLES, TRANSLATED_ROLES, current_catalog, role_name
from partnerhub.http.web.context import WebCtx
from partnerhub.http.web.rendering import translate
from partnerhub.locale import N_

# Microsoft Entra's role names translated on the pages (the others show in English, as the catalog names them).
ROLE_LABELS = {r.id: N_(r.name) for r in BUILTIN_ROLES if r.id in TRANSLATED_ROLES}
CATEGORY_LABELS = {
    "identity": N_("Identity and access"),
    "readers": N_("Readers"),
    "security": N_("Security and compliance"),
    "exchange": N_("Exchange"),
    "sharepoint": N_("SharePoint"),
    "teams": N_("Teams and Skype"),
    "devices": N_("Devices and Windows"),
    "applications": N_("Applications"),
    "billing": N_("Billing, licenses and support"),
    "power_platform": N_("Dynamics 365, Power Platform and Fabric"),
    "microsoft365": N_("Other Microsoft 365 services"),
}


def role_label(ctx: WebCtx, role_id: str) -> str:
    return ctx.t(ROLE_LABELS[role_id]) if role_id in ROLE_LABELS else role_name(role_id)


def role_options(ctx: WebCtx, role_ids: list[str] | None = None) -> list[tuple[str, str]]:
    """(id, name in the page's language) of the requestable roles, or of `role_ids`."""
    ids = [r.id for r in current_catalog().requestable] if role_ids is None else role_ids
    return [(i, role_label(ctx, i)) for i in ids]


def role_groups(ctx: WebCtx) -> list[tuple[str, list[tuple[str, str]]]]:
    """The requestable roles by group: (group name, [(id, role name)]), for the grouped role picker."""
    return [
        (ctx.t(CATEGORY_LABELS[c]), sorted(((r.id, role_label(ctx, r.id)) for r in roles), key=lambda o: o[1].lower()))
        for c, roles in current_catalog().grouped()
    ]


def role_labels(role_ids: list[str]) -> list[str]:
    """For templates: the names of `role_ids` in the language of the page being rendered."""
    return [translate(ROLE_LABELS[i]) if i in ROLE_LABELS else role_name(i) for i in role_ids]
