from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from wowdesk.cli import app
from wowdesk.config import get_settings
from wowdesk.db import make_engine, make_sessionmaker
from wowdesk.operators.models import User


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WOWDESK_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("WOWDESK_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_help_everywhere() -> None:
    runner = CliRunner()
    for args in ([], ["serve"], ["demo"], ["db"], ["db", "upgrade"], ["user"], ["user", "add"]):
        result = runner.invoke(app, [*args, "--help"])
        assert result.exit_code == 0, (args, result.output)


def test_db_upgrade_user_add_and_demo(env: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert (env / "wowdesk.db").exists()
    added = runner.invoke(
        app,
        [
            "user",
            "add",
            "olga",
            "--name",
            "Ольга",
            "--role",
            "supervisor",
            "--password",
            "olga-pass-1",
        ],
    )
    assert added.exit_code == 0, added.output
    duplicate = runner.invoke(
        app, ["user", "add", "olga", "--name", "Ольга", "--password", "olga-pass-1"]
    )
    assert duplicate.exit_code == 2 and "уже занят" in duplicate.output
    short = runner.invoke(app, ["user", "add", "ivan", "--name", "Иван", "--password", "123"])
    assert short.exit_code == 2
    first = runner.invoke(app, ["demo", "--no-serve"])
    assert first.exit_code == 0, first.output
    assert "anna" in first.output and "/console" in first.output
    assert runner.invoke(app, ["demo", "--no-serve"]).exit_code == 0
    factory = make_sessionmaker(make_engine(f"sqlite:///{env / 'wowdesk.db'}"))
    with factory() as db:
        # the demo seeds its own accounts once, next to the ones that were there
        assert db.scalar(select(func.count()).select_from(User)) == 5
