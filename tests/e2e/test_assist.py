"""Suggested replies as an operator meets them: cards with their source, one click into the
reply box, edited, sent; "/" finds templates; a variable nobody filled is never sent."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.e2e.conftest import NewPage, Server, login, screenshot, start_server
from wowdesk.assist.models import SuggestionLog
from wowdesk.db import make_engine, make_sessionmaker
from wowdesk.kb.models import SearchVerdict

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def assist_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The demo as `make demo` runs it (knowledge base, templates), customers straight to
    people."""
    yield from start_server(tmp_path_factory.mktemp("e2e-assist"), bot_enabled="false")


def _outcome(server: Server, conversation_id: int) -> SuggestionLog | None:
    """The choice is reported after the reply is stored: wait for it."""
    factory = make_sessionmaker(make_engine(server.database_url))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with factory() as db:
            log = db.scalar(
                select(SuggestionLog).where(
                    SuggestionLog.conversation_id == conversation_id,
                    SuggestionLog.outcome.is_not(None),
                )
            )
            if log is not None:
                return log
        time.sleep(0.2)
    return None


def _chat(page: Page, server: Server, text: str) -> int:
    page.goto(f"{server.url}/chat")
    page.get_by_test_id("chat-name").fill("Ольга")
    page.get_by_test_id("chat-input").fill(text)
    page.get_by_test_id("chat-send").click()
    expect(page.locator(".msg.mine [data-testid=mark]").first).to_be_visible()
    conv_id = page.evaluate("window.wowdeskChat.state.conv.id")
    assert isinstance(conv_id, int)
    return conv_id


def test_operator_inserts_a_suggestion_edits_it_and_sends(
    assist_server: Server, new_page: NewPage
) -> None:
    console = new_page()
    login(console, assist_server, "anna", "operator-demo-1")
    console.goto(f"{assist_server.url}/console")
    customer = new_page()
    conv_id = _chat(
        customer, assist_server, "Здравствуйте! Сколько дней заказ лежит в пункте выдачи?"
    )

    # routing gives it to Anna, the only operator online; she opens it
    console.locator(
        f"[data-testid=mine-list] [data-testid=inbox-item][data-id='{conv_id}']"
    ).click()
    expect(console.get_by_test_id("reply-form")).to_be_visible()
    expect(console.get_by_test_id("profile-name")).to_have_text("Ольга")  # the profile
    cards = console.get_by_test_id("assist-card")
    expect(cards.first).to_be_visible()
    kb_card = console.locator("[data-testid=assist-card][data-source=kb]").first
    expect(kb_card).to_contain_text("7 дней")
    expect(kb_card.get_by_test_id("assist-source")).to_have_text("База знаний")
    greeting = console.locator(
        "[data-testid=assist-card][data-source=template]", has_text="Здравствуйте"
    )
    expect(greeting).to_contain_text("Здравствуйте, Ольга! Меня зовут Анна")
    expect(greeting.get_by_test_id("assist-why")).to_contain_text("не поздоровались")
    screenshot(console, "console-assist-suggestions")

    # live: the customer writes again, new suggestions arrive without reloading
    customer.get_by_test_id("chat-input").fill("А можно продлить срок хранения?")
    customer.get_by_test_id("chat-send").click()
    kb_card = console.locator(
        "[data-testid=assist-card][data-source=kb]", has_text="Продлить хранение"
    ).first
    expect(kb_card).to_be_visible(timeout=10_000)

    # one click puts it in the reply box; nothing is sent until the operator sends
    kb_card.click()
    box = console.get_by_test_id("reply-input")
    suggested = box.input_value()
    assert "Продлить хранение" in suggested
    expect(customer.locator(".msg.theirs")).to_have_count(0)
    # opening the same conversation again (here a click on it in the inbox; a reconnect
    # reloads it too) keeps where the reply started from
    with console.expect_response(
        lambda r: r.url.endswith(f"/assist/conversations/{conv_id}/suggestions")
    ):
        console.locator(
            f"[data-testid=mine-list] [data-testid=inbox-item][data-id='{conv_id}']"
        ).click()
    assert box.input_value() == suggested
    box.fill("Ольга, " + suggested + " Если что-то не получится, напишите мне.")
    console.get_by_test_id("reply-send").click()
    expect(customer.locator(".msg.theirs").last).to_contain_text("напишите мне")
    expect(console.get_by_test_id("assist-panel")).to_be_hidden()  # answered
    log = _outcome(assist_server, conv_id)
    assert log is not None and log.outcome == "edited"
    assert log.chosen is not None and log.chosen["source"] == "kb"
    assert log.similarity is not None and 0.5 <= log.similarity < 1
    # the article she answered from is a verdict for the search: those words, that article
    with make_sessionmaker(make_engine(assist_server.database_url))() as db:
        verdict = db.scalar(select(SearchVerdict).where(SearchVerdict.query == log.query))
    assert verdict is not None and verdict.source == "operator"
    assert verdict.article_id == log.chosen["ref"]["article_id"]
    # suggestions for the message just answered, arriving late (a reconnect's reload asked
    # for them while the reply was being stored), are not shown again
    late = {
        "type": "assist", "conversation_id": conv_id, "message_id": log.message_id,
        "log_id": log.id, "suggestions": log.suggestions,
    }  # fmt: skip
    console.evaluate(
        "(d) => document.querySelector('.console')"
        ".dispatchEvent(new CustomEvent('wowdesk:event', { detail: d }))",
        late,
    )
    expect(console.get_by_test_id("assist-panel")).to_be_hidden()
    assert console.get_by_test_id("assist-card").count() == 0

    # "/" at the start of the reply box searches templates, keyboard first
    box.press_sequentially("/уточн")
    popup = console.get_by_test_id("template-popup")
    expect(popup.get_by_test_id("template-option").first).to_be_visible()
    expect(popup).to_contain_text("Уточнить номер заказа")
    options = popup.get_by_test_id("template-option")
    assert all(t.startswith("Уточнить") for t in options.locator("strong").all_inner_texts())
    box.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    expect(popup).to_be_hidden()
    assert box.input_value().startswith("Уточните, пожалуйста,")
    screenshot(console, "console-assist-template")

    # {loyalty.*} come from the customers' programme: Ольга has bought nothing yet
    box.fill("")
    box.press_sequentially("/скидк")
    expect(popup).to_contain_text("Сколько осталось до скидки")
    box.press("Enter")
    expect(popup).to_be_hidden()
    assert "осталось 100\xa0000\xa0₽" in box.input_value()
    expect(console.get_by_test_id("assist-missing")).to_be_hidden()
    box.press("Enter")
    expect(customer.locator(".msg.theirs").last).to_contain_text("до скидки 2,5")


def test_supervisor_template_with_a_variable_nobody_filled_is_never_sent_blank(
    assist_server: Server, new_page: NewPage
) -> None:
    boss = new_page()
    login(boss, assist_server, "supervisor", "super-demo-1")
    boss.goto(f"{assist_server.url}/assist/templates")
    boss.get_by_test_id("template-title").fill("Тема обращения")
    boss.get_by_test_id("template-category").select_option("clarification")
    boss.get_by_test_id("template-text").fill(
        "{customer.first_name}, ваше обращение по теме «{conversation.topic}» передано в отдел."
    )
    boss.get_by_test_id("template-save").click()
    expect(boss.get_by_test_id("template-saved")).to_be_visible()
    expect(boss.get_by_test_id("template-group-clarification")).to_contain_text("Тема обращения")

    console = new_page()  # Anna is busy with the demo's conversations: Dmitry takes this one
    login(console, assist_server, "dmitry", "operator-demo-2")
    console.goto(f"{assist_server.url}/console")
    customer = new_page()
    conv_id = _chat(customer, assist_server, "Добрый день, вопрос по возврату")
    console.locator(
        f"[data-testid=mine-list] [data-testid=inbox-item][data-id='{conv_id}']"
    ).click()
    box = console.get_by_test_id("reply-input")
    expect(box).to_be_visible()

    # no bot here, so the conversation has no topic: the variable stays, highlighted
    box.press_sequentially("/тема")
    popup = console.get_by_test_id("template-popup")
    expect(popup).to_contain_text("Тема обращения")
    box.press("Enter")
    assert box.input_value().startswith("Ольга, ваше обращение по теме «{conversation.topic}»")
    expect(console.get_by_test_id("assist-missing")).to_contain_text("{conversation.topic}")
    box.press("Enter")
    expect(console.get_by_test_id("console-error")).to_contain_text("Заполните перед отправкой")
    expect(customer.locator(".msg.theirs")).to_have_count(0)  # nothing went out
    box.fill("Ольга, ваше обращение по теме «возврат» передано в отдел.")
    expect(console.get_by_test_id("assist-missing")).to_be_hidden()
    box.press("Enter")
    expect(customer.locator(".msg.theirs").last).to_contain_text("по теме «возврат»")
