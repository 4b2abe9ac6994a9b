"""`wowdesk calls …`: import call transcripts, transcribe a recording offline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from wowdesk.bot.engine import engine_from_settings
from wowdesk.channels import asr, calls
from wowdesk.cli.terminal import fail
from wowdesk.config import Settings, get_settings
from wowdesk.db import make_engine, make_sessionmaker, unit_of_work
from wowdesk.errors import Invalid, WowdeskError
from wowdesk.i18n import activate, gettext

app = typer.Typer(help="Phone calls: transcripts into conversations.", no_args_is_help=True)
console = Console()

DatabaseUrl = Annotated[
    str | None, typer.Option("--database-url", help="Instead of WOWDESK_DATABASE_URL.")
]


def _settings() -> Settings:
    settings = get_settings()
    activate(settings.language)
    return settings


@app.command("import")
def import_cmd(
    path: Annotated[Path, typer.Argument(help="JSONL, one call a line (see the README).")],
    database_url: DatabaseUrl = None,
) -> None:
    """Import calls; bad lines are reported with their number, the rest go in. A re-run
    skips calls already imported (by call_id). Exit code 1 when any line failed."""
    settings = _settings()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise fail(
            Invalid("Cannot read {path}: {error}", path=str(path), error=exc.strerror)
        ) from exc
    factory = make_sessionmaker(make_engine(database_url or settings.resolved_database_url()))
    engine = engine_from_settings(settings)
    with unit_of_work(factory) as db:
        report = calls.do_import_lines(db, data, classify=engine.classify, source="file")
    for error in report.errors:
        line = gettext("Line {n}: {error}", n=error.line, error=error.message)
        console.print(f"[yellow]{line}[/yellow]")
    console.print(
        gettext(
            "Calls imported {imported}, already there {already}, failed {failed}",
            imported=report.imported,
            already=report.already,
            failed=report.failed,
        )
    )
    if report.failed:
        raise typer.Exit(1)


@app.command("transcribe")
def transcribe_cmd(
    path: Annotated[
        Path, typer.Argument(help="A 16-bit PCM WAV; stereo: left customer, right operator.")
    ],
    model: Annotated[
        Path | None, typer.Option(help="Model folder (default WOWDESK_ASR_MODEL_PATH).")
    ] = None,
    speaker: Annotated[str, typer.Option(help="Who speaks in a mono file.")] = "customer",
) -> None:
    """Recognise a recording offline and print its segments as JSON (`{"segments": […]}`),
    to add to a call record for `wowdesk calls import` or `POST /api/v1/calls`."""
    settings = _settings()
    folder = model or (Path(settings.asr_model_path) if settings.asr_model_path else None)
    if folder is None:
        raise fail(
            Invalid(
                "Set WOWDESK_ASR_MODEL_PATH (or --model) to a local Vosk or faster-whisper "
                "model folder",
                code="asr_not_configured",
            )
        )
    try:
        segments = asr.transcribe(path, folder, mono_speaker=speaker)
    except WowdeskError as exc:
        raise fail(exc) from exc
    typer.echo(asr.as_json(segments))
