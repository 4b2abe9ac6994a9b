"""`wowdesk backup PATH` and `wowdesk restore PATH`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from wowdesk.backup import service
from wowdesk.cli.terminal import fail
from wowdesk.config import get_settings
from wowdesk.errors import WowdeskError
from wowdesk.i18n import activate, gettext

console = Console()


def backup(
    path: Annotated[Path, typer.Argument(help="The archive to write (.tar.gz).")],
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace an existing archive.")
    ] = False,
) -> None:
    """Back up the database and the var folder into one archive, while serving."""
    settings = get_settings()
    activate(settings.language)
    try:
        done = service.backup(
            settings.resolved_database_url(), settings.var_dir, path, overwrite=overwrite
        )
    except WowdeskError as exc:
        raise fail(exc) from exc
    console.print(
        gettext(
            "Backup written: {path} ({dialect}, {files} files, {size} bytes)",
            path=str(done.path),
            dialect=done.dialect,
            files=done.files,
            size=done.bytes,
        )
    )


def restore(
    path: Annotated[Path, typer.Argument(help="The archive written by `wowdesk backup`.")],
    force: Annotated[
        bool,
        typer.Option("--force", help="Overwrite a database and a var folder that are not empty."),
    ] = False,
) -> None:
    """Restore a backup into an empty database and var folder (see WOWDESK_DATABASE_URL
    and WOWDESK_VAR_DIR); stop the servers first."""
    settings = get_settings()
    activate(settings.language)
    try:
        done = service.restore(
            path, settings.resolved_database_url(), settings.var_dir, force=force
        )
    except WowdeskError as exc:
        raise fail(exc) from exc
    console.print(
        gettext(
            "Restored {dialect} database and {files} files from {path}",
            dialect=done.dialect,
            files=done.files,
            path=str(done.path),
        )
    )
