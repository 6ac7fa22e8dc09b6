"""The common world of every test: migrated databases (SQLite and PostgreSQL), a rolled-back connection and
session per test, committed throwaway databases for race/CLI/job tests, and actors of each role."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from partnerhub.auth.actor import Actor
from partnerhub.auth.passwords import use_fast_hashing_for_tests
from partnerhub.catalog.service import load_default_catalog
from partnerhub.db import create_db_engine, transaction
from partnerhub.migrations import upgrade
from tests.factories import PartnerWorld, make_customer, make_partner

PG_ADMIN_DSN = os.environ.get("PARTNERHUB_TEST_PG_DSN", "host=127.0.0.1 port=5432 user=postgres dbname=test")
IN_CI = os.environ.get("CI", "").lower() == "true"
BACKENDS = ("sqlite", "postgresql")
# Whole folders of slow tests (real browsers, many processes); single slow tests carry @pytest.mark.slow.
SLOW_FOLDERS = {"browser", "reliability", "bench"}


def _worker() -> str:
    """A name unique to this test process (several suites may share one PostgreSQL server)."""
    return f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"


def _pg_available() -> str | None:
    """None if PostgreSQL answers, else the reason."""
    try:
        with psycopg.connect(PG_ADMIN_DSN, connect_timeout=3):
            return None
    except psycopg.OperationalError as exc:
        return str(exc).strip().splitlines()[0]


_PG_PROBLEM: str | None = _pg_available()
use_fast_hashing_for_tests()  # still argon2id, with the cheapest parameters


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "committed(reason): the test's app (api, site) runs over a committed throwaway database "
        "instead of the shared one inside the test's rolled-back transaction; say why",
    )


def pytest_report_header(config: pytest.Config) -> str:
    if _PG_PROBLEM is None:
        return "partnerhub: testing on SQLite and PostgreSQL"
    return f"partnerhub: PostgreSQL UNAVAILABLE ({_PG_PROBLEM}): its half of the suite is SKIPPED"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without PostgreSQL, off CI, its half of the suite is marked skipped (loudly, in the summary);
    under CI=true nothing is marked, so a missing PostgreSQL fails those tests."""
    skip_pg = pytest.mark.skipif(_PG_PROBLEM is not None and not IN_CI, reason=f"PostgreSQL unavailable: {_PG_PROBLEM}")
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("backend") == "postgresql":
            item.add_marker(skip_pg)
        if item.path.parent.name in SLOW_FOLDERS:
            item.add_marker(pytest.mark.slow)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _PG_PROBLEM is not None:
        terminalreporter.write_sep(
            "!", f"PostgreSQL UNAVAILABLE: its half of the suite was skipped ({_PG_PROBLEM})", red=True, bold=True
        )


def _pg_admin_exec(sql: str) -> None:
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def _drop_stale_pg_databases() -> None:
    """Drop the test databases left by test processes that no longer run (a killed run cannot clean up)."""
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        names = [r[0] for r in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE 'ph\\_%'")]
        for name in names:
            parts = name.split("_")  # ph_tpl_<worker>_<pid> or ph_t_<worker>_<pid>_<n>
            pid = int(parts[3]) if len(parts) > 3 and parts[3].isdigit() else None
            if pid is None or pid == os.getpid():
                continue
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]
            except PermissionError:
                pass


def _pg_url(dbname: str) -> str:
    params = dict(p.split("=", 1) for p in PG_ADMIN_DSN.split())
    user = params.get("user", "postgres")
    return f"postgresql+psycopg://{user}@{params.get('host', '127.0.0.1')}:{params.get('port', '5432')}/{dbname}"


class DatabaseFactory:
    """Builds migrated databases: one template per backend per worker, copied for each throwaway."""

    def __init__(self, backend: str, tmp: Path) -> None:
        self.backend = backend
        self.tmp = tmp
        self.counter = 0
        self.created: list[str] = []
        if backend == "postgresql":
            if _PG_PROBLEM is not None:
                # Off CI such tests carry a skipif mark (pytest_collection_modifyitems); under CI this fails.
                pytest.fail(f"PostgreSQL is unreachable: {_PG_PROBLEM}")
            _drop_stale_pg_databases()
            self.template = f"ph_tpl_{_worker()}"
            _pg_admin_exec(f"DROP DATABASE IF EXISTS {self.template} WITH (FORCE)")
            _pg_admin_exec(f"CREATE DATABASE {self.template}")
            engine = create_db_engine(_pg_url(self.template))
        else:
            self.template_path = tmp / "template.db"
            engine = create_db_engine(f"sqlite:///{self.template_path}")
        upgrade(engine)
        with transaction(engine) as session:
            load_default_catalog(session, Actor.system())
        engine.dispose()

    def new_engine(self) -> Engine:
        self.counter += 1
        if self.backend == "postgresql":
            name = f"ph_t_{_worker()}_{self.counter}"
            _pg_admin_exec(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            _pg_admin_exec(f"CREATE DATABASE {name} TEMPLATE {self.template}")
            self.created.append(name)
            return create_db_engine(_pg_url(name), pool_size=20, max_overflow=20)
        path = self.tmp / f"db{self.counter}.db"
        shutil.copy(self.template_path, path)
        return create_db_engine(f"sqlite:///{path}")

    def url_of(self, engine: Engine) -> str:
        return engine.url.render_as_string(hide_password=False)

    def cleanup(self) -> None:
        if self.backend == "postgresql":
            for name in [*self.created, self.template]:
                _pg_admin_exec(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


_factories: dict[str, DatabaseFactory] = {}


@pytest.fixture(scope="session")
def _factory_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, DatabaseFactory]]:
    yield _factories
    for f in _factories.values():
        f.cleanup()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_factory(
    backend: str, _factory_cache: dict[str, DatabaseFactory], tmp_path_factory: pytest.TempPathFactory
) -> DatabaseFactory:
    if backend not in _factory_cache:
        _factory_cache[backend] = DatabaseFactory(backend, tmp_path_factory.mktemp(backend))
    return _factory_cache[backend]


_shared_engines: dict[str, Engine] = {}


@pytest.fixture
def engine(db_factory: DatabaseFactory) -> Engine:
    """A migrated database shared by the tests of one backend; each test rolls its changes back."""
    if db_factory.backend not in _shared_engines:
        _shared_engines[db_factory.backend] = db_factory.new_engine()
    return _shared_engines[db_factory.backend]


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection to the shared database in an outer transaction that is rolled back at the end of the
    test: every unit of work on it (`transaction(conn)`, `Runtime(bind=conn)`) is a savepoint, and nothing is
    ever committed. On SQLite the outer transaction holds the write lock: nothing else may write meanwhile."""
    with engine.connect() as conn:
        outer = conn.begin()
        try:
            yield conn
        finally:
            outer.rollback()


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    """A session whose every change is rolled back at the end of the test (services flush, never commit)."""
    sess = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield sess
    finally:
        sess.close()


@pytest.fixture
def fresh_engine(db_factory: DatabaseFactory) -> Iterator[Engine]:
    """A throwaway migrated database whose data is committed (race, CLI, job and crash tests)."""
    eng = db_factory.new_engine()
    try:
        yield eng
    finally:
        eng.dispose()


@dataclass
class AppDatabase:
    """Where the app under test (tests/api, tests/web) keeps its data.

    By default the shared database, inside the test's rolled-back transaction: `bind` is the test's
    connection (the Runtime's every unit of work is a savepoint on it) and `setup` is that same connection.
    A test marked `committed("why")` gets a throwaway database instead, with committed data: `bind` is None
    (the Runtime opens its own engine on `url`) and `setup` is that database's engine."""

    url: str
    setup: Engine | Connection
    bind: Connection | None


@pytest.fixture
def app_database(request: pytest.FixtureRequest, db_factory: DatabaseFactory) -> AppDatabase:
    marker = request.node.get_closest_marker("committed")
    if marker is not None:
        if not marker.args or not str(marker.args[0]).strip():
            pytest.fail("@pytest.mark.committed needs a reason: why must this test's data be committed?")
        eng: Engine = request.getfixturevalue("fresh_engine")
        return AppDatabase(db_factory.url_of(eng), eng, None)
    conn: Connection = request.getfixturevalue("connection")
    return AppDatabase(db_factory.url_of(conn.engine), conn, conn)


@dataclass
class World:
    """A direct partner with one user per role, a second partner, and a customer of the first."""

    partner: PartnerWorld
    other: PartnerWorld
    customer_id: str
    customer_admin: Actor


@pytest.fixture
def world(session: Session) -> World:
    partner = make_partner(session, name="Contoso Direct", domain="contoso-direct.example")
    other = make_partner(session, name="Northwind Cloud", domain="northwind.example")
    created = make_customer(session, partner.admin, name="Fabrikam Srl", domain="fabrikam.example", language="it")
    from partnerhub.auth.service import actor_for_user

    return World(partner, other, created.customer.id, actor_for_user(session, created.admin))


@pytest.fixture
def blank_engine(backend: str, tmp_path: Path) -> Iterator[Engine]:
    """An empty database of its own, for the migration tests: they run the migrations on it from the start."""
    if backend == "postgresql":
        name = f"ph_t_{_worker()}_blank"
        _pg_admin_exec(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        _pg_admin_exec(f"CREATE DATABASE {name}")
        engine = create_db_engine(_pg_url(name))
        yield engine
        engine.dispose()
        _pg_admin_exec(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    else:
        engine = create_db_engine(f"sqlite:///{tmp_path / 'blank.db'}")
        yield engine
        engine.dispose()
