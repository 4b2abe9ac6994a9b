"""The `wowdesk` command line: one Typer app (`main`), one module per group of commands, and
the terminal helpers they share. `wowdesk.cli:app` is the console script's entry point."""

from wowdesk.cli.main import app

__all__ = ["app"]
