"""`wowdesk quality wow`, `wowdesk kb gaps` and `wowdesk eval learning`."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from wowdesk.cli.terminal import fail, print_result
from wowdesk.config import get_settings
from wowdesk.db import make_engine, make_sessionmaker, unit_of_work
from wowdesk.errors import Invalid, WowdeskError
from wowdesk.i18n import activate, gettext
from wowdesk.kb.retrieval import configured_encoder
from wowdesk.quality import gaps, wow
from wowdesk.quality.learning_eval import evaluate_learning

app = typer.Typer(help="Quality control.", no_args_is_help=True)
console = Console()


@app.command("wow")
def wow_cmd(
    day: Annotated[str, typer.Option("--date", help="YYYY-MM-DD (the contact center's day).")],
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """The day's WOW candidates with their reasons (stored for /quality/wow)."""
    settings = get_settings()
    activate(settings.language)
    try:
        try:
            when = date.fromisoformat(day)
        except ValueError as exc:
            raise Invalid("Dates are YYYY-MM-DD") from exc
        factory = make_sessionmaker(make_engine(settings.resolved_database_url()))
        with unit_of_work(factory) as db:
            found = wow.do_find(db, when, settings.timezone)
    except WowdeskError as exc:
        raise fail(exc) from exc
    rows = [
        {
            "conversation_id": c.conversation_id,
            "operator_id": c.operator_id,
            "points": c.points,
            "reasons": c.reasons,
            "quote": c.quote,
        }
        for c in found
    ]
    if json_out:
        typer.echo(json.dumps({"date": when.isoformat(), "candidates": rows}, ensure_ascii=False))
        return
    table = Table(title=gettext("WOW candidates for {day}", day=when.isoformat()))
    for column in ("#", gettext("Points"), gettext("Why"), gettext("Customer's words")):
        table.add_column(column)
    for c in found:
        reasons = ", ".join(wow.reason_label(r) for r in c.reasons)
        table.add_row(str(c.conversation_id), str(c.points), reasons, c.quote)
    console.print(table)


def parse_since(text: str) -> float:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([dh]?)\s*", text)
    if not m:
        raise Invalid("Use a number of days like 7d (or hours like 12h)")
    value = float(m[1])
    return value / 24 if m[2] == "h" else value


def kb_gaps(
    since: Annotated[str, typer.Option(help="How far back: 7d, 1d, 12h.")] = "7d",
    history: Annotated[
        Path | None,
        typer.Option("--history", help="CSV with question,answer from another helpdesk."),
    ] = None,
    min_size: Annotated[
        int, typer.Option(help="Smallest cluster made a draft.", min=1)
    ] = gaps.MIN_SIZE,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Cluster the questions the bot passed to people (or a past helpdesk's history) and
    put a draft article per cluster in the /kb drafts queue."""
    settings = get_settings()
    activate(settings.language)
    try:
        factory = make_sessionmaker(make_engine(settings.resolved_database_url()))
        with unit_of_work(factory) as db:
            if history is not None:
                drafts = gaps.drafts_from(gaps.read_history(history), min_size)
            else:
                drafts = gaps.drafts_from(gaps.gap_items(db, parse_since(since)), min_size)
            stored = {d.question for d in gaps.do_store(db, drafts)}
    except WowdeskError as exc:
        raise fail(exc) from exc
    clusters = [
        {
            "title": d.title,
            "size": d.size,
            "new_draft": d.title in stored,
            "answer": d.body,
            "questions": d.questions[:10],
            "conversation_ids": d.conversation_ids[:50],
        }
        for d in drafts
    ]
    if json_out:
        typer.echo(json.dumps({"clusters": clusters}, ensure_ascii=False))
        return
    table = Table(title=gettext("Knowledge gaps"))
    for column in (gettext("Draft"), gettext("Questions"), gettext("New"), gettext("Answer")):
        table.add_column(column)
    for c in clusters:
        table.add_row(
            str(c["title"]), str(c["size"]), "✔" if c["new_draft"] else "", str(c["answer"])[:120]
        )
    console.print(table)


def eval_learning(
    kb: Annotated[Path, typer.Option("--kb", help="Articles: CSV with id,question,answer.")],
    history: Annotated[Path, typer.Option("--history", help="CSV with question,answer.")],
    queries: Annotated[Path, typer.Option("--queries", help="CSV with query,answer.")],
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """How much mining past answers into drafts lets the bot answer, and answer right."""
    try:
        encoder = configured_encoder(get_settings().embedding_model_path)
        result = evaluate_learning(kb, history, queries, encoder)
    except WowdeskError as exc:
        raise fail(exc) from exc
    print_result(gettext("Learning from gaps"), result, json_out)
