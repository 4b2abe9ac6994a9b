"""Engine, sessions and the declarative base: the only place that knows SQLite from PostgreSQL.

SQLite (embedded mode) gets one pooled connection: every unit of work queues for it, which
makes SQLite's single writer explicit (no "database is locked" retries, FIFO fairness) and
makes read-modify-write sequences such as assignment atomic. PostgreSQL gets a normal pool
and relies on row locks.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Connection,
    Date,
    DateTime,
    Engine,
    Float,
    Integer,
    MetaData,
    Table,
    cast,
    create_engine,
    event,
    func,
    select,
    text,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeDecorator
from starlette.concurrency import run_in_threadpool

from wowdesk import telemetry

T = TypeVar("T")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UtcDateTime(TypeDecorator[datetime]):
    """Timestamps are stored and returned as aware UTC, on SQLite too (which drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: wowdesk stores UTC-aware timestamps only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def local_today(timezone: str) -> date:
    """The contact center's day (its time zone), which KPI days, WOW days and schedules are."""
    return datetime.now(ZoneInfo(timezone)).date()


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def make_engine(url: str) -> Engine:
    if is_sqlite(url):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=1,
            max_overflow=0,
            pool_timeout=60,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN; take it over so a unit of work
        # starts its transaction with its first statement, as on PostgreSQL.
        event.listen(engine, "begin", _begin)
        telemetry.instrument_engine(engine, 1)
        return engine
    engine = create_engine(url, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW, pool_pre_ping=True)
    telemetry.instrument_engine(engine, POOL_SIZE + POOL_OVERFLOW)
    return engine


POOL_SIZE, POOL_OVERFLOW = 20, 20
# pooled connections kept for sockets and background work, never taken by HTTP requests
RESERVED_CONNECTIONS = 8


def request_slots(factory: sessionmaker[Session]) -> int:
    """How many HTTP requests may hold a session at once: fewer than the pool has
    connections (SQLite has one, so one at a time; it has one writer anyway)."""
    bind = factory.kw.get("bind")
    if not isinstance(bind, Engine) or bind.dialect.name == "sqlite":
        return 1
    return POOL_SIZE + POOL_OVERFLOW - RESERVED_CONNECTIONS


def _sqlite_pragmas(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _begin(conn: Connection) -> None:
    """BEGIN straight on the driver's connection: through `exec_driver_sql` it went the
    whole way of a statement (context, cursor, result), 15 µs of every unit of work
    (measured: 64 -> 50 µs for a unit that only begins and commits)."""
    conn.connection.driver_connection.execute("BEGIN")  # type: ignore[union-attr]


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error (then re-raise)."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def writer_executor(factory: sessionmaker[Session]) -> ThreadPoolExecutor | None:
    """SQLite has one writer (one pooled connection): socket work then runs on one thread
    instead of dozens of pool threads queueing for that connection under the GIL.
    PostgreSQL takes concurrent writers, so it gets None (the shared thread pool)."""
    bind = factory.kw.get("bind")
    if isinstance(bind, Engine) and bind.dialect.name == "sqlite":
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="wowdesk-db")
    return None


async def to_the_end(work: Awaitable[T]) -> T:
    """Awaits thread work that a cancellation must not cut loose: the app's tasks are
    cancelled at shutdown, and a unit already running in a thread would otherwise go on
    with its transaction after the app (and its engine) are gone. The cancellation is
    passed on once the work has ended."""
    task = asyncio.ensure_future(work)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        # awaiting the task itself would cancel it too (before its thread even started,
        # as a test client's closing socket showed), and a cancel scope cancels again at
        # every await: wait it out through all of them without passing them on
        while not task.done():
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait([task])
        raise


async def in_thread(fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)` in the shared thread pool, run to its end even when cancelled."""
    return await to_the_end(run_in_threadpool(fn, *args))


def database_unavailable(exc: BaseException) -> bool:
    """A connection that failed, broke or could not be had in time, not a query that was
    wrong: the client should retry (503, or a WebSocket closed with a reconnect code)."""
    if isinstance(exc, sa_exc.TimeoutError | sa_exc.OperationalError):
        return True
    return isinstance(exc, sa_exc.DBAPIError) and bool(exc.connection_invalidated)


def value_out_of_range(exc: BaseException) -> bool:
    """A value no column can hold: SQLite cannot bind an int past 2^63 (OverflowError),
    PostgreSQL refuses it (DataError)."""
    return isinstance(exc, OverflowError | sa_exc.DataError)


# what the app maps to 503 / 422 instead of a crash (web.hardening)
DATABASE_FAULTS: tuple[type[Exception], ...] = (
    sa_exc.DBAPIError,
    sa_exc.TimeoutError,
    OverflowError,
)


async def run_unit(
    factory: sessionmaker[Session], executor: ThreadPoolExecutor | None, fn: Callable[[Session], T]
) -> T:
    """Runs `fn` in its own transaction off the event loop: on the single SQLite writer
    thread when there is one, else in the shared thread pool."""

    def run() -> T:
        with unit_of_work(factory) as db:
            return fn(db)

    if executor is None:
        return await in_thread(run)
    context = contextvars.copy_context()  # the language and the like go along
    loop = asyncio.get_running_loop()
    return await to_the_end(loop.run_in_executor(executor, functools.partial(context.run, run)))


def ping(factory: sessionmaker[Session]) -> None:
    """Raises when the database cannot answer a trivial query (readiness)."""
    with factory() as session:
        session.execute(text("SELECT 1"))


def dialect_insert(dialect: str) -> Callable[[Table], Any]:
    """The INSERT with ON CONFLICT of the dialect at hand (SQLite and PostgreSQL both have it)."""
    return pg_insert if dialect == "postgresql" else sqlite_insert


def insert_missing(db: Session, table: Table, rows: list[dict[str, Any]], key: list[str]) -> None:
    """INSERT … ON CONFLICT DO NOTHING: when several processes create the same row at once,
    one does and the others go on, with no error and no savepoint to roll back to."""
    if rows:
        insert = dialect_insert(db.get_bind().dialect.name)
        db.execute(insert(table).values(rows).on_conflict_do_nothing(index_elements=key))


def advisory_lock(db: Session, key: int) -> None:
    """One rebuild of a shared table at a time across processes (PostgreSQL's transaction
    advisory lock); SQLite has one writer anyway."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def move_sequences_past(db: Session, tables: list[Table]) -> None:
    """After rows were inserted with explicit ids, PostgreSQL's serial sequences must move past
    them (SQLite takes the next id from the table itself)."""
    if db.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        top = db.scalar(select(func.max(table.c.id)))
        db.execute(
            text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :top)"),
            {"table": table.name, "top": top},
        )


# --- portable SQL expressions over UTC timestamps ------------------------------------------


def seconds_between(dialect: str, later: Any, earlier: Any) -> ColumnElement[float]:
    if dialect == "sqlite":
        # julianday is a double of days: rounded to the millisecond it is exact again
        return func.round((func.julianday(later) - func.julianday(earlier)) * 86400.0, 3)
    return cast(func.extract("epoch", later - earlier), Float)


def local_time(dialect: str, column: Any, timezone: str) -> Any:
    """A UTC timestamp in the contact center's local time. SQLite has no zone database: it
    gets the zone's current offset (exact for zones without DST, such as Moscow)."""
    if dialect == "sqlite":
        offset = datetime.now(ZoneInfo(timezone)).utcoffset() or timedelta()
        return func.datetime(column, f"{int(offset.total_seconds() // 60):+d} minutes")
    return func.timezone(timezone, column)


def local_day(dialect: str, column: Any, timezone: str) -> ColumnElement[date]:
    """The contact center's calendar day of a UTC timestamp."""
    local = local_time(dialect, column, timezone)
    return func.date(local) if dialect == "sqlite" else cast(local, Date)


def half_hour_slot(dialect: str, column: Any, timezone: str) -> ColumnElement[int]:
    """0..47: the local half hour of the day a timestamp falls in."""
    local = local_time(dialect, column, timezone)
    if dialect == "sqlite":
        hour = cast(func.strftime("%H", local), Integer)
        minute = cast(func.strftime("%M", local), Integer)
        return hour * 2 + minute / 30
    return cast(
        func.extract("hour", local) * 2 + func.floor(func.extract("minute", local) / 30), Integer
    )
