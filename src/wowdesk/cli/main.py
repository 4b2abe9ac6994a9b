"""The `wowdesk` command: serve, demo, database upgrades and user accounts."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn
from rich.console import Console
from rich.progress import MofNCompleteColumn, Progress
from rich.table import Table
from sqlalchemy.orm import Session, sessionmaker
from uvicorn.config import LOGGING_CONFIG

from wowdesk import events, jobs, logformat, migrate, telemetry
from wowdesk.analytics import service as analytics
from wowdesk.bot.engine import engine_from_settings
from wowdesk.cli import analytics as report_cli
from wowdesk.cli import backup as backup_cli
from wowdesk.cli import bot as triage_cli
from wowdesk.cli import calls as calls_cli
from wowdesk.cli import customers as customers_cli
from wowdesk.cli import evaluation
from wowdesk.cli import kb as kb_cli
from wowdesk.cli import privacy as privacy_cli
from wowdesk.cli import quality as quality_cli
from wowdesk.cli import training as training_cli
from wowdesk.cli import workforce as wfm_cli
from wowdesk.cli.terminal import fail
from wowdesk.config import Settings, get_settings
from wowdesk.db import is_sqlite, make_engine, make_sessionmaker, unit_of_work
from wowdesk.demo import history
from wowdesk.demo import seed as demo
from wowdesk.errors import Invalid, WowdeskError
from wowdesk.i18n import activate, gettext
from wowdesk.operators import service as operators
from wowdesk.operators.models import Role
from wowdesk.safety import logs as pii_logs
from wowdesk.training import demo_people, kpi_source
from wowdesk.training import service as training

app = typer.Typer(help="wowdesk: an AI-first contact-center platform.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
user_app = typer.Typer(help="Staff accounts.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(kb_cli.app, name="kb")
app.add_typer(triage_cli.app, name="triage")
app.add_typer(triage_cli.bot_app, name="bot")
app.add_typer(wfm_cli.app, name="wfm")
app.add_typer(customers_cli.app, name="customers")
app.add_typer(calls_cli.app, name="calls")
app.add_typer(quality_cli.app, name="quality")
app.add_typer(training_cli.app, name="training")
kb_cli.app.command("gaps")(quality_cli.kb_gaps)
app.add_typer(privacy_cli.data_app, name="data")
app.command("backup")(backup_cli.backup)
app.command("restore")(backup_cli.restore)
customers_cli.app.command("erase")(privacy_cli.erase)
customers_cli.app.command("export")(privacy_cli.export)
app.command("report")(report_cli.report)
app.add_typer(evaluation.eval_app(), name="eval")
console = Console()


def _serve(host: str | None, port: int | None, workers: int) -> None:
    settings = get_settings()
    if workers > 1 and (not settings.redis_url or is_sqlite(settings.resolved_database_url())):
        raise fail(
            Invalid(
                "Several processes need PostgreSQL (WOWDESK_DATABASE_URL) and Redis "
                "(WOWDESK_REDIS_URL): they share the database and live events.",
                code="needs_distributed_mode",
            )
        )
    if workers > 1:
        telemetry.prepare_multiprocess(settings.var_dir / "metrics")
    json_logs = settings.log_format == "json"
    uvicorn.run(
        "wowdesk.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level="info",
        # JSON lines come from wowdesk's own handler and access line (with the request id)
        log_config=None if json_logs else LOGGING_CONFIG,
        access_log=not json_logs,
        ws_max_size=1 << 20,
        # chat frames are a few hundred bytes: compressing each costs CPU and saves nothing
        ws_per_message_deflate=False,
    )


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes (distributed mode).")] = 1,
) -> None:
    """Run the web server (chat, console, admin, API)."""
    _serve(host, port, workers)


@app.command()
def worker(
    burst: Annotated[
        bool, typer.Option(help="Run what is queued, then exit (for scripts and tests).")
    ] = False,
) -> None:
    """Run background jobs (bot turns) from Redis: distributed mode, beside `wowdesk serve`."""
    settings = get_settings()
    activate(settings.language)
    pii_logs.install()
    logformat.configure(settings.log_format)
    if not settings.redis_url:
        raise fail(
            Invalid(
                "Set WOWDESK_REDIS_URL: the worker takes its jobs from Redis.",
                code="needs_redis",
            )
        )
    factory = make_sessionmaker(make_engine(settings.resolved_database_url()))
    bus = events.RedisBus(settings.redis_url)  # what the bot writes reaches every app process
    events.attach_bus(factory.kw.setdefault("info", {}), bus)
    jobs.make_worker(settings, factory, engine_from_settings(settings), burst=burst).run()


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Create or migrate the database schema to the latest version."""
    url = get_settings().resolved_database_url()
    migrate.upgrade(url, revision)
    console.print(f"[green]Database is at {revision}[/green]: {_safe_url(url)}")


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="Login.")],
    name: Annotated[str, typer.Option("--name", help="Name shown to customers and colleagues.")],
    role: Annotated[Role, typer.Option(help="operator, supervisor or admin.")] = Role.operator,
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="Password.")
    ] = "",
) -> None:
    """Add a staff account."""
    settings = get_settings()
    activate(settings.language)
    factory = make_sessionmaker(make_engine(settings.resolved_database_url()))
    try:
        with unit_of_work(factory) as db:
            user = operators.do_create_user(
                db, username=username, display_name=name, role=role.value, password=password
            )
            console.print(f"[green]Added[/green] {user.username} ({user.role})")
    except WowdeskError as exc:
        console.print(f"[red]{gettext(exc.message, **exc.params)}[/red]")
        raise typer.Exit(2) from exc


@app.command("demo")
def demo_cmd(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    serve_after: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Start the server.")
    ] = True,
    conversations: Annotated[
        int, typer.Option(min=0, help="Closed conversations of history to generate (once).")
    ] = 3000,
    days: Annotated[int, typer.Option(min=1, max=3650, help="Days the history spans.")] = 60,
) -> None:
    """Migrate, seed Russian demo data (once), print the logins and start the server."""
    settings = get_settings()
    activate(settings.language)
    url = settings.resolved_database_url()
    migrate.upgrade(url)
    factory = make_sessionmaker(make_engine(url))
    with unit_of_work(factory) as db:
        logins = demo.seed(db, settings.max_message_chars)
        demo.seed_knowledge(db)
        demo.seed_orders(
            db,
            timezone=settings.timezone,
            min_count=settings.crosssell_min_orders,
            min_confidence=settings.crosssell_min_confidence,
        )
        demo.seed_templates(db)
        training.do_ensure_demo(db)
    _generate_history(factory, settings, conversations, days)
    with console.status(gettext("Training the topic model…")), unit_of_work(factory) as db:
        demo.ensure_topic_model(db, settings.topic_model_path())
    # mentors, a contest and the history's points (KPIs from the rollup just built)
    kpi_source.register(analytics.operator_kpis, analytics.kpi_labels())
    with unit_of_work(factory) as db:
        demo_people.do_ensure_demo_people(db)
    base = f"http://{host or settings.host}:{port or settings.port}"
    table = Table(title=gettext("Demo logins"))
    for column in (gettext("Role"), gettext("Login"), gettext("Password"), gettext("Name")):
        table.add_column(column)
    for login in logins:
        table.add_row(gettext(login.role), login.username, login.password, login.name)
    console.print(table)
    pages = (
        (gettext("Customer chat"), "/chat"),
        (gettext("Operator console"), "/console"),
        (gettext("Administration"), "/admin"),
        ("API", "/docs"),
    )
    for label, path in pages:
        console.print(f"{label}: {base}{path}")
    if serve_after:
        _serve(host, port, 1)


def _generate_history(
    factory: sessionmaker[Session], settings: Settings, conversations: int, days: int
) -> None:
    """A past for the dashboards (once per database), then the KPI rollup over it."""
    with unit_of_work(factory) as db:
        if conversations == 0 or history.exists(db):
            return
    plan = history.Plan(
        conversations=conversations,
        days=days,
        operators=history.operators_for(conversations, days),
        timezone=settings.timezone,
        public_url=settings.public_url or f"http://{settings.host}:{settings.port}",
    )
    columns = (*Progress.get_default_columns(), MofNCompleteColumn())
    with Progress(*columns, console=console) as bar, unit_of_work(factory) as db:
        task = bar.add_task(gettext("Generating history…"), total=conversations)
        made = history.generate(db, plan, lambda n: bar.advance(task, n))
    with console.status(gettext("Counting KPIs…")), unit_of_work(factory) as db:
        assert made.first_day is not None and made.last_day is not None
        analytics.do_refresh(
            db,
            made.first_day,
            made.last_day,
            sl_seconds=settings.service_level_seconds,
            timezone=settings.timezone,
        )
    console.print(
        gettext(
            "History: {conversations} conversations, {messages} messages, {days} days",
            conversations=made.conversations,
            messages=made.messages,
            days=days,
        )
    )


def _safe_url(url: str) -> str:
    """Never print a database password."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url
