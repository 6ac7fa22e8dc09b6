"""`partnerhub demo` (being written)."""

import typer


def demo(reset: bool = typer.Option(False, help="Start over.")) -> None:
    """Fill the database with demo data."""
    raise typer.Exit(1)
