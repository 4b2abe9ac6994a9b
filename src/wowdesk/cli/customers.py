"""`wowdesk customers …`: import orders and other departments' cases, rebuild cross-sell rules."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import MofNCompleteColumn, Progress
from rich.table import Table

from wowdesk.cli.terminal import fail
from wowdesk.config import Settings, get_settings
from wowdesk.customers import crosssell, orders
from wowdesk.customers.orders import ImportReport
from wowdesk.db import make_engine, make_sessionmaker, unit_of_work
from wowdesk.errors import Invalid
from wowdesk.i18n import activate, gettext

app = typer.Typer(help="Customers: orders, cases, cross-sell.", no_args_is_help=True)
console = Console()

DatabaseUrl = Annotated[
    str | None, typer.Option("--database-url", help="Instead of WOWDESK_DATABASE_URL.")
]


def _settings() -> Settings:
    settings = get_settings()
    activate(settings.language)
    return settings


def _read(path: Path, required: tuple[str, ...]) -> tuple[orders.Rows, list[orders.RowError]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise fail(
            Invalid("Cannot read {path}: {error}", path=str(path), error=exc.strerror)
        ) from exc
    return orders.read_csv(data, required)


def _summary(report: ImportReport) -> None:
    if not report.ok:
        console.print(
            f"[red]{gettext('Nothing imported: {n} rows need fixing', n=len(report.errors))}[/red]"
        )
        for error in report.errors:
            console.print(f"[yellow]{error}[/yellow]")
        raise typer.Exit(2)
    console.print(
        gettext(
            "Created {created}, updated {updated}, unchanged {unchanged}; "
            "new customers {customers}",
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
            customers=report.customers_created,
        )
    )


@app.command("import")
def import_cmd(
    path: Annotated[Path, typer.Argument(help="CSV, one row per order line (see the README).")],
    database_url: DatabaseUrl = None,
    source: Annotated[str, typer.Option(help="Source of rows without one.")] = "shop",
) -> None:
    """Import orders; all rows or, if any is wrong, none. A re-import never duplicates."""
    _import(
        path,
        orders.ORDER_COLUMNS,
        gettext("Importing orders"),
        orders.import_orders,
        database_url,
        source,
    )


@app.command("import-cases")
def import_cases_cmd(
    path: Annotated[Path, typer.Argument(help="CSV, one row per case (see the README).")],
    database_url: DatabaseUrl = None,
    source: Annotated[str, typer.Option(help="Source of rows without one.")] = "crm",
) -> None:
    """Import other departments' cases (open issues); all rows or none."""
    _import(
        path,
        orders.CASE_COLUMNS,
        gettext("Importing cases"),
        orders.import_cases,
        database_url,
        source,
    )


def _import(
    path: Path,
    columns: tuple[str, ...],
    label: str,
    importer: Callable[..., ImportReport],
    database_url: str | None,
    source: str,
) -> None:
    settings = _settings()
    rows, errors = _read(path, columns)
    factory = make_sessionmaker(make_engine(database_url or settings.resolved_database_url()))
    bar_columns = (*Progress.get_default_columns(), MofNCompleteColumn())
    with Progress(*bar_columns, console=console) as bar, unit_of_work(factory) as db:
        task = bar.add_task(label, total=len(rows))
        report = importer(
            db,
            rows,
            default_source=source,
            timezone=settings.timezone,
            read_errors=errors,
            progress=lambda n: bar.advance(task, n),
        )
    _summary(report)


@app.command("rules")
def rules_cmd(
    database_url: DatabaseUrl = None,
    top: Annotated[int, typer.Option(min=0, help="Rules to print.")] = 10,
) -> None:
    """Rebuild the cross-sell rules from all orders now (the server does it periodically)."""
    settings = _settings()
    factory = make_sessionmaker(make_engine(database_url or settings.resolved_database_url()))
    with unit_of_work(factory) as db:
        made = crosssell.do_refresh_rules(
            db,
            min_count=settings.crosssell_min_orders,
            min_confidence=settings.crosssell_min_confidence,
        )
        best = crosssell.list_rules(db, top)
        table = Table(title=gettext("Items bought together"))
        for column in ("antecedent", "consequent", "orders", "support", "confidence", "lift"):
            table.add_column(column)
        for r in best:
            table.add_row(
                r.antecedent,
                r.consequent,
                str(r.pair_count),
                f"{r.support:.3f}",
                f"{r.confidence:.3f}",
                f"{r.lift:.2f}",
            )
    if best:
        console.print(table)
    console.print(gettext("Cross-sell rules: {n}", n=made))
