"""A bot that never leaves a customer waiting (issue 16, item 12): a turn that could not
start in time hands the conversation to a person, the app processes hand off what the
workers have not reached, a burst in one conversation is answered once, and a worker runs
several turns at once."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.orm import Session

from tests.bot.test_service import ARTICLES, bot  # noqa: F401  (the fixture)
from wowdesk import jobs
from wowdesk.bot import service
from wowdesk.bot.engine import BotEngine
from wowdesk.config import Settings
from wowdesk.conversations import service as conversations
from wowdesk.conversations.models import Message, Status
from wowdesk.db import utcnow
from wowdesk.nlp import ner, secret_model

QUESTION = "сколько дней посылка лежит в пункте выдачи?"


def _open(db: Session, text: str = QUESTION) -> tuple[int, int]:
    conv, _token, msg = conversations.do_start(
        db,
        identity=uuid.uuid4().hex,
        channel="web",
        client_id=uuid.uuid4().hex,
        text=text,
        limit=4000,
        first_line=True,
        secret="test-secret",
    )
    return conv.id, msg.id


def _age(db: Session, message_id: int, seconds: float) -> None:
    db.execute(
        update(Message)
        .where(Message.id == message_id)
        .values(created_at=utcnow() - timedelta(seconds=seconds))
    )
    db.expire_all()


def _authors(db: Session, conv_id: int) -> list[str]:
    conv = conversations.get_conversation(db, conv_id)
    return [m.author_kind for m in conversations.list_messages(db, conv)]


def test_a_turn_that_starts_too_late_hands_off(db: Session, bot: BotEngine) -> None:  # noqa: F811
    conv_id, msg_id = _open(db)
    _age(db, msg_id, 30)
    decision = service.handle_message(db, bot, conv_id, msg_id, timedelta(seconds=10))
    assert decision is not None and decision.action == "handoff"
    assert decision.reasons == [service.LATE]
    assert conversations.get_conversation(db, conv_id).status == Status.queued
    assert _authors(db, conv_id) == ["customer", "system"]  # the usual notice, no answer
    # in time, the same question is answered
    fresh_id, fresh_msg = _open(db)
    answered = service.handle_message(db, bot, fresh_id, fresh_msg, timedelta(seconds=10))
    assert answered is not None and answered.action == "answer"


def test_the_app_hands_off_what_no_worker_reached(db: Session) -> None:
    late_conv, late_msg = _open(db)
    fresh_conv, _fresh_msg = _open(db)
    _age(db, late_msg, 15)
    assert service.do_hand_off_overdue(db, timedelta(seconds=10)) == 1
    assert conversations.get_conversation(db, late_conv).status == Status.queued
    assert conversations.get_conversation(db, fresh_conv).status == Status.bot
    assert service.do_hand_off_overdue(db, timedelta(seconds=10)) == 0  # once


def test_a_burst_is_answered_once(db: Session, bot: BotEngine) -> None:  # noqa: F811
    conv_id, first = _open(db, "здравствуйте")
    conv = conversations.get_conversation(db, conv_id)
    second, _ = conversations.do_customer_message(
        db, conv, client_id="c-2", text="подскажите", limit=4000
    )
    third, _ = conversations.do_customer_message(
        db, conv, client_id="c-3", text=QUESTION, limit=4000
    )
    for message_id in (first, second.id, third.id):
        service.handle_message(db, bot, conv_id, message_id)
    assert _authors(db, conv_id).count("bot") == 1
    assert [d.message_id for d in service.list_decisions(db, conv_id)] == [third.id]


def test_a_worker_runs_several_turns_at_once(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path, redis_url="redis://127.0.0.1:1/0", bot_worker_turns=6)
    worker = jobs.make_worker(settings, None, None, burst=True)  # type: ignore[arg-type]
    assert worker.max_jobs == 6
    assert Settings(var_dir=tmp_path).bot_worker_turns > 1
    assert Settings(var_dir=tmp_path).bot_turn_start_seconds == 10


def test_a_worker_loads_what_a_turn_needs_before_its_first_customer(
    db: Session,
    bot: BotEngine,  # noqa: F811
) -> None:
    """A burst at a fresh worker waited behind the first turn's lazy loading and was handed
    off as late; the worker's start-up runs each model once instead."""
    ner.models.cache_clear()
    secret_model.default_model.cache_clear()
    assert len(bot.knowledge.index) == 0
    bot.warm_up(db)
    assert len(bot.knowledge.index) == len(ARTICLES)  # built over the published articles
    assert ner.models.cache_info().currsize == 1
    assert secret_model.default_model.cache_info().currsize == 1
