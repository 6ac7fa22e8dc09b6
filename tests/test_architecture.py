"""The shape of the code base: migrations match the models, and the layers import only downwards."""

from __future__ import annotations

import ast
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from partnerhub.all_models import Base

SRC = Path(__file__).parent.parent / "src" / "partnerhub"
FEATURES = {"customers", "relationships", "invitations", "subscriptions", "orders", "catalog", "tenants", "jobs",
            "partnerships", "support_contacts", "delegated_admin", "offboarding"}
DELIVERY = {"http", "cli"}


def test_the_migrations_build_exactly_the_models(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("partnerhub."):
            names.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            names.update(a.name.split(".")[1] for a in node.names if a.name.startswith("partnerhub."))
    return names


def test_features_never_import_delivery_or_web_frameworks() -> None:
    for feature in FEATURES | {"auth", "audit", "db"}:
        for path in (SRC / feature).glob("*.py"):
            text = path.read_text()
            assert not (_imports(path) & DELIVERY), f"{path} imports a delivery package"
            for framework in ("fastapi", "typer", "jinja2", "starlette"):
                assert f"import {framework}" not in text and f"from {framework}" not in text, path


def test_http_and_cli_never_import_each_other() -> None:
    for a, b in (("http", "cli"), ("cli", "http")):
        for path in (SRC / a).rglob("*.py"):
            assert b not in _imports(path), f"{path} imports partnerhub.{b}"


def test_the_lower_layers_do_not_import_features() -> None:
    for low in ("db", "errors", "clock", "ids", "settings"):
        paths = list((SRC / low).glob("*.py")) if (SRC / low).is_dir() else [SRC / f"{low}.py"]
        for path in paths:
            assert not (_imports(path) & (FEATURES | DELIVERY | {"auth", "audit"})), path


def test_no_module_grows_past_500_lines() -> None:
    for path in SRC.rglob("*.py"):
        if "migrations/versions" not in str(path):
            assert len(path.read_text().splitlines()) <= 500, path
