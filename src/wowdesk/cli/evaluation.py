"""`wowdesk eval …`: each command measures one model on labelled data and prints one JSON
object on stdout with --json, for other tools to read (keep the keys)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from wowdesk.cli.terminal import fail, print_result
from wowdesk.config import get_settings
from wowdesk.errors import WowdeskError
from wowdesk.i18n import gettext
from wowdesk.kb.retrieval import configured_encoder
from wowdesk.kb.retrieval_evaluation import evaluate_retrieval
from wowdesk.nlp import injection_evaluation
from wowdesk.nlp import secrets_evaluation as guards_eval
from wowdesk.nlp.pii_evaluation import evaluate, load


def eval_retrieval(
    kb: Annotated[Path, typer.Option("--kb", help="Articles: CSV with id,question,answer.")],
    queries: Annotated[Path, typer.Option("--queries", help="CSV with query,id.")],
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Hit@1, hit@5, MRR and search latency of the embedded retrieval."""
    try:
        encoder = configured_encoder(get_settings().embedding_model_path)
        result = evaluate_retrieval(kb, queries, encoder)
    except WowdeskError as exc:
        raise fail(exc) from exc
    print_result(gettext("Retrieval"), result, json_out)


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
    chars = result["characters"]
    table.add_row("characters", str(chars["precision"]), str(chars["recall"]), "", "")
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


def eval_injection(
    data: Annotated[Path, typer.Option("--data", help="CSV with text,label (1 = injection).")],
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Accuracy, precision, recall, F1 and latency of the prompt-injection detector."""
    try:
        result = injection_evaluation.evaluate(*injection_evaluation.load(data))
    except WowdeskError as exc:
        raise fail(exc) from exc
    print_result(gettext("Prompt injection"), result, json_out)


def eval_app() -> typer.Typer:
    """The `eval` group: triage's command lives with the topic model's other commands."""
    from wowdesk.cli.bot import eval_triage
    from wowdesk.cli.quality import eval_learning

    group = typer.Typer(help="Measure the models on labelled data.", no_args_is_help=True)
    group.command("triage", help="Train the topic model on TRAIN and measure it on TEST.")(
        eval_triage
    )
    group.command("retrieval", help="Measure knowledge-base search on labelled queries.")(
        eval_retrieval
    )
    group.command("pii", help="Measure PII masking on labelled spans.")(eval_pii)
    group.command("guards", help="Measure the secrets guards on labelled texts.")(eval_guards)
    group.command("injection", help="Measure the prompt-injection detector on labelled texts.")(
        eval_injection
    )
    group.command("learning", help="Measure what mining past answers teaches the bot.")(
        eval_learning
    )
    return group
