"""The shape of the code base: migrations match the models, and the layers import only downwards."""

from __future__ import annotations

import ast
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from partnerhub.all_models import Base

SRC = Path(__file__).parent.parent / "src" / "partnerhub"

# The rings, from the bottom up. Every package of src/partnerhub belongs to exactly one.
FOUNDATION = {"db", "errors", "locale", "migrations", "data"}  # plus the modules clock, ids, settings, ...
# The platform every feature stands on: the directory (tenants and users, sign-in), the activity log, the job
# runner, the idempotency store.
KERNEL = {"auth", "audit", "tenants", "jobs", "idempotency", "mail"}
# The entity packages: models.py (tables, pure transitions), queries.py (scoped reads), schemas.py (shapes),
# service.py and its siblings (the use cases of that one feature).
FEATURES = {
    "customers",
    "relationships",
    "invitations",
    "subscriptions",
    "orders",
    "catalog",
    "partnerships",
    "support_contacts",
    "delegated_admin",
    "overview",
    "webhooks",
}
ORCHESTRATORS = {"usecases"}  # the operations that span features: only they call another feature's service
DELIVERY = {"http", "cli"}
TOOLS = {"bench"}  # the benchmark drives every door, like a delivery package
# What a feature may import from a sibling feature: its lower ring.
LOWER_RING = {"models", "queries", "schemas"}
# Known crossings of a feature into a sibling's upper ring, each with its reason. Keep this list short.
ALLOWED_CROSSINGS = {
    # starting a relationship episode: creating a customer for an indirect reseller and accepting an
    # invitation both start one, with its activity record, and nothing else in relationships
    ("customers", "relationships.episodes"),
    ("invitations", "relationships.episodes"),
}
# Modules that wire everything together (composition roots): they may import any ring but delivery.
COMPOSITION_ROOTS = {
    SRC / "jobs" / "registry.py",
    SRC / "all_models.py",
    SRC / "demo.py",
    SRC / "demo_admin.py",
    SRC / "demo_plan.py",
    SRC / "runtime.py",
}


def test_the_migrations_build_exactly_the_models(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []


def _imports(path: Path) -> set[str]:
    """The partnerhub packages (first component) a module imports."""
    return {m.split(".")[0] for m in _modules(path)}


def _modules(path: Path, text: str | None = None) -> set[str]:
    """The partnerhub modules a module imports, without the `partnerhub.` prefix (e.g. `customers.service`)."""
    tree = ast.parse(path.read_text() if text is None else text)
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("partnerhub."):
            names.add(node.module.removeprefix("partnerhub."))
        elif isinstance(node, ast.Import):
            names.update(a.name.removeprefix("partnerhub.") for a in node.names if a.name.startswith("partnerhub."))
    return names


def _package_of(path: Path) -> str:
    return path.relative_to(SRC).parts[0].removesuffix(".py")


def layering_violations(sources: dict[Path, str]) -> list[str]:
    """Every import that breaks the rings, as "module -> imported: why" (`sources`: path → its text)."""
    problems = []
    for path, text in sources.items():
        if path in COMPOSITION_ROOTS:
            continue
        package = _package_of(path)
        for module in sorted(_modules(path, text)):
            target = module.split(".")[0]
            rel = f"{path.relative_to(SRC)} -> {module}"
            if package in DELIVERY | TOOLS:
                continue
            if target in DELIVERY:
                problems.append(f"{rel}: only delivery imports delivery")
            elif package in FOUNDATION and target in KERNEL | FEATURES | ORCHESTRATORS:
                problems.append(f"{rel}: the foundation imports no domain package")
            elif package in KERNEL and target in FEATURES | ORCHESTRATORS:
                problems.append(f"{rel}: the kernel imports no feature")
            elif package in FEATURES and target in ORCHESTRATORS:
                problems.append(f"{rel}: a feature never calls the use cases above it")
            elif (
                package in FEATURES
                and target in FEATURES
                and target != package
                and module.split(".")[-1] not in LOWER_RING
                and (package, module) not in ALLOWED_CROSSINGS
            ):
                problems.append(f"{rel}: a feature imports only the models, queries and schemas of another")
    return problems


def test_every_package_has_its_ring() -> None:
    packages = {p.name for p in SRC.iterdir() if p.is_dir() and not p.name.startswith("__")}
    rings = [FOUNDATION, KERNEL, FEATURES, ORCHESTRATORS, DELIVERY, TOOLS]
    assert packages - set().union(*rings) == set(), "a new package must be placed in a ring"
    assert all(len([r for r in rings if p in r]) == 1 for p in packages)


def test_only_the_use_cases_cross_into_another_features_service() -> None:
    assert layering_violations({path: path.read_text() for path in sorted(SRC.rglob("*.py"))}) == []


def test_a_wrong_import_is_caught() -> None:
    """The rule has teeth: a feature calling another feature's service, or the kernel importing a feature, fails."""
    found = layering_violations(
        {
            SRC / "customers" / "service.py": "from partnerhub.subscriptions.service import update_subscription\n",
            SRC / "audit" / "service.py": "from partnerhub.customers.models import Customer\n",
            SRC
            / "subscriptions"
            / "service.py": "from partnerhub.usecases.offboard_customer import offboard_customer\n",
            SRC / "orders" / "service.py": "from partnerhub.relationships.queries import require_active_relationship\n",
        }
    )
    assert found == [
        "customers/service.py -> subscriptions.service: a feature imports only the models, queries and schemas "
        "of another",
        "audit/service.py -> customers.models: the kernel imports no feature",
        "subscriptions/service.py -> usecases.offboard_customer: a feature never calls the use cases above it",
    ]


def test_features_never_import_delivery_or_web_frameworks() -> None:
    for feature in FEATURES | ORCHESTRATORS | KERNEL | {"db"}:
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


# Reads that are deliberately not scoped to the acting tenant end in `_unscoped`. Each may be used only where
# the object was already scoped (or is public), and this list says where and why.
UNSCOPED_USES = {
    # the name of a customer whose relationship, assignment or request the caller has already found in scope
    "customer_name_unscoped": {
        "delegated_admin/access.py",
        "delegated_admin/dap.py",
        "delegated_admin/gdap.py",
        "http/api/gdap.py",
        "cli/delegated_admin.py",
    },
    # a partner's display name: partners are public to each other (Partner Center shows them by MPN id)
    "partner_name_unscoped": {
        "partnerships/queries.py",
        "partnerships/service.py",
        "orders/service.py",
        "support_contacts/service.py",
    },
    # the name of the signed-in user's own tenant (page header), or of a partner that sent the customer a request
    "tenant_name_unscoped": {"http/web/context.py", "delegated_admin/read_models.py", "usecases/customer_partners.py"},
    # the add-ons of a parent subscription the caller has already loaded in scope
    "addons_of_unscoped": {"subscriptions/service.py"},
    # the names of the partners behind a visible subscription's suspension reasons (partners are public)
    "partner_names_unscoped": {"subscriptions/service.py"},
    # the partners of a customer the caller has found in scope: every one's activity log records a change of its
    # billing profile, or an operator's read of its data (issue 12)
    "partners_of_customer_unscoped": {"customers/service.py", "subscriptions/queries.py"},
}


def test_unscoped_reads_are_used_only_where_listed() -> None:
    used: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id.endswith("_unscoped"):
                used.setdefault(node.func.id, set()).add(str(path.relative_to(SRC)))
    assert used == UNSCOPED_USES


def test_scoped_queries_say_so() -> None:
    """A query helper that reads tenant data takes the tenant (partner_id, an actor) or says it does not."""
    for path in SRC.glob("*/queries.py"):
        for node in ast.parse(path.read_text()).body:
            if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
                continue
            params = {a.arg for a in [*node.args.args, *node.args.kwonlyargs]}
            if "session" not in params or path.parent.name == "catalog":  # the catalog is the same for everyone
                continue
            scoped = params & {"partner_id", "actor", "provider_id", "reseller_id", "tenant_id", "mpn_id", "partner"}
            assert scoped or node.name.endswith("_unscoped"), f"{path.parent.name}.{node.name}"
