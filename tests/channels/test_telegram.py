"""Telegram through a fake Bot API server that speaks the real protocol, with the real
python-telegram-bot client code: the webhook (secret checked, redeliveries stored once),
long polling, photos and documents with their limits, replies with delivery status, the
rating as inline buttons, and a customer who blocked the bot."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.helpers import add_user, assert_json_error, login
from tests.telegram_fake import FakeTelegram, fake_telegram
from wowdesk.app import create_app
from wowdesk.config import Settings

CHAT = 5550001
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200
SECRET = "webhook-secret_1"


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with fake_telegram() as server:
        yield server


def _client(
    settings: Settings, factory: sessionmaker[Session], fake: FakeTelegram, mode: str
) -> Iterator[TestClient]:
    configured = settings.model_copy(
        update={
            "telegram_token": fake.token,
            "telegram_api_url": fake.url,
            "telegram_mode": mode,
            "telegram_webhook_secret": SECRET,
            "public_url": "http://wowdesk.test",
            "attachment_max_bytes": 4096,
        }
    )
    with TestClient(create_app(configured, factory)) as client:
        yield client


@pytest.fixture
def hooked(
    settings: Settings, factory: sessionmaker[Session], fake: FakeTelegram
) -> Iterator[TestClient]:
    yield from _client(settings, factory, fake, "webhook")


def until(check: Callable[[], Any], timeout: float = 10) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("not in time")


def post(client: TestClient, update: dict[str, Any], secret: str = SECRET) -> Any:
    return client.post(
        "/api/v1/telegram/webhook",
        json=update,
        headers={"X-Telegram-Bot-Api-Secret-Token": secret},
    )


def staff(client: TestClient, role: str = "operator") -> dict[str, str]:
    return {"X-CSRF-Token": login(client, add_user(client, role))}


def telegram_conversations(client: TestClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    items = client.get("/api/v1/conversations?view=all", headers=headers).json()
    return [c for c in items if c["channel"] == "telegram"]


def test_webhook_conversation_reply_delivery_and_rating(
    hooked: TestClient, fake: FakeTelegram
) -> None:
    until(lambda: fake.webhook_url)  # setWebhook at start, with the secret
    assert fake.webhook_url == "http://wowdesk.test/api/v1/telegram/webhook"
    assert fake.webhook_secret == SECRET
    first = fake.text(CHAT, "Здравствуйте, где мой заказ 4417?")
    assert_json_error(post(hooked, first, secret="wrong"), 403, "telegram_secret")
    assert_json_error(hooked.post("/api/v1/telegram/webhook", json=first), 403)
    assert post(hooked, first).status_code == 200
    assert post(hooked, first).status_code == 200  # Telegram redelivers: stored once
    assert post(hooked, fake.text(CHAT, "Жду уже неделю")).status_code == 200

    headers = staff(hooked)
    [conv] = telegram_conversations(hooked, headers)
    assert conv["status"] == "queued" and conv["customer_name"] == "Мария"
    messages = hooked.get(f"/api/v1/conversations/{conv['id']}/messages", headers=headers).json()
    assert [m["text"] for m in messages if m["author_kind"] == "customer"] == [
        "Здравствуйте, где мой заказ 4417?",
        "Жду уже неделю",
    ]

    assert hooked.post(f"/api/v1/conversations/{conv['id']}/assign", headers=headers).is_success
    reply = {"client_id": "op-1", "text": "Заказ 4417 приедет завтра."}
    sent = hooked.post(f"/api/v1/conversations/{conv['id']}/messages", json=reply, headers=headers)
    assert sent.status_code in (200, 201), sent.text
    got = fake.wait_for(CHAT, 2)  # «оператор подключился» and the answer
    assert got[-1].text == "Заказ 4417 приедет завтра."
    seq = sent.json()["message"]["seq"]
    until(
        lambda: (
            hooked.get(f"/api/v1/conversations/{conv['id']}", headers=headers).json()[
                "conversation"
            ]["customer_delivered_seq"]
            >= seq
        )
    )  # the console's ✓✓: Telegram took it

    assert hooked.post(f"/api/v1/conversations/{conv['id']}/close", headers=headers).is_success
    closing = fake.wait_for(CHAT, 3)[-1]
    buttons = closing.reply_markup["inline_keyboard"][0]  # type: ignore[index]
    assert [b["callback_data"] for b in buttons] == [f"csat:{conv['id']}:{n}" for n in range(1, 6)]
    assert post(hooked, fake.press(CHAT, f"csat:{conv['id']}:5")).status_code == 200
    assert fake.callback_answers and fake.callback_answers[-1]["text"]
    detail = hooked.get(f"/api/v1/conversations/{conv['id']}", headers=headers).json()
    assert detail["conversation"]["csat"] == 5

    # the next message after the close opens a new conversation
    assert post(hooked, fake.text(CHAT, "И ещё вопрос")).status_code == 200
    assert len(telegram_conversations(hooked, headers)) == 2


def test_photos_and_documents_are_checked_and_stored(
    hooked: TestClient, fake: FakeTelegram
) -> None:
    until(lambda: fake.webhook_url)
    assert post(hooked, fake.photo(CHAT, JPEG, caption="Вот чек")).status_code == 200
    fake_pdf = b"<html><script>alert(1)</script></html>\x00\x01"
    post(hooked, fake.document(CHAT, fake_pdf, "check.pdf", "application/pdf"))
    post(hooked, fake.document(CHAT, b"%PDF-" + b"1" * 5000, "big.pdf", "application/pdf"))
    refusals = fake.wait_for(CHAT, 2)
    assert "JPEG" in refusals[0].text and "4" in refusals[1].text
    post(hooked, fake.document(CHAT, b"%PDF-1.4 ok", "act.pdf", "application/pdf"))

    headers = staff(hooked)
    [conv] = telegram_conversations(hooked, headers)
    messages = hooked.get(f"/api/v1/conversations/{conv['id']}/messages", headers=headers).json()
    files = [m for m in messages if m.get("attachment")]
    assert [m["text"] for m in files] == ["Вот чек", "[документ: act.pdf]"]
    photo = hooked.get(f"/api/v1/attachments/{files[0]['attachment']['id']}", headers=headers)
    assert photo.status_code == 200 and photo.content == JPEG
    assert photo.headers["content-type"] == "image/jpeg"
    assert photo.headers["x-content-type-options"] == "nosniff"
    pdf = hooked.get(f"/api/v1/attachments/{files[1]['attachment']['id']}", headers=headers)
    assert pdf.headers["content-disposition"].startswith("attachment")
    hooked.post("/logout", headers=headers)
    assert hooked.get(f"/api/v1/attachments/{files[0]['attachment']['id']}").status_code == 401


def test_blocked_customer_is_told_to_the_operator_and_busy_telegram_is_retried(
    hooked: TestClient, fake: FakeTelegram
) -> None:
    until(lambda: fake.webhook_url)
    post(hooked, fake.text(CHAT, "Вопрос по доставке"))
    headers = staff(hooked)
    [conv] = telegram_conversations(hooked, headers)
    fake.fail_sends.append((429, "Too Many Requests: retry after 1"))
    hooked.post(f"/api/v1/conversations/{conv['id']}/assign", headers=headers)
    got = fake.wait_for(CHAT, 1)  # after Telegram's retry_after, sent once
    assert len(got) == 1
    fake.fail_sends.append((403, "Forbidden: bot was blocked by the user"))
    reply = {"client_id": "op-2", "text": "Ответ, который не дойдёт"}
    hooked.post(f"/api/v1/conversations/{conv['id']}/messages", json=reply, headers=headers)

    def noted() -> bool:
        messages = hooked.get(
            f"/api/v1/conversations/{conv['id']}/messages", headers=headers
        ).json()
        return any("Telegram" in m["text"] and m["author_kind"] == "system" for m in messages)

    until(noted)
    assert [s.text for s in fake.sent_to(CHAT)] == [got[0].text]


def test_long_polling(
    settings: Settings, factory: sessionmaker[Session], fake: FakeTelegram
) -> None:
    client = next(clients := _client(settings, factory, fake, "polling"))
    try:
        fake.queue(fake.text(CHAT, "Добрый день, вопрос про возврат"))
        headers = staff(client)
        conv = until(lambda: telegram_conversations(client, headers))
        assert conv[0]["subject"].startswith("Добрый день")
        assert "deletewebhook" in fake.calls and "getupdates" in fake.calls
        # webhook mode is off: the route refuses updates
        assert_json_error(post(client, fake.text(CHAT, "x")), 404)
    finally:
        clients.close()


def test_the_customer_chooses_up_front(hooked: TestClient, fake: FakeTelegram) -> None:
    until(lambda: fake.webhook_url)
    assert post(hooked, fake.text(CHAT, "/start")).status_code == 200
    offer = fake.wait_for(CHAT, 1)[0]
    choices = [b[0]["callback_data"] for b in offer.reply_markup["inline_keyboard"]]  # type: ignore[index]
    assert choices == ["choice:bot", "choice:human", "choice:callback"]
    headers = staff(hooked)
    assert telegram_conversations(hooked, headers) == []  # nothing asked yet
    post(hooked, fake.press(CHAT, "choice:callback"))
    assert "📎" in fake.callback_answers[-1]["text"]  # no verified number yet
    post(hooked, fake.press(CHAT, "choice:human"))
    [conv] = telegram_conversations(hooked, headers)
    assert conv["status"] == "queued"  # straight to people, no bot
    post(hooked, fake.text(CHAT, "Где мой заказ?"))
    assert len(telegram_conversations(hooked, headers)) == 1  # the question joins it
    contact = fake.text(CHAT, "")
    del contact["message"]["text"]
    contact["message"]["contact"] = {
        "phone_number": "+79161234567",
        "first_name": "М",
        "user_id": CHAT,
    }
    post(hooked, contact)
    post(hooked, fake.press(CHAT, "choice:callback"))
    messages = hooked.get(f"/api/v1/conversations/{conv['id']}/messages", headers=headers).json()
    assert any(m["author_kind"] == "system" and "[PHONE]" in m["text"] for m in messages)


def test_customer_lines_move_the_watermark_without_a_send_pass(
    hooked: TestClient, fake: FakeTelegram, factory: sessionmaker[Session]
) -> None:
    from sqlalchemy import select

    from wowdesk.channels import telegram_delivery
    from wowdesk.channels.models import TelegramConversation
    from wowdesk.conversations.models import Message

    until(lambda: fake.webhook_url)
    for text in ("Где мой заказ 4417?", "Жду уже неделю", "Ответьте, пожалуйста"):
        assert post(hooked, fake.text(CHAT, text)).status_code == 200

    def settled() -> bool:
        with factory() as db:
            link = db.scalars(select(TelegramConversation)).one()
            last = max(db.scalars(select(Message.seq)))
            return link.sent_seq == last and link.lease_until is None

    until(settled)
    with factory() as db:
        assert telegram_delivery.do_claim_due(db) == []  # nothing left to send
        db.commit()
