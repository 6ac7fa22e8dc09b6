"""Runs `partnerhub` like the console script, but SIGKILLs its own process at the worst moment: just before
the database commits the Nth offboarded customer (everything flushed, nothing committed). Used by the
crash tests; usage: python crash_after.py N partnerhub-arguments..."""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

from sqlalchemy import event

from partnerhub.cli.acting import runtime
from partnerhub.cli.main import main

limit = int(sys.argv[1])
state = {"pending_item": False, "committed_items": 0}
engine = runtime().engine


@event.listens_for(engine, "before_cursor_execute")
def _watch(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
    if statement.lstrip().upper().startswith("UPDATE JOB_ITEMS"):
        state["pending_item"] = True


@event.listens_for(engine, "commit")
def _maybe_die(conn: Any) -> None:
    if state["pending_item"]:
        state["pending_item"] = False
        if state["committed_items"] + 1 == limit:
            os.kill(os.getpid(), signal.SIGKILL)
        state["committed_items"] += 1


@event.listens_for(engine, "rollback")
def _forget(conn: Any) -> None:
    state["pending_item"] = False


sys.exit(main(sys.argv[2:]))
