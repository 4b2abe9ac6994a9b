"""The live chat as people use it: a customer in /chat, an operator in /console, both live."""

from __future__ import annotations

import functools
import re
import threading
import uuid
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Page, WebSocketRoute, expect
from sqlalchemy.orm import Session

from tests.e2e.conftest import NewPage, Server, login, screenshot, start_server, status_put
from wowdesk.conversations import service as conversations
from wowdesk.db import make_engine, make_sessionmaker
from wowdesk.operators import presence

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """This module's own server: anna (capacity 3) takes the demo's two waiting chats and
    the test's; a customer an earlier module left waiting took that third place first."""
    yield from start_server(tmp_path_factory.mktemp("e2e-live"), bot_enabled="false")


def _session(server: Server) -> Session:
    return make_sessionmaker(make_engine(server.database_url))()


def _open_chat(page: Page, server: Server, name: str, text: str) -> int:
    page.goto(f"{server.url}/chat")
    page.get_by_test_id("chat-name").fill(name)
    page.get_by_test_id("chat-input").fill(text)
    page.get_by_test_id("chat-send").click()
    expect(
        page.locator(".msg.mine").filter(has_text=text).locator("[data-testid=mark]")
    ).to_be_visible()
    conv_id = page.evaluate("window.wowdeskChat.state.conv.id")
    assert isinstance(conv_id, int)
    return conv_id


def _receive(console: Page, conv_id: int) -> None:
    """Routing hands the conversation to the only operator online: it is in their list."""
    mine = console.get_by_test_id("mine-list")
    mine.locator(f"[data-testid=inbox-item][data-id='{conv_id}']").click()
    expect(console.get_by_test_id("reply-form")).to_be_visible()
    expect(console.get_by_test_id("take")).to_be_hidden()


def test_customer_and_operator_talk_live_and_csat_is_stored(
    server: Server, new_page: NewPage
) -> None:
    console = new_page()
    login(console, server, "anna", "operator-demo-1")
    console.goto(f"{server.url}/console")
    customer = new_page()
    question = f"Здравствуйте! Где мой заказ {uuid.uuid4().hex[:6]}?"
    conv_id = _open_chat(customer, server, "Ольга", question)

    # the operator is online from login and gets the new conversation without reloading
    expect(console.get_by_test_id("status-online")).to_have_attribute("aria-pressed", "true")
    item = console.locator(f"[data-testid=inbox-item][data-id='{conv_id}']")
    expect(item).to_contain_text("Ольга")
    _receive(console, conv_id)
    expect(console.get_by_test_id("console-messages")).to_contain_text(question)
    # the operator has seen it: the customer's mark turns into ✓✓
    expect(customer.locator(".msg.mine [data-testid=mark]").first).to_have_text("✓✓")
    expect(customer.get_by_test_id("chat-status")).to_contain_text("Анна")

    # typing goes both ways
    console.get_by_test_id("reply-input").press_sequentially("Добр")
    expect(customer.get_by_test_id("chat-typing")).to_be_visible()
    customer.get_by_test_id("chat-input").press_sequentially("ещё")
    expect(console.get_by_test_id("console-typing")).to_be_visible()
    customer.get_by_test_id("chat-input").fill("")

    console.get_by_test_id("reply-input").fill("Добрый день! Заказ передан в доставку.")
    console.get_by_test_id("reply-send").click()
    reply = customer.locator(".msg.theirs").filter(has_text="Заказ передан в доставку")
    expect(reply).to_be_visible()
    expect(reply.locator(".author")).to_have_text("Анна Смирнова")
    screenshot(customer, "chat-reply")

    console.get_by_test_id("close").click()
    expect(console.get_by_test_id("wrapup-form")).to_be_visible()
    console.get_by_test_id("wrapup-topic").select_option(label="Доставка и пункты выдачи")
    console.get_by_test_id("wrapup-note").fill("Сообщили статус доставки")
    screenshot(console, "console-wrapup")
    console.get_by_test_id("wrapup-save").click()

    expect(customer.get_by_test_id("csat")).to_be_visible()
    customer.locator("[data-testid=csat] button[data-score='4']").click()
    expect(customer.get_by_test_id("csat-thanks")).to_be_visible()
    screenshot(customer, "chat-csat")

    with _session(server) as db:
        conv = conversations.get_conversation(db, conv_id)
        assert conv.csat == 4
        assert conv.status == "closed"
        assert conv.topic_id is not None
        texts = [m.text for m in conversations.list_messages(db, conv)]
    assert texts[0] == question
    assert "Добрый день! Заказ передан в доставку." in texts

    # the shift is over: the operator goes offline and routing stops offering her work
    console.once("dialog", lambda dialog: dialog.accept())  # she still holds demo customers
    with console.expect_response(status_put) as answer:
        console.get_by_test_id("status-offline").click()
    assert answer.value.ok
    expect(console.get_by_test_id("status-offline")).to_have_attribute("aria-pressed", "true")
    with _session(server) as db:
        history = [c.status for c in presence.status_history(db, conv.operator_id)]
    assert history[:2] == ["offline", "online"]  # newest first


def test_reconnect_loses_and_doubles_nothing(server: Server, new_page: NewPage) -> None:
    customer = new_page()
    # Chromium's offline mode leaves WebSockets alone: the chat reconnected at once and its
    # "offline" message now and then arrived before the operator's reply
    offline: list[bool] = []

    def chat_socket(ws: WebSocketRoute) -> None:
        if offline:
            ws.close()
        else:
            ws.connect_to_server()

    customer.context.route_web_socket(re.compile(r"/ws/chat"), chat_socket)
    conv_id = _open_chat(customer, server, "Пётр", "Первое сообщение")
    # nobody is online yet: the customer learns their place in the queue (behind whatever
    # the demo and earlier tests left waiting)
    expect(customer.get_by_test_id("queue-place")).to_contain_text(re.compile(r"Вы \S+ в очереди"))
    console = new_page()
    login(console, server, "dmitry", "operator-demo-2")
    console.goto(f"{server.url}/console")
    _receive(console, conv_id)
    expect(customer.get_by_test_id("queue-place")).to_be_hidden()

    # the customer's connection drops; while it is down they write and the operator replies
    customer.context.set_offline(True)
    offline.append(True)
    customer.evaluate("window.wowdeskChat.socket().close()")
    expect(customer.get_by_test_id("chat-error")).to_be_visible()
    customer.get_by_test_id("chat-input").fill("Второе, без связи")
    customer.get_by_test_id("chat-send").click()
    console.get_by_test_id("reply-input").fill("Ответ, пока вы были офлайн")
    console.get_by_test_id("reply-send").click()
    # stored (acknowledged), not only shown as pending, before the customer is back online
    stored_reply = console.locator("[data-testid=console-messages] .msg:not(.pending)")
    expect(stored_reply.filter(has_text="Ответ, пока вы были офлайн")).to_have_count(1)

    customer.context.set_offline(False)
    offline.clear()
    expect(customer.locator(".msg.theirs")).to_contain_text("Ответ, пока вы были офлайн")
    expect(console.get_by_test_id("console-messages")).to_contain_text("Второе, без связи")
    # a reload on top (localStorage outbox, full history) still shows each message once
    customer.get_by_test_id("chat-input").fill("Третье")
    customer.get_by_test_id("chat-send").click()
    expect(console.get_by_test_id("console-messages")).to_contain_text("Третье")
    customer.reload()
    expect(customer.locator(".msg").filter(has_text="Третье")).to_have_count(1)
    # the history arrives after the page: a message still in the outbox when the page
    # reloaded shows at once (pending, no seq) and is resent; each ends up once, with its seq
    expect(customer.locator(".msg[data-seq]:not(.system)")).to_have_count(4)

    shown = customer.locator(".msg:not(.system)").evaluate_all("els => els.map(e => e.dataset.seq)")
    assert len(shown) == len(set(shown)) == 4
    assert shown == sorted(shown, key=int)
    with _session(server) as db:
        conv = conversations.get_conversation(db, conv_id)
        stored = [
            m.text for m in conversations.list_messages(db, conv) if m.author_kind != "system"
        ]
    # the offline message is stored when the socket is back, after the operator's reply
    assert stored == [
        "Первое сообщение",
        "Ответ, пока вы были офлайн",
        "Второе, без связи",
        "Третье",
    ]


def test_operator_cannot_open_admin(server: Server, new_page: NewPage) -> None:
    page = new_page()
    login(page, server, "anna", "operator-demo-1")
    response = page.goto(f"{server.url}/admin")
    assert response is not None and response.status == 403
    expect(page.locator("body")).to_contain_text(re.compile("нет доступа|доступ", re.I))


def test_customer_token_cannot_read_another_conversation(server: Server, new_page: NewPage) -> None:
    other = new_page()
    other_id = _open_chat(other, server, "Ирина", "Мой секретный вопрос про паспорт")
    page = new_page()
    _open_chat(page, server, "Сергей", "Мой вопрос")
    status = page.evaluate(
        """async (id) => {
          const own = window.wowdeskChat.state.conv;
          const res = await fetch(`/api/v1/chat/conversations/${id}/messages`,
                                  {headers: {"X-Conversation-Token": own.token}});
          return [res.status, await res.text()];
        }""",
        other_id,
    )
    assert status[0] == 404
    assert "секретный" not in status[1]
    code = page.evaluate(
        """(id) => new Promise((resolve) => {
          const ws = new WebSocket(`ws://${location.host}/ws/chat`);
          ws.onopen = () => ws.send(JSON.stringify({type: "hello", conversation_id: id,
                                                    token: window.wowdeskChat.state.conv.token}));
          ws.onclose = (ev) => resolve(ev.code);
        })""",
        other_id,
    )
    assert code == 4401


def test_widget_embeds_the_chat_in_another_site(
    server: Server, new_page: NewPage, tmp_path: Path
) -> None:
    # a shop's own site on another origin, served for real: a page the test fulfils itself
    # counts as public, and Chromium forbids public pages to load loopback scripts
    (tmp_path / "shop.html").write_text(
        '<html><head><meta charset="utf-8"></head>'
        f'<body><h1>Магазин</h1><script src="{server.url}/widget.js"></script></body></html>',
        encoding="utf-8",
    )
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    shop = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=shop.serve_forever, daemon=True).start()
    try:
        page = new_page()
        page.goto(f"http://localhost:{shop.server_address[1]}/shop.html")
        page.get_by_role("button", name="Чат с поддержкой").click()  # a localised label
        frame = page.frame_locator("iframe[title='Чат с поддержкой']")
        frame.get_by_test_id("chat-input").fill("Вопрос из виджета")
        frame.get_by_test_id("chat-send").click()
        expect(frame.locator(".msg.mine [data-testid=mark]")).to_be_visible()
        screenshot(page, "widget")
        conv_id = page.frames[1].evaluate("window.wowdeskChat.state.conv.id")
    finally:
        shop.shutdown()
        shop.server_close()
    with _session(server) as db:
        conv = conversations.get_conversation(db, conv_id)
        said = [
            m.text for m in conversations.list_messages(db, conv) if m.author_kind == "customer"
        ]
        assert said == ["Вопрос из виджета"]
        assert conv.channel == "web"


@pytest.fixture(scope="module")
def english_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from start_server(tmp_path_factory.mktemp("e2e-en"), bot_enabled="false", language="en")


def test_pages_speak_english_when_configured(english_server: Server, new_page: NewPage) -> None:
    page = new_page("en-US")
    page.goto(f"{english_server.url}/chat")
    expect(page.get_by_test_id("chat-send")).to_have_text("Send")
    page.goto(f"{english_server.url}/login")
    expect(page.locator("body")).to_contain_text("Password")
