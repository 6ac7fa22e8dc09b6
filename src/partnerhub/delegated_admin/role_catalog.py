"""The operator's changes to the GDAP role catalog: import a catalog file (new roles, new names, roles taken
out), list the effective catalog, and read it into this process so that role names and ids resolve against it.

A role taken out that relationships or templates still hold is retired, never dropped: it keeps its name and
keeps working where it is held, and no new request or template can ask for it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from partnerhub.audit.operations import Operation, ResourceType
from partnerhub.audit.service import record
from partnerhub.auth.actor import Actor
from partnerhub.clock import utc_now
from partnerhub.delegated_admin.models import AdminRelationship, GdapRoleEntry, GdapTemplate
from partnerhub.delegated_admin.roles import (
    CATEGORIES,
    GdapRole,
    RoleCatalog,
    builtin_catalog,
    install_catalog,
)
from partnerhub.errors import GdapRoleCatalogInvalid

_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
ACTIVE, RETIRED, REMOVED = "active", "retired", "removed"


def _effective(entries: list[GdapRoleEntry]) -> RoleCatalog:
    roles = {r.id: r for r in builtin_catalog().roles}
    for e in entries:
        if e.status == REMOVED:
            roles.pop(e.role_id, None)
        else:
            roles[e.role_id] = GdapRole(e.role_id, e.display_name, e.category, retired=e.status == RETIRED)
    return RoleCatalog(tuple(roles.values()))


def refresh_role_catalog(session: Session) -> RoleCatalog:
    """The effective catalog (shipped roles with the operator's changes), made current in this process.

    Services that take roles call it first, so that they validate against the catalog as stored, whichever
    process imported it."""
    catalog = _effective(list(session.scalars(select(GdapRoleEntry))))
    install_catalog(catalog)
    return catalog


def list_role_catalog(session: Session) -> list[GdapRole]:
    """Every role of the effective catalog, retired ones included, by name (public to signed-in users)."""
    return sorted(refresh_role_catalog(session).roles, key=lambda r: (r.retired, r.name.lower()))


@dataclass(frozen=True)
class CatalogImport:
    added: list[str]
    renamed: list[str]
    retired: list[str]
    removed: list[str]

    def as_json(self) -> dict[str, Any]:
        return {"added": self.added, "renamed": self.renamed, "retired": self.retired, "removed": self.removed}


def parse_role_catalog(text: str) -> list[GdapRole]:
    """The roles of a catalog file: a JSON list, or an object with `roles` (as data/entra_roles.json), of
    {"roleDefinitionId", "displayName", "category"?}. Any bad entry refuses the whole file."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise GdapRoleCatalogInvalid(detail=f"not JSON ({exc})") from None
    items = data.get("roles") if isinstance(data, dict) else data
    if not isinstance(items, list) or not items:
        raise GdapRoleCatalogInvalid(detail="expected a non-empty list of roles, or an object with one in 'roles'")
    roles: list[GdapRole] = []
    seen_ids: set[str] = set()
    seen_names: set[str] = set()
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise GdapRoleCatalogInvalid(detail=f"role {n} is not an object")
        role_id = str(item.get("roleDefinitionId") or item.get("id") or "").strip().lower()
        name = " ".join(str(item.get("displayName") or item.get("name") or "").split())
        category = str(item.get("category") or "microsoft365").strip()
        if not _GUID.match(role_id):
            raise GdapRoleCatalogInvalid(detail=f"role {n} has no role template id (a GUID) in roleDefinitionId")
        if not 1 <= len(name) <= 100:
            raise GdapRoleCatalogInvalid(detail=f"role {n} ({role_id}) needs a displayName of 1 to 100 characters")
        if category not in CATEGORIES:
            raise GdapRoleCatalogInvalid(detail=f"role {n} has an unknown category {category!r}")
        if role_id in seen_ids or name.lower() in seen_names:
            raise GdapRoleCatalogInvalid(detail=f"role {n} ({name}) appears twice")
        seen_ids.add(role_id)
        seen_names.add(name.lower())
        roles.append(GdapRole(role_id, name, category))
    return roles


def _held_roles(session: Session) -> set[str]:
    """The roles some relationship (of any status: its history names them) or template holds."""
    held: set[str] = set()
    for role_ids in session.scalars(select(AdminRelationship.role_ids)):
        held.update(role_ids)
    for role_ids in session.scalars(select(GdapTemplate.role_ids)):
        held.update(role_ids)
    return held


def import_role_catalog(
    session: Session, actor: Actor, *, roles: list[GdapRole], replace: bool = False
) -> CatalogImport:
    """The operator updates the catalog: roles of the file are added or renamed. With `replace`, the file is
    the whole catalog: a role missing from it is removed, or retired when a relationship or template holds
    it. Global Administrator keeps its rules whatever its name. One activity record; nothing on no change."""
    actor.require_operator("import GDAP roles")
    now = utc_now()
    entries = {e.role_id: e for e in session.scalars(select(GdapRoleEntry).with_for_update())}
    before = _effective(list(entries.values()))
    added, renamed, retired, removed = [], [], [], []

    def put(role_id: str, name: str, category: str, status: str) -> None:
        entry = entries.get(role_id)
        if entry is None:
            entry = GdapRoleEntry(role_id=role_id, display_name=name, category=category, status=status, updated_at=now)
            session.add(entry)
            entries[role_id] = entry
        elif (entry.display_name, entry.category, entry.status) != (name, category, status):
            entry.display_name, entry.category, entry.status, entry.updated_at = name, category, status, now

    for role in roles:
        old = before.by_id.get(role.id)
        if old is not None and (old.name, old.category, old.retired) == (role.name, role.category, False):
            continue
        if old is None:
            added.append(role.name)
        elif old.name != role.name:
            renamed.append(f"{old.name} → {role.name}")
        elif old.retired:
            added.append(role.name)
        put(role.id, role.name, role.category, ACTIVE)
    if replace:
        wanted = {r.id for r in roles}
        held = _held_roles(session)
        for old in before.roles:
            if old.id in wanted:
                continue
            if old.id in held:
                if not old.retired:
                    retired.append(old.name)
                put(old.id, old.name, old.category, RETIRED)
            else:
                removed.append(old.name)
                put(old.id, old.name, old.category, REMOVED)
    outcome = CatalogImport(added, renamed, retired, removed)
    session.flush()
    if added or renamed or retired or removed:
        record(
            session,
            actor,
            operation=Operation.IMPORT_GDAP_ROLES,
            resource_type=ResourceType.GDAP_ROLE_CATALOG,
            resource_id=None,
            partner_id=None,
            new=outcome.as_json(),
            now=now,
        )
    refresh_role_catalog(session)
    return outcome


def import_role_catalog_file(session: Session, actor: Actor, *, path: Path, replace: bool = False) -> CatalogImport:
    actor.require_operator("import GDAP roles")
    if not path.is_file():
        raise GdapRoleCatalogInvalid(detail=f"no such file: {path}")
    return import_role_catalog(
        session, actor, roles=parse_role_catalog(path.read_text(encoding="utf-8")), replace=replace
    )
