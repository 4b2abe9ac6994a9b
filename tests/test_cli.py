from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from wowdesk.analytics.models import KpiDay
from wowdesk.cli.main import app
from wowdesk.config import get_settings
from wowdesk.conversations.models import Conversation
from wowdesk.db import make_engine, make_sessionmaker
from wowdesk.demo import history
from wowdesk.kb import service as kb
from wowdesk.kb import verdicts
from wowdesk.kb.knowledge import Knowledge
from wowdesk.kb.retrieval import Index
from wowdesk.nlp.vector_store import VectorStore
from wowdesk.operators.models import User
from wowdesk.workforce import erlang


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WOWDESK_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("WOWDESK_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_help_everywhere() -> None:
    runner = CliRunner()
    commands = (
        [], ["serve"], ["demo"], ["db"], ["db", "upgrade"], ["user"], ["user", "add"], ["kb"],
        ["kb", "import"], ["kb", "learn"], ["triage"], ["triage", "train"], ["eval"],
        ["eval", "triage"], ["eval", "retrieval"], ["wfm"], ["wfm", "staffing"], ["data"],
        ["data", "retention"], ["customers", "erase"], ["customers", "export"], ["backup"],
        ["restore"],
    )  # fmt: skip
    for args in commands:
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
    factory = make_sessionmaker(make_engine(f"sqlite:///{env / 'wowdesk.db'}"))

    def counts() -> tuple[int, int, int]:
        with factory() as db:
            return (
                db.scalar(select(func.count()).select_from(User)) or 0,
                db.scalar(select(func.count()).select_from(Conversation)) or 0,
                db.scalar(select(func.count()).select_from(KpiDay)) or 0,
            )

    users, convs, rollup = counts()
    # the demo's accounts plus the history's operators (a team sized to 3000 conversations
    # in 60 days: 5 in all), next to olga
    assert users == 1 + 2 + history.operators_for(3000, 60) == 1 + 2 + 5
    assert convs >= 3000 and rollup > 0  # 60 days of history, already rolled up
    assert runner.invoke(app, ["demo", "--no-serve"]).exit_code == 0
    assert counts() == (users, convs, rollup)  # seeded once


def test_demo_has_a_knowledge_base_and_a_topic_model(env: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["demo", "--no-serve"]).exit_code == 0
    assert (env / "topic_model.joblib").exists()
    factory = make_sessionmaker(make_engine(f"sqlite:///{env / 'wowdesk.db'}"))
    with factory() as db:
        assert len(kb.list_articles(db, status="published")) >= 40


def test_kb_import_reports_bad_rows_and_reimports_without_duplicates(
    env: Path, tmp_path: Path
) -> None:
    runner = CliRunner()
    runner.invoke(app, ["db", "upgrade"])
    path = tmp_path / "faq.csv"
    path.write_text("question,answer\nЧто такое кошелёк?,Баланс в профиле.\n,без вопроса\n")
    first = runner.invoke(app, ["kb", "import", str(path)])
    assert first.exit_code == 0, first.output
    assert "Создано 1" in first.output and "faq.csv:3" in first.output
    again = runner.invoke(app, ["kb", "import", str(path)])
    assert "Создано 0" in again.output and "без изменений 1" in again.output
    missing = runner.invoke(app, ["kb", "import", str(tmp_path / "nothing.csv")])
    assert missing.exit_code == 2


def two_articles(folder: Path) -> Path:
    path = folder / "faq.csv"
    path.write_text(
        "question,answer\n"
        "Сколько хранится заказ?,Заказ хранится в пункте выдачи 7 дней.\n"
        "Как сменить пароль?,Пароль меняют в настройках безопасности.\n"
    )
    return path


def test_kb_import_encodes_the_articles_for_the_servers_search(env: Path, tmp_path: Path) -> None:
    """The servers' first search after an import reads every passage's vector from the
    store the import filled: none is encoded while a customer waits."""
    runner = CliRunner()
    runner.invoke(app, ["db", "upgrade"])
    path = two_articles(tmp_path)
    result = runner.invoke(app, ["kb", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "Подготовка поиска" in result.output

    class NoEncoding:
        dim = 512

        def encode(self, texts: list[str]) -> np.ndarray:
            raise AssertionError(f"encoded at search time: {texts}")

    settings = get_settings()
    store = VectorStore(settings.var_dir / "cache" / "vectors.sqlite", NoEncoding(), "usem3")
    knowledge = Knowledge(Index(NoEncoding(), store))
    factory = make_sessionmaker(make_engine(settings.resolved_database_url()))
    with factory() as db:
        assert knowledge.refresh(db) == 2
    assert len(knowledge.index) == 2


def test_kb_learn_refits_on_the_verdicts_or_says_how_many_are_missing(
    env: Path, tmp_path: Path
) -> None:
    runner = CliRunner()
    runner.invoke(app, ["db", "upgrade"])
    path = two_articles(tmp_path)
    assert runner.invoke(app, ["kb", "import", str(path)]).exit_code == 0
    too_few = runner.invoke(app, ["kb", "learn"])
    assert too_few.exit_code == 2 and "нужно 30" in too_few.output
    factory = make_sessionmaker(make_engine(get_settings().resolved_database_url()))
    with factory() as db:
        ids = {a.title: a.id for a in kb.list_articles(db)}
        for n in range(15):
            verdicts.do_record_verdict(
                db, None, f"сколько дней лежит заказ {n}", ids["Сколько хранится заказ?"]
            )
            verdicts.do_record_verdict(db, None, f"забыл пароль {n}", ids["Как сменить пароль?"])
        db.commit()
    learned = runner.invoke(app, ["kb", "learn"])
    assert learned.exit_code == 0, learned.output
    assert "Обучено на 30 отметках" in learned.output
    with factory() as db:
        fit = verdicts.latest_fit(db)
        assert fit is not None and fit.named == 30


def test_eval_retrieval_prints_the_agreed_json(tmp_path: Path) -> None:
    kb_csv = tmp_path / "kb.csv"
    kb_csv.write_text(
        "id,question,answer\n"
        "a1,Сколько хранится заказ,Заказ хранится в пункте выдачи 7 дней.\n"
        "a2,Как сменить пароль,Пароль меняют в настройках безопасности.\n",
        encoding="utf-8",
    )
    queries = tmp_path / "q.csv"
    queries.write_text("query,id\nсколько дней лежит посылка,a1\nпоменять пароль,a2\n")
    out = CliRunner().invoke(
        app, ["eval", "retrieval", "--kb", str(kb_csv), "--queries", str(queries), "--json"]
    )
    assert out.exit_code == 0, out.output
    result = json.loads(out.stdout)
    assert {"hit_at_1", "hit_at_5", "mrr", "p50_ms", "p99_ms"} <= set(result)
    assert result["hit_at_5"] == 1.0
    queries.write_text("query,id\nчто-то,zz\n")
    bad = CliRunner().invoke(
        app, ["eval", "retrieval", "--kb", str(kb_csv), "--queries", str(queries)]
    )
    assert bad.exit_code == 2


def test_triage_train_saves_a_model(env: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    runner.invoke(app, ["db", "upgrade"])
    data = tmp_path / "t.csv"
    rows = ["text,label"] + [f"где мой заказ {i},доставка" for i in range(5)]
    rows += [f"не проходит оплата {i},оплата" for i in range(5)]
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = runner.invoke(app, ["triage", "train", "--data", str(data)])
    assert out.exit_code == 0, out.output
    assert (env / "topic_model.joblib").exists()
    assert (
        runner.invoke(app, ["triage", "train", "--data", str(tmp_path / "no.csv")]).exit_code == 2
    )


def test_wfm_staffing_prints_the_agreed_json() -> None:
    args = ["wfm", "staffing", "--volume", "100", "--aht", "180", "--sl", "0.8"]
    args += ["--target-seconds", "20", "--interval-minutes", "30", "--shrinkage", "0.3", "--json"]
    out = CliRunner().invoke(app, args)
    assert out.exit_code == 0, out.output
    result = json.loads(out.stdout)
    assert {"agents", "service_level", "asa_seconds", "occupancy"} <= set(result)
    # 10 Erlangs need 14 on the phones for 80 % in 20 s; 30 % shrinkage books 20
    assert (result["agents_on_phones"], result["agents"]) == (14, 20)
    assert 0.8 <= result["service_level"] < 1 and 0 < result["occupancy"] < 1
    assert result["asa_seconds"] > 0


def test_wfm_staffing_is_exact_where_the_load_has_a_large_fraction() -> None:
    """10.5 Erlangs, 80 % in 300 s: 11 agents already meet it (the common search from
    round(A) + 1 = 12 never tries 11)."""
    args = ["wfm", "staffing", "--volume", "315", "--aht", "60"]  # 10.5 Erlangs in 30 min
    args += ["--sl", "0.8", "--target-seconds", "300", "--json"]
    result = json.loads(CliRunner().invoke(app, args).stdout)
    assert result["agents"] == 11 and result["service_level"] >= 0.8

    assert erlang.service_level(10, 10.5, 60, 300) == 0  # 10 agents cannot keep up
    assert erlang.service_level(11, 10.5, 60, 300) >= 0.8


def test_wfm_staffing_refuses_bad_input() -> None:
    out = CliRunner().invoke(app, ["wfm", "staffing", "--volume", "-5", "--aht", "180"])
    assert out.exit_code == 2
    assert "volume" in out.output


def test_report_recounts_and_prints_csv_json_and_xlsx(env: Path, tmp_path: Path) -> None:
    from tests.analytics.history import build
    from wowdesk.analytics import export
    from wowdesk.http import tables

    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    factory = make_sessionmaker(make_engine(get_settings().resolved_database_url()))
    with factory() as db:
        build(db)
        db.commit()
    period = ["--period", "2026-11-10..2026-11-14"]
    out = runner.invoke(app, ["report", *period, "--format", "json", "--group", "day"])
    assert out.exit_code == 0, out.output
    days = json.loads(out.stdout)["rows"]
    assert [(d["group"], d["contacts"]) for d in days] == [
        ("2026-11-10", 5),
        ("2026-11-11", 1),
        ("2026-11-13", 1),
    ]
    csv_out = runner.invoke(app, ["report", "--period", "2026-11-10", "--format", "csv"])
    assert csv_out.stdout.splitlines()[0] == ",".join(export.header())
    book = tmp_path / "kpi.xlsx"
    assert runner.invoke(app, ["report", *period, "--format", "xlsx"]).exit_code == 2
    ok = runner.invoke(
        app, ["report", "--period", "2026-11", "--format", "xlsx", "--output", str(book)]
    )
    assert ok.exit_code == 0, ok.output
    assert tables.read_xlsx(book.read_bytes())[0] == export.header()
    assert runner.invoke(app, ["report", "--period", "November"]).exit_code == 2
