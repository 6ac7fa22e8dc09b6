"""How commands print: JSON for scripts (`--json`), tables and fields for people, times in UTC."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

console = Console(soft_wrap=True)  # messages are never cut into lines: scripts and logs read them whole
err_console = Console(stderr=True, soft_wrap=True)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of a table.")]


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=_default))


def _width() -> int | None:
    """Tables use the terminal's width; piped (scripts, logs, tests) they get COLUMNS or 160, not 80."""
    cols = os.environ.get("COLUMNS", "")
    if cols.isdigit():
        return int(cols)
    return None if console.is_terminal else 160


def _print_wide(renderable: Any) -> None:
    width = _width()
    if width is not None:
        console.width = width  # print(width=...) cannot exceed the console's own width
    console.print(renderable)


def print_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], *, caption: str = "") -> None:
    table = Table(title=title, caption=caption or None, show_lines=False, header_style="bold")
    for col in columns:
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(*["" if v is None else str(v) for v in row])
    _print_wide(table)


def print_fields(title: str, pairs: Sequence[tuple[str, Any]]) -> None:
    table = Table(title=title, show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for key, value in pairs:
        table.add_row(key, "" if value is None else str(value))
    _print_wide(table)


def fmt_time(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if isinstance(value, datetime) else ""
