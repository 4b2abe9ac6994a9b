"""The `wowdesk` command line: one Typer app, one module per group of commands."""
