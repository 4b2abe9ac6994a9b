"""Raw message text by permission (audited) and the PII-masked copy everywhere else: staff
views, live events, handoff cards, log records, LLM prompts and exports."""

from __future__ import annotations

import io
import logging
import uuid
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.bot.fake_llm import FakeLLM
from tests.conversations.test_sockets import hello, until
from tests.helpers import add_user, assert_json_error, login, make_user, new_conversation, start
from wowdesk.analytics import export
from wowdesk.analytics import service as analytics
from wowdesk.bot import service as bot
from wowdesk.bot.engine import BotEngine
from wowdesk.bot.llm import LLMConfig
from wowdesk.bot.models import HandoffCard
from wowdesk.conversations import service as conversations
from wowdesk.db import local_today, utcnow
from wowdesk.errors import Forbidden
from wowdesk.http import tables
from wowdesk.kb import service as kb
from wowdesk.kb.knowledge import Knowledge
from wowdesk.nlp import pii_en
from wowdesk.safety import logs
from wowdesk.safety import service as rawtext

# a card number would never be stored (the secrets guard hides it): a passport is PII that is
PASSPORT = "4510 123456"
PHONE = "+7 916 123-45-67"
EMAIL = "maria.ivanova@example.ru"
SECRET_TEXT = f"Мой паспорт {PASSPORT}, телефон {PHONE}, почта {EMAIL}. Где заказ?"


def _leaks(text: str) -> bool:
    return any(s in text for s in (PASSPORT, PHONE, EMAIL, "916 123", "123456"))


def _texts(client: TestClient, conv_id: int) -> list[dict[str, object]]:
    got = client.get(f"/api/v1/conversations/{conv_id}")
    assert got.status_code == 200, got.text
    messages: list[dict[str, object]] = got.json()["messages"]
    return messages


def test_only_the_serving_operator_sees_raw_text_in_the_staff_api(client: TestClient) -> None:
    conv_id, _token = start(client, SECRET_TEXT)
    anna, boris, boss = add_user(client), add_user(client), add_user(client, "supervisor")

    csrf = login(client, anna)
    queued = _texts(client, conv_id)[0]  # browsing the queue: masked
    assert queued["masked"] is True and not _leaks(str(queued["text"]))
    assert "[PASSPORT]" in str(queued["text"]) and "[PHONE]" in str(queued["text"])
    taken = client.post(f"/api/v1/conversations/{conv_id}/assign", headers={"X-CSRF-Token": csrf})
    assert taken.status_code == 200
    served = _texts(client, conv_id)[0]
    assert served["text"] == SECRET_TEXT and served["masked"] is False
    paged = client.get(f"/api/v1/conversations/{conv_id}/messages").json()
    assert paged[0]["text"] == SECRET_TEXT

    for other in (boris, boss):  # a colleague and a supervisor watching: masked
        login(client, other)
        seen = _texts(client, conv_id)[0]
        assert seen["masked"] is True and not _leaks(str(seen["text"]))
        assert not _leaks(str(client.get(f"/api/v1/conversations/{conv_id}/messages").json()))
        assert not _leaks(str(client.get("/api/v1/conversations?view=all").json()))


def test_raw_text_needs_the_role_and_every_view_is_audited(client: TestClient) -> None:
    conv_id, _token = start(client, SECRET_TEXT)
    operator, boss = add_user(client), add_user(client, "supervisor")
    login(client, operator)
    message_id = _texts(client, conv_id)[0]["id"]
    assert client.get("/api/v1/safety/raw-text/access").json() == {"allowed": False}
    refused = client.get(f"/api/v1/safety/messages/{message_id}/raw?place=console")
    error = assert_json_error(refused, 403, "raw_text_forbidden")
    assert not _leaks(str(error))
    assert_json_error(client.get("/api/v1/safety/raw-text/views"), 403, "role")

    login(client, boss)
    assert client.get("/api/v1/safety/raw-text/access").json() == {"allowed": True}
    assert client.get("/api/v1/safety/raw-text/views").json() == []  # the refusal showed nothing
    got = client.get(
        f"/api/v1/safety/messages/{message_id}/raw",
        params={"place": "console", "reason": "жалоба клиента"},
    )
    assert got.status_code == 200, got.text
    assert got.json()["text"] == SECRET_TEXT and got.json()["conversation_id"] == conv_id
    assert not _leaks(got.json()["masked_text"])
    views = client.get("/api/v1/safety/raw-text/views").json()
    assert len(views) == 1
    assert views[0]["username"] == boss and views[0]["role"] == "supervisor"
    assert views[0]["message_id"] == message_id and views[0]["conversation_id"] == conv_id
    assert views[0]["place"] == "console" and views[0]["reason"] == "жалоба клиента"
    assert_json_error(client.get("/api/v1/safety/messages/999999/raw"), 404)
    assert_json_error(client.get(f"/api/v1/safety/messages/{message_id}/raw?place=BAD!"), 422)


def test_the_roles_come_from_the_setting(db: Session) -> None:
    conv = new_conversation(db, SECRET_TEXT)
    msg = conversations.list_messages(db, conv)[0]
    boss, admin = make_user(db, "supervisor"), make_user(db, "admin")
    only_admins = frozenset({"admin"})
    with pytest.raises(Forbidden):
        rawtext.do_view_raw_text(db, boss, msg.id, roles=only_admins)
    assert rawtext.do_view_raw_text(db, admin, msg.id, roles=only_admins).text == SECRET_TEXT
    assert [v.username for v in rawtext.list_views(db, conversation_id=conv.id)] == [admin.username]


def test_live_events_carry_raw_text_only_to_the_customer_and_the_serving_operator(
    client: TestClient,
) -> None:
    conv_id, token = start(client)
    anna, boss = add_user(client), add_user(client, "supervisor")
    csrf = login(client, anna)
    client.post(f"/api/v1/conversations/{conv_id}/assign", headers={"X-CSRF-Token": csrf})
    with client.websocket_connect("/ws/console") as serving:
        assert serving.receive_json()["type"] == "ready"
        login(client, boss)
        with client.websocket_connect("/ws/console") as watching:
            assert watching.receive_json()["type"] == "ready"
            watching.send_json({"type": "watch", "conversation_id": conv_id})
            until(watching, "watching")
            with client.websocket_connect("/ws/chat") as customer:
                hello(customer, conv_id, token)
                customer.send_json({"type": "send", "client_id": "pii-1", "text": SECRET_TEXT})
                mine = [until(customer, "message")["message"] for _ in range(3)]
                assert mine[-1]["text"] == SECRET_TEXT
            theirs = until(watching, "message")
            assert not _leaks(str(theirs)) and theirs["message"]["masked"] is True
            assert "raw_text" not in theirs and "served_by" not in theirs
        got = until(serving, "message")
        assert got["message"]["text"] == SECRET_TEXT and "raw_text" not in got


def test_the_handoff_card_is_masked_for_everyone_but_the_serving_operator(db: Session) -> None:
    conv = new_conversation(db, SECRET_TEXT)
    db.add(
        HandoffCard(
            conversation_id=conv.id,
            summary=SECRET_TEXT,
            facts=[{"kind": "phone", "value": PHONE}, {"kind": "order", "value": "88812345"}],
            bot_answers=[],
            reasons=["клиент просит человека"],
            created_at=utcnow(),
        )
    )
    db.flush()
    masked = bot.handoff_out(db, conv.id, raw=False)
    assert masked.card is not None and not _leaks(masked.card.model_dump_json())
    assert {"kind": "order", "value": "88812345"} in masked.card.facts
    raw = bot.handoff_out(db, conv.id, raw=True)
    assert raw.card is not None and raw.card.summary == SECRET_TEXT


def test_log_records_never_carry_personal_data(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a test that ran uvicorn in this process leaves its logging config: access lines unpropagated
    access_logger = logging.getLogger("uvicorn.access")
    monkeypatch.setattr(access_logger, "propagate", True)
    monkeypatch.setattr(access_logger, "disabled", False)
    caplog.set_level(logging.INFO, logger="uvicorn.access")  # JSON logs turn uvicorn's own off
    logs.install()
    logs.install()  # idempotent
    log = logging.getLogger("wowdesk.test_pii")
    with caplog.at_level(logging.INFO):
        log.warning("customer wrote %s", SECRET_TEXT)
        log.info("call back on %(phone)s", {"phone": PHONE})
        try:
            raise ValueError(f"INSERT failed [parameters: ('{SECRET_TEXT}',)]")
        except ValueError:
            log.exception("bot turn failed")
        # uvicorn's access formatter unpacks exactly five arguments
        logging.getLogger("uvicorn.access").info(
            '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", "/console", "1.1", 200
        )
    assert not _leaks(caplog.text)
    assert "[PHONE]" in caplog.text and "[PASSPORT]" in caplog.text
    access = caplog.records[-1]
    assert isinstance(access.args, tuple) and len(access.args) == 5
    assert access.getMessage() == '127.0.0.1:5000 - "GET /console HTTP/1.1" 200'
    handler = logging.StreamHandler(stream := io.StringIO())
    handler.addFilter(logs.PiiFilter())
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "raw %s", (PHONE,), None)
    handler.handle(record)
    assert "[PHONE]" in stream.getvalue() and PHONE not in stream.getvalue()


def test_log_lines_mask_english_names_without_loading_the_english_model(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server's start-up lines loaded spaCy into every idle process (150 MB); logs mask
    English names from the name lists instead. A record the masker fails on is dropped,
    so a model call shows as the start-up line missing."""

    def no_model() -> None:
        raise AssertionError("the log masker loaded spaCy")

    monkeypatch.setattr(pii_en, "_pipeline", no_model)
    logs.install()
    log = logging.getLogger("wowdesk.test_pii")
    with caplog.at_level(logging.INFO):
        log.info("Started server process [%d]", 4242)
        log.info("Application startup complete.")
        log.warning("customer wrote %s", "Hi, I am John Smith, please call me back")
    assert "Started server process [4242]" in caplog.text
    assert "Application startup complete." in caplog.text
    assert "John Smith" not in caplog.text and "I am [PERSON], please" in caplog.text


def test_the_llm_sees_only_masked_customer_text(db: Session) -> None:
    kb.do_create_article(
        db,
        title="Сколько хранится заказ в пункте выдачи",
        body="Заказ хранится в пункте выдачи 7 дней со дня поступления.",
        author=None,
        publish=True,
    )
    with FakeLLM() as fake:
        fake.script(["Заказ хранится в пункте выдачи 7 дней со дня поступления."])
        engine = BotEngine(Knowledge(), llm=LLMConfig(url=fake.url, model="fake"))
        conv = new_conversation(db, f"Здравствуйте, мой телефон {PHONE}", first_line=True)
        msg, _ = conversations.do_customer_message(
            db,
            conv,
            client_id=uuid.uuid4().hex,
            text=f"сколько хранится заказ в пункте выдачи? почта {EMAIL}",
            limit=4000,
        )
        bot.handle_message(db, engine, conv.id, msg.id)
        assert fake.requests, "the LLM was asked"
        prompt = str(fake.requests[-1])
    assert not _leaks(prompt) and "[PHONE]" in prompt and "[EMAIL]" in prompt
    replies = [m for m in conversations.list_messages(db, conv) if m.author_kind == "bot"]
    assert replies and "7 дней" in replies[-1].text  # grounding still passes


def test_exports_hold_no_message_text(db: Session) -> None:
    conv = new_conversation(db, SECRET_TEXT)
    operator = make_user(db)
    conversations.do_assign(db, conv.id, operator)
    conversations.do_operator_message(
        db, conv, operator, client_id="r1", text=f"Перезвоню на {PHONE}", limit=4000
    )
    day = local_today("Europe/Moscow")
    start, end = day - timedelta(days=1), day + timedelta(days=1)
    analytics.do_refresh(db, start, end, sl_seconds=20, timezone="Europe/Moscow")
    for group in ("total", "day", "operator", "channel", "topic"):
        rows = analytics.summarize(db, start, end, group=group, timezone="Europe/Moscow")  # type: ignore[arg-type]
        assert rows, group
        sheet = tables.read_xlsx(export.to_xlsx(rows))
        assert not _leaks(export.to_csv(rows) + str(export.as_json(rows)) + str(sheet))
