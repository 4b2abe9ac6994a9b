"""What every `wowdesk` command prints the same way: a refused input and a result."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from wowdesk.errors import WowdeskError
from wowdesk.i18n import gettext


def fail(exc: WowdeskError) -> typer.Exit:
    """The message on stderr in the user's language, exit code 2; raise what it returns."""
    Console(stderr=True).print(f"[red]{gettext(exc.message, **exc.params)}[/red]")
    return typer.Exit(2)


def print_result(title: str, result: dict[str, float | int], as_json: bool) -> None:
    """One JSON object on stdout for other tools to read, else a table for people."""
    if as_json:
        typer.echo(json.dumps(result))
        return
    table = Table(title=title)
    for key in result:
        table.add_column(key)
    table.add_row(*(str(v) for v in result.values()))
    Console().print(table)
