"""`wowdesk data retention`, `wowdesk customers export|erase` on a real SQLite database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from tests.helpers import new_conversation
from wowdesk import migrate
from wowdesk.cli.main import app
from wowdesk.config import get_settings
from wowdesk.conversations.models import Message
from wowdesk.customers import personal_data
from wowdesk.db import make_engine, make_sessionmaker, utcnow

PHONE = "+79161234567"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("WOWDESK_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("WOWDESK_DATABASE_URL", raising=False)
    monkeypatch.setenv("WOWDESK_LANGUAGE", "en")
    get_settings.cache_clear()
    migrate.upgrade(f"sqlite:///{tmp_path / 'wowdesk.db'}")
    yield tmp_path
    get_settings.cache_clear()


def test_retention_export_and_erase_from_the_command_line(env: Path) -> None:
    factory = make_sessionmaker(make_engine(f"sqlite:///{env / 'wowdesk.db'}"))
    with factory() as db:
        old = new_conversation(db, f"Мой телефон {PHONE}", name="Мария", identity="cli-old")
        db.execute(
            update(Message)
            .where(Message.conversation_id == old.id)
            .values(created_at=utcnow() - timedelta(days=365))
        )
        db.commit()
        customer_id = old.customer_id
    runner = CliRunner()
    dry = runner.invoke(app, ["data", "retention", "--dry-run", "--json"])
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.output)["raw_text_messages"] == 1
    exported = runner.invoke(app, ["customers", "export", str(customer_id)])
    assert exported.exit_code == 0, exported.output
    data = json.loads(exported.output)
    assert data["customer"]["display_name"] == "Мария"
    assert PHONE in data["conversations"][0]["messages"][0]["text"], "the dry run changed nothing"
    done = runner.invoke(app, ["data", "retention", "--json"])
    assert json.loads(done.output)["raw_text_messages"] == 1
    refused = runner.invoke(
        app, ["customers", "erase", str(customer_id), "--reference", "", "--yes"]
    )
    assert refused.exit_code == 2
    erased = runner.invoke(
        app, ["customers", "erase", str(customer_id), "--reference", "Заявление 9", "--yes"]
    )
    assert erased.exit_code == 0, erased.output
    unknown = runner.invoke(app, ["customers", "export", "999999"])
    assert unknown.exit_code == 2
    with factory() as db:
        audit = personal_data.list_access(db, customer_id=customer_id)
        assert [(a.action, a.place, a.reference) for a in audit] == [
            ("erasure", "cli", "Заявление 9"),
            ("export", "cli", ""),
        ]
        assert all(a.username.startswith("cli:") for a in audit)
