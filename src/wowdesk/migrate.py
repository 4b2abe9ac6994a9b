"""Schema upgrades through Alembic, for the CLI, the demo and the tests alike."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), revision)


def pending(factory: sessionmaker[Session]) -> str | None:
    """None when the database is at the newest revision; else what it is at (readiness:
    a process must not serve an old schema, nor a newer one it does not know)."""
    heads = set(ScriptDirectory(str(MIGRATIONS)).get_heads())
    with factory() as session:
        # read directly: alembic's MigrationContext logs two lines per call, and load
        # balancers call this every few seconds
        if not inspect(session.connection()).has_table("alembic_version"):
            current: set[str] = set()
        else:
            current = set(session.scalars(text("SELECT version_num FROM alembic_version")))
    if current == heads:
        return None
    return f"database at {sorted(current) or 'nothing'}, code expects {sorted(heads)}"
