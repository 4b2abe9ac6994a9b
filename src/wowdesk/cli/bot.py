"""`wowdesk triage train` and `wowdesk eval triage`: train and measure the topic model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from wowdesk.bot import training
from wowdesk.bot.engine import engine_from_settings
from wowdesk.cli.terminal import fail, print_result
from wowdesk.config import get_settings
from wowdesk.db import make_engine, make_sessionmaker, unit_of_work
from wowdesk.errors import WowdeskError
from wowdesk.i18n import activate, gettext
from wowdesk.quality import regression

app = typer.Typer(help="Triage: the topic model.", no_args_is_help=True)
console = Console()


@app.command("train")
def train_cmd(
    data: Annotated[Path, typer.Option("--data", help="Labelled examples: CSV with text,label.")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Where to save (default: var/topic_model.joblib).")
    ] = None,
    with_kb: Annotated[
        bool, typer.Option("--kb/--no-kb", help="Also learn from the published articles.")
    ] = True,
) -> None:
    """Train the topic model on labelled examples (and the knowledge base); a running server
    picks it up with the next customer message."""
    settings = get_settings()
    activate(settings.language)
    # scikit-learn only for the commands that train: `wowdesk serve` imports this module too
    from wowdesk.bot.topic_model import TopicModel, read_labelled_csv

    target = out or settings.topic_model_path()
    try:
        with console.status(gettext("Training the topic model…")):
            if with_kb:
                factory = make_sessionmaker(make_engine(settings.resolved_database_url()))
                with unit_of_work(factory) as db:
                    model = training.train(db, data, target)
            else:
                texts, labels = read_labelled_csv(data)
                model = TopicModel.fit(texts, labels)
                model.save(target)
    except WowdeskError as exc:
        raise fail(exc) from exc
    console.print(
        gettext("Saved a model of {n} topics to {path}", n=len(model.labels), path=str(target))
    )


def eval_triage(
    train: Annotated[Path, typer.Option("--train", help="Training CSV with text,label.")],
    test: Annotated[Path, typer.Option("--test", help="Test CSV with text,label.")],
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Accuracy, macro-F1, training time and per-message latency of the topic model."""
    from wowdesk.bot.topic_model import evaluate, read_labelled_csv

    try:
        train_texts, train_labels = read_labelled_csv(train)
        test_texts, test_labels = read_labelled_csv(test)
        result = evaluate(train_texts, train_labels, test_texts, test_labels)
    except WowdeskError as exc:
        raise fail(exc) from exc
    print_result(gettext("Triage"), result, json_out)


bot_app = typer.Typer(help="The bot: regression cases.", no_args_is_help=True)


@bot_app.command("regress")
def regress_cmd(
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", help="The database (default: WOWDESK_DATABASE_URL)."),
    ] = None,
) -> None:
    """Replay every regression case against the current knowledge base and bot; exit code 1
    when any is still answered wrongly or unsafely."""
    settings = get_settings()
    activate(settings.language)
    factory = make_sessionmaker(make_engine(database_url or settings.resolved_database_url()))
    try:
        with unit_of_work(factory) as db:
            report = regression.run_cases(db, engine_from_settings(settings))
    except WowdeskError as exc:
        raise fail(exc) from exc
    if json_out:
        typer.echo(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        table = Table(title=gettext("Regression cases"))
        for column in ("id", gettext("Question"), gettext("Result"), gettext("Why"), "article"):
            table.add_column(column)
        for r in report.results:
            mark = "[green]pass[/green]" if r.status == "pass" else "[red]fail[/red]"
            why = "; ".join(r.reasons) or gettext(r.action)
            table.add_row(str(r.id), r.question, mark, why, str(r.article_id or "—"))
        console.print(table)
        console.print(
            gettext(
                "{passed} of {cases} cases pass, {failed} fail",
                passed=report.passed,
                cases=report.cases,
                failed=report.failed,
            )
        )
    if report.failed:
        raise typer.Exit(1)
