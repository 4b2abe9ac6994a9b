"""Fixtures: every database test runs on SQLite and, when WOWDESK_TEST_DATABASE_URL is set,
on PostgreSQL too. Service tests get a session inside a transaction that is rolled back;
API tests get a real app on a fresh database (copied from a migrated template on SQLite,
truncated after the test on PostgreSQL)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from tests.helpers import WEB_IDENTITY_KEY
from wowdesk import migrate
from wowdesk.app import create_app
from wowdesk.config import Settings
from wowdesk.db import make_engine, make_sessionmaker
from wowdesk.i18n import activate
from wowdesk.migrations.metadata import metadata

PG_URL = os.environ.get("WOWDESK_TEST_DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


@pytest.fixture(autouse=True)
def _russian() -> None:
    activate("ru")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


def _worker_database(url: str) -> str:
    """Under pytest-xdist each worker truncates its own database, not the others' (one
    database per worker, made on first use)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker:
        return url
    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}) is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_ready() -> str:
    """The PostgreSQL test database is reset once per session, then migrated by Alembic."""
    url = _worker_database(PG_URL)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    migrate.upgrade(url)
    return url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "wowdesk.db"
        shutil.copy(template, path)
        yield f"sqlite:///{path}"
        return
    url: str = request.getfixturevalue("pg_ready")
    yield url
    engine = make_engine(url)
    tables = ", ".join(t.name for t in metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session whose commits are savepoints inside one transaction that is rolled back."""
    conn = engine.connect()
    outer = conn.begin()
    session = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    yield session
    session.close()
    outer.rollback()
    conn.close()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """The bot is off unless a test turns it on: most tests are about people talking."""
    return Settings(
        var_dir=tmp_path,
        database_url=database_url,
        secret_key="test-secret",
        bot_enabled=False,
        routing_enabled=False,
        identity_keys={"web": WEB_IDENTITY_KEY, "telegram": "test-telegram-key"},
    )


@pytest.fixture
def client(settings: Settings, factory: sessionmaker[Session]) -> Iterator[TestClient]:
    app = create_app(settings, factory)
    with TestClient(app) as test_client:
        yield test_client
