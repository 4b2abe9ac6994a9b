"""`wowdesk wfm …`: staffing for planners, from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from wowdesk.cli.terminal import fail
from wowdesk.config import get_settings
from wowdesk.db import make_engine, make_sessionmaker, unit_of_work
from wowdesk.errors import Invalid, WowdeskError
from wowdesk.i18n import gettext as _
from wowdesk.operators import rota as schedule
from wowdesk.workforce import erlang
from wowdesk.workforce.concurrency import concurrency_aht

app = typer.Typer(help="Workforce management: staffing and schedules.", no_args_is_help=True)


@app.command("staffing")
def staffing(
    volume: Annotated[float, typer.Option(help="Contacts in the interval.")],
    aht: Annotated[float, typer.Option(help="Average handle time, seconds (ACW included).")],
    sl: Annotated[float, typer.Option(help="Service-level target, a share: 0.8 for 80 %.")] = 0.8,
    target_seconds: Annotated[
        float, typer.Option(help="Answered within this many seconds counts as in service level.")
    ] = 20,
    interval_minutes: Annotated[float, typer.Option(help="Length of the interval.")] = 30,
    shrinkage: Annotated[
        float, typer.Option(help="Share of paid time away from contacts: 0.3 for 30 %.")
    ] = 0.0,
    max_occupancy: Annotated[
        float | None, typer.Option(help="Cap on occupancy, a share (optional).")
    ] = None,
    patience_seconds: Annotated[
        float | None,
        typer.Option(help="Mean patience before abandoning: uses Erlang A (optional)."),
    ] = None,
    concurrency: Annotated[
        float,
        typer.Option(help="Chats one agent serves at once (measured; 1 for calls)."),
    ] = 1.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Agents needed for the service-level target (Erlang C, or Erlang A with patience).

    `agents` is the number to schedule (after shrinkage); service level, ASA and occupancy
    are those of the agents on the phones. With `--concurrency N` an agent serving N chats
    at once is one server whose handle time per chat is AHT / N (the usual chat
    approximation: the same workload in agent-seconds, spread over N parallel chats)."""
    try:
        result = erlang.staffing_json(
            volume,
            concurrency_aht(aht, concurrency),
            sl,
            target_seconds,
            interval_minutes,
            shrinkage=shrinkage,
            max_occupancy=max_occupancy,
            patience_seconds=patience_seconds,
        )
    except ValueError as exc:
        raise fail(Invalid("Invalid input: {detail}", code="invalid", detail=str(exc))) from exc
    if as_json:
        typer.echo(json.dumps(result, allow_nan=False))
        return
    table = Table(title=_("Staffing"), show_header=False)
    rows = [
        (_("Agents to schedule (after shrinkage)"), str(result["agents"])),
        (_("Agents on the phones"), str(result["agents_on_phones"])),
        (_("Service level"), f"{result['service_level']:.1%}"),
        (_("Average speed of answer, s"), f"{result['asa_seconds']:.1f}"),
        (_("Occupancy"), f"{result['occupancy']:.1%}"),
        (_("Traffic, Erlangs"), f"{result['traffic_erlangs']:.2f}"),
    ]
    for label, value in rows:
        table.add_row(label, value)
    Console().print(table)


@app.command("import-shifts")
def import_shifts(
    file: Annotated[Path, typer.Argument(help="CSV: login,date,start,end (local times).")],
) -> None:
    """Shifts from a CSV file: every row or none; bad rows are listed with their line."""
    settings = get_settings()
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(
            Invalid("Cannot read {path}: {detail}", path=str(file), detail=str(exc))
        ) from exc
    factory = make_sessionmaker(make_engine(settings.resolved_database_url()))
    try:
        with unit_of_work(factory) as db:
            written = schedule.do_import_shifts(db, text, settings.timezone)
    except WowdeskError as exc:
        for line in exc.extra.get("errors", []):
            Console(stderr=True).print(line, markup=False)
        raise fail(exc) from exc
    typer.echo(_("Imported {n} shifts", n=written))
