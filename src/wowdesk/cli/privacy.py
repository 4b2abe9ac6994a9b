"""`wowdesk data retention`, `wowdesk customers erase|export`: personal data from the
command line (a cron job, a data-protection officer's request)."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from wowdesk.cli.terminal import fail, print_result
from wowdesk.config import Settings, get_settings
from wowdesk.db import make_engine, make_sessionmaker, unit_of_work
from wowdesk.errors import WowdeskError
from wowdesk.i18n import activate, gettext
from wowdesk.privacy import retention, service

data_app = typer.Typer(help="Personal data: retention.", no_args_is_help=True)
console = Console()


def _settings() -> Settings:
    settings = get_settings()
    activate(settings.language)
    return settings


def _actor() -> service.Actor:
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry in a container
        name = "unknown"
    return service.Actor.cli(name)


@data_app.command("retention")
def retention_cmd(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only count what would change.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
) -> None:
    """Apply the retention settings now (the daily job does the same)."""
    settings = _settings()
    factory = make_sessionmaker(make_engine(settings.resolved_database_url()))
    policy = retention.Policy.from_settings(settings)
    with unit_of_work(factory) as db:
        report = retention.run(db, policy, settings.var_dir, dry_run=dry_run)
        if dry_run:
            db.rollback()
    title = gettext("Retention (dry run)") if dry_run else gettext("Retention")
    print_result(title, dict(report.counts()), as_json)


def erase(
    customer_id: Annotated[int, typer.Argument(help="The customer's id.")],
    reference: Annotated[
        str, typer.Option("--reference", help="The request's reference, for the audit.")
    ],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Erase one customer's personal data everywhere (statistics stay)."""
    settings = _settings()
    if not yes:
        typer.confirm(
            gettext("Erase customer {id}'s personal data? This cannot be undone", id=customer_id),
            abort=True,
        )
    factory = make_sessionmaker(make_engine(settings.resolved_database_url()))
    try:
        with unit_of_work(factory) as db:
            done = service.do_erase_customer(
                db,
                _actor(),
                customer_id,
                reference=reference,
                var_dir=settings.var_dir,
                place="cli",
            )
    except WowdeskError as exc:
        raise fail(exc) from exc
    console.print(
        gettext(
            "Customer {id} erased: {conversations} conversations, {messages} messages "
            "masked, {screenshots} screenshots deleted",
            id=customer_id,
            conversations=done.conversations,
            messages=done.messages,
            screenshots=done.screenshots,
        )
    )


def export(
    customer_id: Annotated[int, typer.Argument(help="The customer's id.")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="A file instead of stdout.")
    ] = None,
    reference: Annotated[
        str, typer.Option("--reference", help="The access request's reference.")
    ] = "",
) -> None:
    """Everything held about one customer as JSON (an access request); audited."""
    settings = _settings()
    factory = make_sessionmaker(make_engine(settings.resolved_database_url()))
    try:
        with unit_of_work(factory) as db:
            data = service.do_export_customer(
                db, _actor(), customer_id, place="cli", reference=reference
            )
    except WowdeskError as exc:
        raise fail(exc) from exc
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
