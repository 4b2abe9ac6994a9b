"""Fraud guards in the browser: an operator's request for an SMS code is held until they
confirm it, a card number the customer sends is hidden with a notice, and the "prove it is
us" panel shows the previous contact and mails a confirmation code (real SMTP on loopback)."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import NewPage, Server, login, screenshot, start_server
from tests.smtp import Inbox, local_smtp

pytestmark = pytest.mark.e2e

CARD = "4111 1111 1111 1111"


@pytest.fixture(scope="module")
def inbox() -> Iterator[tuple[Inbox, int]]:
    with local_smtp() as running:
        yield running


@pytest.fixture(scope="module")
def guards_server(
    tmp_path_factory: pytest.TempPathFactory, inbox: tuple[Inbox, int]
) -> Iterator[Server]:
    yield from start_server(
        tmp_path_factory.mktemp("e2e-guards"),
        bot_enabled="false",
        routing_enabled="false",
        smtp_host="127.0.0.1",
        smtp_port=str(inbox[1]),
        mail_from="support@shop.example",
    )


def test_secrets_are_guarded_and_the_customer_can_check_it_is_us(
    guards_server: Server, new_page: NewPage, inbox: tuple[Inbox, int]
) -> None:
    server, box = guards_server, inbox[0]
    customer = new_page()
    customer.goto(f"{server.url}/chat")
    identity = customer.evaluate("window.wowdeskChat.state.identity")
    # the same customer wrote to us before, with their e-mail
    earlier = httpx.post(
        f"{server.url}/api/v1/chat/conversations",
        json={
            "identity": identity,
            "channel": "web",
            "name": "Ольга",
            "email": "olga@example.com",
            "message": {"client_id": uuid.uuid4().hex, "text": "Не пришёл возврат за наушники"},
        },
    )
    assert earlier.status_code == 201, earlier.text

    console = new_page()
    login(console, server, "anna", "operator-demo-1")
    console.goto(f"{server.url}/console")
    customer.get_by_test_id("chat-input").fill("Мне звонят от вашего имени, это правда вы?")
    customer.get_by_test_id("chat-send").click()
    expect(customer.locator(".msg.mine [data-testid=mark]").first).to_be_visible()
    conv_id = customer.evaluate("window.wowdeskChat.state.conv.id")
    # routing is off here: anna takes the conversation from the queue herself
    console.locator(f"[data-testid=inbox-item][data-id='{conv_id}']").first.click()
    expect(console.get_by_test_id("conv-customer")).to_have_text("Ольга")
    console.get_by_test_id("take").click()
    expect(console.get_by_test_id("reply-form")).to_be_visible()

    # the customer sends a card number: it is hidden everywhere and they are told why
    customer.get_by_test_id("chat-input").fill(f"Вот моя карта {CARD}")
    customer.get_by_test_id("chat-send").click()
    expect(customer.locator(".msg.mine").filter(has_text="[CARD]")).to_be_visible()
    notice = customer.locator(".msg.system").filter(has_text="никогда не отправляйте")
    expect(notice).to_be_visible()
    expect(customer.get_by_test_id("chat-messages")).not_to_contain_text(CARD)
    messages = console.get_by_test_id("console-messages")
    expect(messages).to_contain_text("Вот моя карта [CARD]")
    expect(messages).not_to_contain_text(CARD)
    screenshot(customer, "guards-card-hidden")

    # the operator asks for an SMS code: held with a warning, sent only when confirmed
    ask = "Назовите код из СМС"
    console.get_by_test_id("reply-input").fill(ask)
    console.get_by_test_id("reply-send").click()
    warning = console.get_by_test_id("secret-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("коды из СМС")
    expect(console.get_by_test_id("reply-input")).to_have_value(ask)
    screenshot(console, "guards-warning")
    time.sleep(0.5)
    expect(messages.locator(".msg.mine").filter(has_text=ask)).to_have_count(0)
    expect(customer.locator(".msg.theirs").filter(has_text=ask)).to_have_count(0)
    console.get_by_test_id("secret-confirm").click()
    expect(warning).to_be_hidden()
    expect(customer.locator(".msg.theirs").filter(has_text=ask)).to_be_visible()
    expect(messages.locator(".msg.mine").filter(has_text=ask)).to_have_count(1)

    # the customer doubts: the panel names the previous contact and mails a code
    panel = console.get_by_test_id("verification")
    expect(panel.get_by_test_id("verify-previous")).to_contain_text("Не пришёл возврат за наушники")
    send = panel.get_by_test_id("verify-send")
    expect(send).to_contain_text("o***@example.com")
    send.click()
    shown = panel.get_by_test_id("verify-code")
    expect(shown).to_contain_text(re.compile(r"Код подтверждения: \d{4}"))
    code = re.search(r"\d{4}", shown.inner_text())
    assert code is not None
    expect(customer.locator(".msg.system").filter(has_text="o***@example.com")).to_be_visible()
    screenshot(console, "guards-verification")
    deadline = time.monotonic() + 20
    while not box.mails and time.monotonic() < deadline:
        time.sleep(0.2)
    mail = next(m for m in box.mails if m["To"] == "olga@example.com")
    body = mail.get_content()
    assert f"Код подтверждения: {code.group()}" in body and "Анна Смирнова" in body
