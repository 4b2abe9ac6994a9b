"""`wowdesk report`: the KPI table of the dashboards, for a period, as CSV, XLSX or JSON."""

from __future__ import annotations

import json
import re
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, cast

import typer

from wowdesk.analytics import export, service
from wowdesk.cli.terminal import fail
from wowdesk.config import get_settings
from wowdesk.db import local_today, make_engine, make_sessionmaker, unit_of_work
from wowdesk.errors import Invalid, WowdeskError

PERIOD_HELP = "YYYY-MM-DD..YYYY-MM-DD, YYYY-MM (a month), YYYY-MM-DD (a day) or Nd (last N days)"


def parse_period(text: str, today: date) -> tuple[date, date]:
    text = text.strip()
    try:
        if m := re.fullmatch(r"(\d+)d", text):
            return today - timedelta(days=int(m[1]) - 1), today
        if ".." in text:
            first, last = text.split("..", 1)
            return date.fromisoformat(first), date.fromisoformat(last)
        if re.fullmatch(r"\d{4}-\d{2}", text):
            start = date.fromisoformat(f"{text}-01")
            following = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
            return start, following - timedelta(days=1)
        day = date.fromisoformat(text)
        return day, day
    except ValueError as exc:
        raise Invalid("Unknown period {period}: use {help}", period=text, help=PERIOD_HELP) from exc


def report(
    period: Annotated[str, typer.Option(help=PERIOD_HELP)] = "30d",
    fmt: Annotated[str, typer.Option("--format", help="csv, xlsx or json")] = "csv",
    group: Annotated[
        str, typer.Option(help="total, day, week, operator, team, channel or topic")
    ] = "operator",
    output: Annotated[
        Path | None, typer.Option(help="Write here instead of stdout (needed for xlsx).")
    ] = None,
) -> None:
    """KPIs for a period, recounted from the conversations first (so never stale)."""
    settings = get_settings()
    try:
        if fmt not in export.FORMATS:
            raise Invalid("Unknown format {fmt}: use csv, xlsx or json", fmt=fmt)
        if group not in service.GROUPS:
            raise Invalid("Unknown grouping {group}", group=group, code="invalid_group")
        if fmt == "xlsx" and output is None:
            raise Invalid("XLSX is a binary file: give --output FILE.xlsx")
        start, end = parse_period(period, local_today(settings.timezone))
        service.check_period(start, end)
        factory = make_sessionmaker(make_engine(settings.resolved_database_url()))
        with unit_of_work(factory) as db:
            service.do_refresh(
                db,
                start,
                end,
                sl_seconds=settings.service_level_seconds,
                timezone=settings.timezone,
            )
            rows = service.summarize(
                db,
                start,
                end,
                group=cast(service.Group, group),
                timezone=settings.timezone,
            )
    except WowdeskError as exc:
        raise fail(exc) from exc
    if fmt == "xlsx":
        assert output is not None
        output.write_bytes(export.to_xlsx(rows))
        return
    text = (
        json.dumps(
            {"start": start.isoformat(), "end": end.isoformat(), "rows": export.as_json(rows)},
            ensure_ascii=False,
        )
        if fmt == "json"
        else export.to_csv(rows)
    )
    if output is not None:
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
