"""`wowdesk training simulate` (replay a trainee's replies against a scenario and print the
transcript and the score) and `wowdesk training seed` (the marketplace demo scenarios,
entry test and tracks)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from wowdesk.cli.terminal import fail
from wowdesk.config import get_settings
from wowdesk.db import make_engine, make_sessionmaker, unit_of_work
from wowdesk.errors import Invalid, WowdeskError
from wowdesk.i18n import activate, gettext
from wowdesk.training import service

app = typer.Typer(help="Training: the practice simulator, entry test and tracks.")
console = Console()


@app.command("seed")
def seed_cmd() -> None:
    """Loads (or updates) the demo scenarios, the entry test and the demo tracks."""
    settings = get_settings()
    activate(settings.language)
    try:
        factory = make_sessionmaker(make_engine(settings.resolved_database_url()))
        with unit_of_work(factory) as db:
            service.do_ensure_demo(db)
            count = len(service.list_scenarios(db))
    except WowdeskError as exc:
        raise fail(exc) from exc
    console.print(gettext("Training scenarios: {n}", n=count))


@app.command("simulate")
def simulate_cmd(
    scenario: Annotated[str, typer.Option("--scenario", help="Scenario id or slug.")],
    replies: Annotated[
        Path, typer.Option("--replies", help="The trainee's replies, one per line.")
    ],
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Replays the replies against the scripted customer and scores the dialogue with the
    quality scorecard and the scenario's goal. Nothing is stored."""
    settings = get_settings()
    activate(settings.language)
    try:
        try:
            lines = replies.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise Invalid("Cannot read {path}", path=str(replies)) from exc
        if not any(line.strip() for line in lines):
            raise Invalid("The replies file is empty")
        factory = make_sessionmaker(make_engine(settings.resolved_database_url()))
        with unit_of_work(factory) as db:
            sc = service.get_scenario(db, scenario)
            run = service.simulate(db, sc, lines)
            slug, title = sc.slug, sc.title
    except WowdeskError as exc:
        raise fail(exc) from exc
    if json_out:
        out = {"scenario": slug, "transcript": run.lines, "score": run.result}
        typer.echo(json.dumps(out, ensure_ascii=False))
        return
    console.print(f"[bold]{title}[/bold]")
    for line in run.lines:
        who = gettext(line["author"])
        console.print(f"{line['seq']:>3} {who}: {line['text']}", highlight=False)
    result = run.result
    console.print(gettext("Score: {total}", total=result["total"]))
    for lost in result["lost"]:
        console.print(f"  −{lost['points']} {lost['title']}", highlight=False)
    console.print(gettext("Ideal path:"))
    for step in result["ideal_path"]:
        console.print(f"  • {step}", highlight=False)
