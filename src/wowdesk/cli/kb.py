"""`wowdesk kb …`: import articles from files, refit the search on the verdicts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress

from wowdesk.bot.engine import engine_from_settings
from wowdesk.config import get_settings
from wowdesk.db import make_engine, make_sessionmaker, unit_of_work
from wowdesk.errors import Invalid
from wowdesk.i18n import activate, gettext
from wowdesk.kb import importer, service, verdicts

app = typer.Typer(help="Knowledge base.", no_args_is_help=True)
console = Console()


@app.command("import")
def import_cmd(
    path: Annotated[
        Path,
        typer.Argument(help="A folder of .md files, a .csv (question,answer,topic) or a .json."),
    ],
    draft: Annotated[
        bool, typer.Option("--draft", help="Import as drafts instead of publishing.")
    ] = False,
) -> None:
    """Import or update articles; a re-import updates them, never duplicates."""
    settings = get_settings()
    activate(settings.language)
    items, errors = importer.read_path(path)
    factory = make_sessionmaker(make_engine(settings.resolved_database_url()))
    with Progress(console=console) as progress, unit_of_work(factory) as db:
        task = progress.add_task(gettext("Importing"), total=len(items))
        report = service.do_import(
            db,
            items,
            errors,
            author=None,
            publish=not draft,
            advance=lambda: progress.advance(task),
        )
    console.print(
        gettext(
            "Created {created}, updated {updated}, unchanged {unchanged}, skipped {skipped}",
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
            skipped=len(report.errors),
        )
    )
    for error in report.errors:
        console.print(f"[yellow]{error}[/yellow]")
    if not draft and (report.created or report.updated):
        # the index's passages encoded here, with a progress bar, into the vector store the
        # servers read: else the first bot turn after a large import builds it (86 s for
        # 10 000 articles) while customers wait and are handed off as late
        knowledge = engine_from_settings(settings).knowledge
        with Progress(console=console) as progress, unit_of_work(factory) as db:
            knowledge.refresh(
                db,
                track=lambda articles: progress.track(
                    articles, description=gettext("Preparing the search")
                ),
            )
    if not items and report.errors:
        raise typer.Exit(2)


@app.command("learn")
def learn_cmd() -> None:
    """Refit the search's fusion on the verdicts now, supervisors' and operators' (as «Refit
    now» in /kb)."""
    settings = get_settings()
    activate(settings.language)
    factory = make_sessionmaker(make_engine(settings.resolved_database_url()))
    knowledge = engine_from_settings(settings).knowledge
    try:
        with unit_of_work(factory) as db:
            with console.status(gettext("Preparing the search")):
                index = knowledge.current(db)
            fit = verdicts.do_learn(db, index)
            used, named = fit.used, fit.named
            before, after = fit.in_use_hit, fit.learned_hit
    except Invalid as exc:
        console.print(f"[red]{gettext(exc.message, **exc.params)}[/red]")
        raise typer.Exit(2) from exc
    console.print(
        gettext(
            "Refitted on {named} verdicts: first article right {after} out of fold,"
            " {before} with the weights in force",
            named=named,
            after=f"{after:.1%}",
            before=f"{before:.1%}",
        )
    )
    console.print(gettext("In force now") if used else gettext("Kept apart: it did worse"))
