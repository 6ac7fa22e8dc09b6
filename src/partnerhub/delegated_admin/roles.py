"""The built-in GDAP roles: Microsoft Entra role template ids and names, and parsing role input."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from partnerhub.errors import UnknownGdapRole


@dataclass(frozen=True)
class GdapRole:
    """A Microsoft Entra built-in role a partner may ask for in an admin relationship."""

    id: str  # the role template id (Graph's roleDefinitionId)
    name: str


GLOBAL_ADMINISTRATOR = "62e90394-69f5-4237-9190-012177145e10"
USER_ADMINISTRATOR = "fe930be7-5e62-47db-91af-98c3a49a38b1"
HELPDESK_ADMINISTRATOR = "729827e3-9c14-49f7-bb1b-9608f156bbb8"
GLOBAL_READER = "f2ef992c-3afb-46b9-b7cf-a126ee74c451"
DIRECTORY_READERS = "88d8e3e3-8f55-4a1e-953a-9b9898b8876b"

BUILTIN_ROLES: tuple[GdapRole, ...] = (
    GdapRole(GLOBAL_ADMINISTRATOR, "Global Administrator"),
    GdapRole(USER_ADMINISTRATOR, "User Administrator"),
    GdapRole(HELPDESK_ADMINISTRATOR, "Helpdesk Administrator"),
    GdapRole(GLOBAL_READER, "Global Reader"),
    GdapRole(DIRECTORY_READERS, "Directory Readers"),
    GdapRole("29232cdf-9323-42fd-ade2-1d097af3e4de", "Exchange Administrator"),
    GdapRole("f28a1f50-f6e7-4571-818b-6a12f2af6b6c", "SharePoint Administrator"),
    GdapRole("69091246-20e8-4a56-aa4d-066075b2a7a8", "Teams Administrator"),
    GdapRole("194ae4cb-b126-40b2-bd5b-6091b380977d", "Security Administrator"),
    GdapRole("b0f54661-2d74-4c50-afa3-1ec803f12efe", "Billing Administrator"),
    GdapRole("4d6ac14f-3453-41d0-bef9-a3e0c569773a", "License Administrator"),
    GdapRole("f023fd81-a637-4b56-95fd-791ac0226033", "Service Support Administrator"),
    GdapRole("158c047a-c907-4556-b7ef-446551a6b5f7", "Cloud Application Administrator"),
    GdapRole("3a2c62db-5318-420d-8d74-23affee5d9d5", "Intune Administrator"),
    GdapRole("e8611ab8-c189-46e8-94e1-60213ab1f814", "Privileged Role Administrator"),
)

ALL_ROLE_IDS: frozenset[str] = frozenset(r.id for r in BUILTIN_ROLES)
_BY_ID = {r.id: r for r in BUILTIN_ROLES}
_BY_NAME = {r.name.lower(): r for r in BUILTIN_ROLES}


def resolve_role(value: str) -> str:
    """The role template id for an id or a name (case-insensitive, extra spaces ignored)."""
    key = " ".join(value.split()).lower()
    role = _BY_ID.get(key) or _BY_NAME.get(key)
    if role is None:
        raise UnknownGdapRole(role=value)
    return role.id


def resolve_roles(values: Iterable[str]) -> list[str]:
    """Role template ids for ids or names, duplicates dropped, in the order given (may be empty)."""
    out: list[str] = []
    for value in values:
        role_id = resolve_role(value)
        if role_id not in out:
            out.append(role_id)
    return out


def role_name(role_id: str) -> str:
    """The English name of a built-in role (the id itself if it is not one)."""
    role = _BY_ID.get(role_id)
    return role.name if role else role_id
