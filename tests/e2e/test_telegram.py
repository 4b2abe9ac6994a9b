"""A Telegram customer as they meet wowdesk: the bot answers from the knowledge base, the
customer asks for a person, and an operator answers from the console; everything goes
through a real `wowdesk serve` and a fake Bot API that POSTs updates to its webhook."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import NewPage, Server, login, screenshot, start_server
from tests.telegram_fake import FakeTelegram, fake_telegram

pytestmark = pytest.mark.e2e
CHAT = 7770001


@pytest.fixture(scope="module")
def telegram() -> Iterator[FakeTelegram]:
    with fake_telegram() as fake:
        yield fake


@pytest.fixture(scope="module")
def tg_server(tmp_path_factory: pytest.TempPathFactory, telegram: FakeTelegram) -> Iterator[Server]:
    yield from start_server(
        tmp_path_factory.mktemp("e2e-telegram"),
        bot_enabled="true",
        telegram_token=telegram.token,
        telegram_api_url=telegram.url,
        telegram_mode="webhook",
    )


def test_bot_answers_then_an_operator_takes_over(
    tg_server: Server, telegram: FakeTelegram, new_page: NewPage
) -> None:
    deadline = time.monotonic() + 15
    while not telegram.webhook_url.startswith(tg_server.url) and time.monotonic() < deadline:
        time.sleep(0.1)  # the server registers its webhook as it starts
    assert telegram.deliver(
        telegram.text(CHAT, "Сколько дней заказ лежит в пункте выдачи?")
    ).is_success
    answer = telegram.wait_for(CHAT, 1)[0]
    assert "/help/" in answer.text and "дн" in answer.text

    reply = telegram.text(CHAT, "Не помогло. Позовите оператора, заказ 88812345 так и не пришёл")
    assert telegram.deliver(reply).is_success
    notice = telegram.wait_for(CHAT, 2)[1]
    assert "оператор" in notice.text

    console = new_page()
    login(console, tg_server, "anna", "operator-demo-1")
    console.goto(f"{tg_server.url}/console")
    item = console.locator("[data-testid=inbox-item]", has_text="пункте выдачи")
    item.first.click()
    expect(console.get_by_test_id("console-messages")).to_contain_text("пункте выдачи")
    take = console.get_by_test_id("take")
    if take.is_visible():
        take.click()
    console.get_by_test_id("reply-input").fill("Мария, вижу заказ 88812345, он приедет завтра.")
    console.get_by_test_id("reply-send").click()
    mine = console.locator(".msg.mine", has_text="приедет завтра")
    expect(mine.get_by_test_id("mark")).to_have_text("✓✓", timeout=15_000)  # Telegram took it
    screenshot(console, "console-telegram")
    texts = [s.text for s in telegram.sent_to(CHAT)]
    assert texts[-1] == "Мария, вижу заказ 88812345, он приедет завтра."
