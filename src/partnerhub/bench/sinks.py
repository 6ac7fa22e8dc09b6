"""Where the synthetic portfolio's rows go: partnerhub's bulk path through the model tables (`model_sink`), and
the floor's plain loading of the same rows (`PlainSink`), with the catalog both start from."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Engine, insert, select

from partnerhub.all_models import Offer
from partnerhub.bench.portfolio import TABLES
from partnerhub.bench.rawdb import RawDb, sqlite_time
from partnerhub.db import read_session


def load_offers(engine: Engine) -> dict[str, dict[str, Any]]:
    """The catalog as loaded by the migrate/bootstrap path."""
    with read_session(engine) as session:
        return {
            o.id: {
                "name": o.name,
                "kind": o.kind,
                "unit_type": o.unit_type,
                "term": o.default_term,
                "cycle": o.default_billing_cycle,
            }
            for o in session.scalars(select(Offer))
        }


def model_sink(engine: Engine) -> Callable[[dict[str, list[dict[str, Any]]]], None]:
    """The partnerhub bulk path: rows through the model tables, one transaction per batch."""
    if engine.dialect.name == "sqlite":

        def write_sqlite(batch: dict[str, list[dict[str, Any]]]) -> None:
            with engine.begin() as conn:
                for table in TABLES:
                    if batch[table.name]:
                        conn.execute(insert(table), batch[table.name])

        return write_sqlite

    dialect = engine.dialect
    dumps: Callable[[Any], str] = getattr(dialect, "_json_serializer", None) or json.dumps

    def to_json(value: Any) -> str | None:
        return None if value is None else dumps(value)

    # Each column's own bind processing (UTCDateTime, ...); JSON goes through the dialect's serializer,
    # since psycopg's JSON binding wraps values in an adapter that COPY's text format does not take.
    processors = {
        t.name: [(c.name, to_json if isinstance(c.type, JSON) else c.type.bind_processor(dialect)) for c in t.columns]
        for t in TABLES
    }

    def write_copy(batch: dict[str, list[dict[str, Any]]]) -> None:
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            for table in TABLES:
                rows = batch[table.name]
                if not rows:
                    continue
                cols = processors[table.name]
                statement = f"COPY {table.name} ({', '.join(name for name, _ in cols)}) FROM STDIN"
                with cur.copy(statement) as copy:
                    for row in rows:
                        copy.write_row([p(row[name]) if p else row[name] for name, p in cols])
            raw.commit()
        finally:
            raw.close()

    return write_copy


class PlainSink:
    """The floor of data generation: the same rows, already in the driver's own types, loaded by plain
    executemany (SQLite) or COPY (PostgreSQL); only the loading is timed."""

    def __init__(self, db: RawDb) -> None:
        self.db = db
        self.seconds = 0.0
        self.columns = {t.name: [c.name for c in t.columns] for t in TABLES}
        self.json_cols = {t.name: {c.name for c in t.columns if c.type.__class__.__name__ == "JSON"} for t in TABLES}

    def _value(self, value: Any, is_json: bool) -> Any:
        if is_json:
            return json.dumps(value) if value is not None else None
        if isinstance(value, datetime):
            return sqlite_time(value) if self.db.is_sqlite else value
        return value

    def __call__(self, batch: dict[str, list[dict[str, Any]]]) -> None:
        ready: list[tuple[str, list[str], list[tuple[Any, ...]]]] = []
        for table in TABLES:
            cols, json_cols = self.columns[table.name], self.json_cols[table.name]
            rows = [tuple(self._value(r[c], c in json_cols) for c in cols) for r in batch[table.name]]
            if rows:
                ready.append((table.name, cols, rows))
        started = time.perf_counter()
        for name, cols, rows in ready:
            self.db.load(name, cols, rows)
        self.seconds += time.perf_counter() - started
