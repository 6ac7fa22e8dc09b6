"""The command-line interface: Typer commands over the same services as the API and the web."""
