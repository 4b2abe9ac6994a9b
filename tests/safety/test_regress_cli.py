"""`wowdesk bot regress`: the report as JSON for scripts, exit code 1 while a case fails."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.safety.conftest import ARTICLES, STORAGE
from wowdesk import migrate
from wowdesk.cli.main import app
from wowdesk.config import get_settings
from wowdesk.db import make_engine, make_sessionmaker, unit_of_work
from wowdesk.kb import service as kb
from wowdesk.kb.models import ArticleStatus
from wowdesk.quality import regression


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WOWDESK_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("WOWDESK_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_regress_json_and_exit_code(env: Path, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere.db"
    url = f"sqlite:///{other}"
    migrate.upgrade(url)
    factory = make_sessionmaker(make_engine(url))
    with unit_of_work(factory) as db:
        ids = [
            kb.do_create_article(db, title=t, body=b, author=None, publish=True).id
            for t, b in ARTICLES
        ]
        db.flush()
        regression.do_add_case(
            db,
            question="сколько дней хранится заказ в пункте выдачи?",
            bad_answer="Заказ хранится в пункте выдачи 7 дней со дня поступления.",
            article_id=ids[0],
        )
        regression.do_add_case(db, question="какая погода завтра в Париже")
    runner = CliRunner()
    result = runner.invoke(app, ["bot", "regress", "--json", "--database-url", url])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert set(report) == {"cases", "passed", "failed", "results"}
    assert (report["cases"], report["passed"], report["failed"]) == (2, 1, 1)
    first, second = report["results"]
    assert set(first) == {"id", "question", "status", "reasons", "answer", "action", "article_id"}
    assert first["status"] == "fail" and first["action"] == "answer"
    assert first["article_id"] == ids[0] and first["reasons"] and first["answer"]
    assert second == {
        "id": second["id"],
        "question": "какая погода завтра в Париже",
        "status": "pass",
        "reasons": [],
        "answer": None,
        "action": "handoff",
        "article_id": None,
    }
    table = runner.invoke(app, ["bot", "regress", "--database-url", url])
    assert table.exit_code == 1 and "fail" in table.output

    with unit_of_work(factory) as db:
        article = kb.get_article(db, ids[0])
        assert article.title == STORAGE
        kb.do_set_status(db, article, ArticleStatus.draft, None)
    fixed = runner.invoke(app, ["bot", "regress", "--json", "--database-url", url])
    assert fixed.exit_code == 0, fixed.output
    assert json.loads(fixed.stdout)["failed"] == 0
    # without --database-url it reads WOWDESK_* settings: an empty database has no cases
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    empty = runner.invoke(app, ["bot", "regress", "--json"])
    assert empty.exit_code == 0 and json.loads(empty.stdout)["cases"] == 0
