"""`wowdesk eval pii`: one JSON object on stdout with --json, for other tools to read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from wowdesk.errors import WowdeskError
from wowdesk.i18n import gettext
from wowdesk.safety.evaluation import evaluate, load
from wowdesk.terminal import fail


def eval_pii(
    data: Annotated[
        Path,
        typer.Option(
            "--data", help='JSON lines: {"text": …, "spans": [{"start", "end", "type"}]}.'
        ),
    ],
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Precision, recall and F1 of PII masking per type and overall."""
    try:
        result = evaluate(load(data))
    except WowdeskError as exc:
        raise fail(exc) from exc
    if json_out:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    table = Table(title=gettext("PII masking"))
    for column in ("type", "precision", "recall", "f1", "support"):
        table.add_column(column)
    for kind, s in [*result["per_type"].items(), ("overall", result["overall"])]:
        table.add_row(kind, *(str(s[k]) for k in ("precision", "recall", "f1", "support")))
    Console().print(table)


def eval_guards(
    data: Annotated[
        Path,
        typer.Option(
            "--data",
            help='JSON lines: {"task": "request", "text", "kinds"} or '
            '{"task": "secret", "text", "secrets": [{"text", "type"}]}.',
        ),
    ],
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Precision and recall of the secrets guards: requests for secrets and secrets sent."""
    from wowdesk.safety import guards_eval

    try:
        result = guards_eval.evaluate(guards_eval.load(data))
    except WowdeskError as exc:
        raise fail(exc) from exc
    if json_out:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    table = Table(title=gettext("Secrets guards"))
    for column in ("task", "kind", "precision", "recall", "f1", "support"):
        table.add_column(column)
    for task in ("requests", "secrets"):
        part = result[task]
        for kind, s in [*part["per_kind"].items(), ("overall", part)]:
            if s["support"] or kind == "overall":
                row = (str(s[k]) for k in ("precision", "recall", "f1", "support"))
                table.add_row(task, kind, *row)
    Console().print(table)
    for error in result["errors"]:
        typer.echo(json.dumps(error, ensure_ascii=False))
