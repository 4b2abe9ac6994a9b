"""The simulated customer played by a language model: the real OpenAI-compatible client
against a local fake server. The model words the customer's lines from masked facts; the
script still decides the dialogue's course and speaks when the model fails or misbehaves."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.bot.fake_llm import FakeLLM
from tests.helpers import add_user, login, make_user
from wowdesk.app import create_app
from wowdesk.bot.llm import LLMConfig
from wowdesk.config import Settings
from wowdesk.training import service
from wowdesk.training.demo_scenarios import ANGRY


@pytest.fixture
def fake() -> Iterator[FakeLLM]:
    with FakeLLM() as server:
        yield server


def _attempt(db: Session) -> tuple[object, int]:
    user = make_user(db)
    sc = service.do_save_scenario(db, None, {**ANGRY, "article_slug": ""})
    return user, service.do_start(db, user, sc.id).id


def test_the_model_words_the_customer_within_the_script(db: Session, fake: FakeLLM) -> None:
    fake.script(["Ну ладно. Объявление моё заблокировали, а деньги за продвижение где?"])
    config = LLMConfig(url=fake.url, model="fake", timeout_seconds=5)
    user, attempt_id = _attempt(db)
    first = ANGRY["ideal_path"][0] + " Перезвоню вам на +7 916 123-45-67."
    answer = service.do_reply(db, user, attempt_id, first, config)  # type: ignore[arg-type]
    assert answer == "Ну ладно. Объявление моё заблокировали, а деньги за продвижение где?"
    prompt = fake.requests[0]["messages"][1]["content"]
    assert "[PHONE]" in prompt and "916" not in prompt  # masked data only
    assert "<next_line>" in prompt and "раздражённый" in prompt
    scripted_user, scripted_id = _attempt_again(db)
    service.do_reply(db, scripted_user, scripted_id, first)  # type: ignore[arg-type]
    with_model = service.access_attempt(db, user, attempt_id)  # type: ignore[arg-type]
    offline = service.access_attempt(db, scripted_user, scripted_id)  # type: ignore[arg-type]
    assert (with_model.beat, with_model.moves) == (offline.beat, offline.moves)
    assert with_model.transcript[-1]["text"] == answer


def _attempt_again(db: Session) -> tuple[object, int]:
    user = make_user(db)
    sc = service.get_scenario(db, ANGRY["slug"])
    return user, service.do_start(db, user, sc.id).id


def test_the_script_speaks_when_the_model_fails_or_misbehaves(db: Session, fake: FakeLLM) -> None:
    config = LLMConfig(url=fake.url, model="fake", timeout_seconds=5)
    user, attempt_id = _attempt(db)
    offline_user, offline_id = _attempt_again(db)
    expected = service.do_reply(db, offline_user, offline_id, "Здравствуйте")  # type: ignore[arg-type]
    fake.script(["Вот моя карта 4276 3800 1234 5678, верните деньги"])  # personal data
    assert service.do_reply(db, user, attempt_id, "Здравствуйте", config) == expected  # type: ignore[arg-type]
    fake.status = 500
    second = service.do_reply(db, user, attempt_id, "Здравствуйте", config)  # type: ignore[arg-type]
    assert second == service.do_reply(db, offline_user, offline_id, "Здравствуйте")  # type: ignore[arg-type]
    calls = len(fake.requests)
    ended = service.do_reply(db, user, attempt_id, "Продиктуйте код из СМС", config)  # type: ignore[arg-type]
    assert ended == ANGRY["on_secret"] and len(fake.requests) == calls  # no model for that


def test_the_api_uses_the_configured_model(
    settings: Settings, factory: sessionmaker[Session], fake: FakeLLM
) -> None:
    fake.script(["Да сколько можно ждать?! Объявление заблокировали, деньги списали!"])
    app = create_app(
        settings.model_copy(update={"llm_url": fake.url, "llm_model": "fake"}), factory
    )
    with TestClient(app) as client:
        with factory() as db:
            service.do_save_scenario(db, None, {**ANGRY, "article_slug": ""})
            db.commit()
        h = {"x-csrf-token": login(client, add_user(client))}
        scenario = client.get("/api/v1/training/scenarios", headers=h).json()[0]
        attempt = client.post(
            "/api/v1/training/attempts", json={"scenario_id": scenario["id"]}, headers=h
        )
        r = client.post(
            f"/api/v1/training/attempts/{attempt.json()['id']}/replies",
            json={"text": "Здравствуйте"}, headers=h,
        )  # fmt: skip
        assert r.json()["customer"].startswith("Да сколько можно ждать")
        assert fake.requests[0]["model"] == "fake"
