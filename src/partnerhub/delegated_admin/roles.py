"""The Microsoft Entra roles GDAP allows: the catalog shipped with the package (data/entra_roles.json: names
and role template ids), the operator's changes to it (kept in the database, see role_catalog.py), and parsing
role input against the effective catalog."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from partnerhub.errors import GdapRoleRetired, UnknownGdapRole


@dataclass(frozen=True)
class GdapRole:
    """A Microsoft Entra built-in role a partner may ask for in an admin relationship."""

    id: str  # the role template id (Graph's roleDefinitionId)
    name: str
    category: str = "microsoft365"
    retired: bool = False  # the operator took it out of the catalog while relationships still use it


GLOBAL_ADMINISTRATOR = "62e90394-69f5-4237-9190-012177145e10"
USER_ADMINISTRATOR = "fe930be7-5e62-47db-91af-98c3a49a38b1"
HELPDESK_ADMINISTRATOR = "729827e3-9c14-49f7-bb1b-9608f156bbb8"
GLOBAL_READER = "f2ef992c-3afb-46b9-b7cf-a126ee74c451"
DIRECTORY_READERS = "88d8e3e3-8f55-4a1e-953a-9b9898b8876b"

# The groups of roles on the pages, in their order (partnerhub's grouping, not Microsoft's).
CATEGORIES = (
    "identity",
    "readers",
    "security",
    "exchange",
    "sharepoint",
    "teams",
    "devices",
    "applications",
    "billing",
    "power_platform",
    "microsoft365",
)


@dataclass(frozen=True)
class RoleCatalog:
    """A set of roles with lookups by id and by name (case-insensitive)."""

    roles: tuple[GdapRole, ...]
    by_id: dict[str, GdapRole] = field(init=False, compare=False, repr=False)
    by_name: dict[str, GdapRole] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {r.id: r for r in self.roles})
        # an active role wins a name over a retired one
        names = {r.name.lower(): r for r in self.roles if r.retired}
        names.update({r.name.lower(): r for r in self.roles if not r.retired})
        object.__setattr__(self, "by_name", names)

    @property
    def requestable(self) -> tuple[GdapRole, ...]:
        """The roles a new relationship or template may ask for, by name."""
        return tuple(sorted((r for r in self.roles if not r.retired), key=lambda r: r.name.lower()))

    def grouped(self) -> list[tuple[str, list[GdapRole]]]:
        """The requestable roles by category, in the order of CATEGORIES (unknown categories last)."""
        groups: dict[str, list[GdapRole]] = {}
        for role in self.requestable:
            groups.setdefault(role.category if role.category in CATEGORIES else "microsoft365", []).append(role)
        return [(c, groups[c]) for c in CATEGORIES if c in groups]


@cache
def builtin_catalog() -> RoleCatalog:
    """The catalog shipped with the package (data/entra_roles.json, whose `source` says where it comes from)."""
    text = resources.files("partnerhub.data").joinpath("entra_roles.json").read_text(encoding="utf-8")
    data = json.loads(text)
    return RoleCatalog(
        tuple(
            GdapRole(r["roleDefinitionId"], r["displayName"], r.get("category", "microsoft365")) for r in data["roles"]
        )
    )


BUILTIN_ROLES: tuple[GdapRole, ...] = builtin_catalog().roles
# The roles whose names the pages translate (the first fifteen partnerhub offered).
TRANSLATED_ROLES = frozenset(
    {
        GLOBAL_ADMINISTRATOR,
        USER_ADMINISTRATOR,
        HELPDESK_ADMINISTRATOR,
        GLOBAL_READER,
        DIRECTORY_READERS,
        "29232cdf-9323-42fd-ade2-1d097af3e4de",
        "f28a1f50-f6e7-4571-818b-6a12f2af6b6c",
        "69091246-20e8-4a56-aa4d-066075b2a7a8",
        "194ae4cb-b126-40b2-bd5b-6091b380977d",
        "b0f54661-2d74-4c50-afa3-1ec803f12efe",
        "4d6ac14f-3453-41d0-bef9-a3e0c569773a",
        "f023fd81-a637-4b56-95fd-791ac0226033",
        "158c047a-c907-4556-b7ef-446551a6b5f7",
        "3a2c62db-5318-420d-8d74-23affee5d9d5",
        "e8611ab8-c189-46e8-94e1-60213ab1f814",
    }
)
ALL_ROLE_IDS: frozenset[str] = frozenset(r.id for r in BUILTIN_ROLES)

_effective: list[RoleCatalog] = [builtin_catalog()]


def current_catalog() -> RoleCatalog:
    """The effective catalog as this process last read it (role_catalog.refresh_role_catalog reads it)."""
    return _effective[0]


def install_catalog(catalog: RoleCatalog) -> None:
    """Make `catalog` the effective one in this process."""
    _effective[0] = catalog


def _find(value: str) -> GdapRole:
    key = " ".join(value.split()).lower()
    catalog = current_catalog()
    role = catalog.by_id.get(key) or catalog.by_name.get(key)
    if role is None:
        raise UnknownGdapRole(role=value)
    return role


def resolve_role(value: str) -> str:
    """The role template id for an id or a name (case-insensitive, extra spaces ignored); a retired role
    still resolves (relationships that hold it keep working)."""
    return _find(value).id


def resolve_roles(values: Iterable[str]) -> list[str]:
    """Role template ids for ids or names, duplicates dropped, in the order given (may be empty)."""
    out: list[str] = []
    for value in values:
        role_id = resolve_role(value)
        if role_id not in out:
            out.append(role_id)
    return out


def require_requestable(role_ids: Iterable[str]) -> None:
    """Refuse a retired role: a new relationship or template may ask only for the catalog's current roles."""
    for role_id in role_ids:
        role = _find(role_id)
        if role.retired:
            raise GdapRoleRetired(role=role.name)


def role_name(role_id: str) -> str:
    """The English name of a role of the catalog (the id itself if it is not one)."""
    role = current_catalog().by_id.get(role_id)
    return role.name if role else role_id
