"""The GDAP role catalog (issue 16 §1): every built-in Entra role GDAP allows ships with the package, and the
operator's import adds and renames roles, and retires (never drops) roles still held."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from partnerhub.auth.actor import Actor
from partnerhub.delegated_admin.role_catalog import (
    import_role_catalog,
    import_role_catalog_file,
    list_role_catalog,
    parse_role_catalog,
    refresh_role_catalog,
)
from partnerhub.delegated_admin.roles import (
    BUILTIN_ROLES,
    GLOBAL_ADMINISTRATOR,
    USER_ADMINISTRATOR,
    GdapRole,
    builtin_catalog,
    install_catalog,
    resolve_role,
    role_name,
)
from partnerhub.delegated_admin.service import create_admin_relationship
from partnerhub.errors import AutoExtendWithGlobalAdministrator, Forbidden, GdapRoleCatalogInvalid, GdapRoleRetired
from tests.conftest import World
from tests.delegated_admin.conftest import records

NEW_ROLE = "0ec3f692-38d6-4d14-9e69-0377ca7797ad"  # Viva Glint Tenant Administrator: in Entra, not shipped


@pytest.fixture(autouse=True)
def _builtin_catalog_after() -> Iterator[None]:
    """The catalog this process holds goes back to the shipped one (each test's database is rolled back)."""
    yield
    install_catalog(builtin_catalog())


def test_the_shipped_catalog_holds_every_role_gdap_allows_with_its_template_id() -> None:
    assert len(BUILTIN_ROLES) >= 70
    guid = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
    assert all(guid.match(r.id) for r in BUILTIN_ROLES)
    assert len({r.id for r in BUILTIN_ROLES}) == len({r.name.lower() for r in BUILTIN_ROLES}) == len(BUILTIN_ROLES)
    assert role_name(GLOBAL_ADMINISTRATOR) == "Global Administrator"
    assert resolve_role("  security   OPERATOR ") == "5f2222b1-57c3-48ba-8ad5-d4759f1fde6f"
    assert "Directory Synchronization Accounts" not in {r.name for r in BUILTIN_ROLES}
    groups = dict(builtin_catalog().grouped())
    assert sum(len(v) for v in groups.values()) == len(BUILTIN_ROLES) and "Exchange Administrator" in {
        r.name for r in groups["exchange"]
    }


def _catalog_file(tmp_path: Path, roles: list[dict[str, str]]) -> Path:
    path = tmp_path / "roles.json"
    path.write_text(json.dumps({"roles": roles}), encoding="utf-8")
    return path


def test_the_operator_adds_and_renames_roles(session: Session, world: World, tmp_path: Path) -> None:
    path = _catalog_file(
        tmp_path,
        [
            {"roleDefinitionId": NEW_ROLE.upper(), "displayName": "Viva Glint Tenant Administrator"},
            {"roleDefinitionId": USER_ADMINISTRATOR, "displayName": "User Admin", "category": "identity"},
        ],
    )
    outcome = import_role_catalog_file(session, Actor.system(), path=path)
    assert outcome.added == ["Viva Glint Tenant Administrator"]
    assert outcome.renamed == ["User Administrator → User Admin"]
    assert resolve_role("user admin") == USER_ADMINISTRATOR and role_name(USER_ADMINISTRATOR) == "User Admin"
    [rec] = records(session, "import_gdap_roles")
    assert rec.new_value == outcome.as_json()
    rel = create_admin_relationship(
        session,
        world.partner.admin,
        customer_id=world.customer_id,
        display_name="Glint",
        role_ids=["Viva Glint Tenant Administrator"],
    )
    assert rel.role_ids == [NEW_ROLE]
    assert import_role_catalog_file(session, Actor.system(), path=path).as_json() == {
        "added": [],
        "renamed": [],
        "retired": [],
        "removed": [],
    }
    assert len(records(session, "import_gdap_roles")) == 1


def test_a_replacing_import_retires_held_roles_and_removes_the_others(session: Session, world: World) -> None:
    create_admin_relationship(
        session, world.partner.admin, customer_id=world.customer_id, display_name="Users", role_ids=[USER_ADMINISTRATOR]
    )
    keep = [GdapRole(GLOBAL_ADMINISTRATOR, "Global Administrator", "identity")]
    outcome = import_role_catalog(session, Actor.system(), roles=keep, replace=True)
    assert outcome.retired == ["User Administrator"]
    assert len(outcome.removed) == len(BUILTIN_ROLES) - 2
    roles = list_role_catalog(session)
    assert [(r.name, r.retired) for r in roles] == [("Global Administrator", False), ("User Administrator", True)]
    assert role_name(USER_ADMINISTRATOR) == "User Administrator"  # still named where it is held
    with pytest.raises(GdapRoleRetired):
        create_admin_relationship(
            session,
            world.partner.admin,
            customer_id=world.customer_id,
            display_name="More users",
            role_ids=[USER_ADMINISTRATOR],
        )
    with pytest.raises(AutoExtendWithGlobalAdministrator):  # Global Administrator keeps its rule
        create_admin_relationship(
            session,
            world.partner.admin,
            customer_id=world.customer_id,
            display_name="GA",
            role_ids=[GLOBAL_ADMINISTRATOR],
            auto_extend_days=180,
        )
    import_role_catalog(
        session, Actor.system(), roles=[*keep, GdapRole(USER_ADMINISTRATOR, "User Administrator", "identity")]
    )
    assert not refresh_role_catalog(session).by_id[USER_ADMINISTRATOR].retired


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '{"roles": [{"roleDefinitionId": "nope", "displayName": "X"}]}',
        '[{"roleDefinitionId": "0ec3f692-38d6-4d14-9e69-0377ca7797ad"}]',
        '[{"id": "0ec3f692-38d6-4d14-9e69-0377ca7797ad", "name": "A", "category": "space"}]',
        '[{"id": "0ec3f692-38d6-4d14-9e69-0377ca7797ad", "name": "A"}, '
        '{"id": "0ec3f692-38d6-4d14-9e69-0377ca7797ad", "name": "B"}]',
    ],
)
def test_a_bad_catalog_file_changes_nothing(text: str) -> None:
    with pytest.raises(GdapRoleCatalogInvalid):
        parse_role_catalog(text)


def test_only_the_operator_imports(session: Session, world: World) -> None:
    with pytest.raises(Forbidden):
        import_role_catalog(session, world.partner.admin, roles=[GdapRole(NEW_ROLE, "Glint")])
