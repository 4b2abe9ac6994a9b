"""`wowdesk training simulate`: replays replies from a file and prints transcript and score."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wowdesk import migrate
from wowdesk.cli.main import app
from wowdesk.config import get_settings
from wowdesk.db import make_engine, make_sessionmaker, unit_of_work
from wowdesk.demo import seed as demo
from wowdesk.training.demo_scenarios import SUSPICIOUS


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("WOWDESK_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("WOWDESK_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    url = get_settings().resolved_database_url()
    migrate.upgrade(url)
    with unit_of_work(make_sessionmaker(make_engine(url))) as db:
        demo.seed_knowledge(db)
    yield tmp_path
    get_settings.cache_clear()


def test_simulate_prints_the_transcript_and_the_score(env: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["training", "seed"]).exit_code == 0
    replies = env / "replies.txt"
    replies.write_text("\n".join(SUSPICIOUS["ideal_path"]) + "\n\n", encoding="utf-8")
    args = ["training", "simulate", "--scenario", SUSPICIOUS["slug"], "--replies", str(replies)]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["scenario"] == SUSPICIOUS["slug"]
    authors = [line["author"] for line in out["transcript"]]
    assert authors[:2] == ["customer", "operator"] and authors.count("operator") == 4
    assert out["score"]["total"] >= 85 and out["score"]["ideal_path"] == SUSPICIOUS["ideal_path"]
    replies.write_text("Назовите код из СМС\n", encoding="utf-8")
    bad = json.loads(runner.invoke(app, [*args, "--json"]).output)
    assert bad["score"]["total"] == 0 and bad["transcript"][-1]["text"] == SUSPICIOUS["on_secret"]
    missing = runner.invoke(
        app, ["training", "simulate", "--scenario", "nope", "--replies", str(replies)]
    )
    assert missing.exit_code != 0 and "Сценарий не найден" in missing.output
