"""The bot as customers meet it: an answer with its link, or an operator who already knows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import NewPage, Server, login, screenshot, start_server

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def bot_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The demo as `make demo` runs it: demo knowledge base, trained topic model, bot on."""
    yield from start_server(tmp_path_factory.mktemp("e2e-bot"), bot_enabled="true")


def _ask(page: Page, server: Server, text: str) -> None:
    page.goto(f"{server.url}/chat")
    page.get_by_test_id("chat-name").fill("Мария")
    page.get_by_test_id("chat-input").fill(text)
    page.get_by_test_id("chat-send").click()


def test_the_bot_answers_from_the_kb_with_a_link(bot_server: Server, new_page: NewPage) -> None:
    page = new_page()
    _ask(page, bot_server, "Сколько дней заказ лежит в пункте выдачи?")
    reply = page.locator(".msg.theirs").last
    expect(reply).to_contain_text("/help/", timeout=15_000)
    expect(reply).to_contain_text("дн")
    link = reply.inner_text().split(f"{bot_server.url}/help/")[1].split()[0].rstrip(".")
    screenshot(page, "bot-answer")
    article = new_page()
    article.goto(f"{bot_server.url}/help/{link}")
    expect(article.locator("article")).to_be_visible()


def test_an_unanswerable_question_lands_with_an_operator_who_sees_the_card(
    bot_server: Server, new_page: NewPage
) -> None:
    customer = new_page()
    _ask(
        customer,
        bot_server,
        "Позовите живого человека. Заказ 88812345 пришёл разбитым, я заплатил 12 990 ₽",
    )
    notice = customer.locator(".msg.system").last
    expect(notice).to_contain_text("оператор", timeout=15_000)
    expect(notice).to_contain_text("повторять ничего не придётся")
    conv_id = customer.evaluate("window.wowdeskChat.state.conv.id")

    console = new_page()
    login(console, bot_server, "anna", "operator-demo-1")
    console.goto(f"{bot_server.url}/console")
    console.locator(f"[data-testid=inbox-item][data-id='{conv_id}']").click()
    card = console.get_by_test_id("handoff-card")
    expect(card).to_be_visible()
    expect(console.get_by_test_id("handoff-summary")).to_contain_text("88812345")
    expect(console.get_by_test_id("handoff-facts")).to_contain_text("88812345")
    expect(console.get_by_test_id("handoff-reasons")).to_contain_text("человек")
    screenshot(console, "console-handoff-card")
    console.get_by_test_id("reply-input").fill("Мария, вижу ваш заказ 88812345, оформляю возврат.")
    console.get_by_test_id("reply-send").click()
    expect(customer.locator(".msg.theirs").last).to_contain_text("оформляю возврат")


def test_a_supervisor_tells_the_search_which_article_answers(
    bot_server: Server, new_page: NewPage
) -> None:
    customer = new_page()
    _ask(customer, bot_server, "Сколько дней хранится заказ в пункте выдачи?")
    expect(customer.locator(".msg.theirs").last).to_contain_text("/help/", timeout=15_000)

    boss = new_page()
    login(boss, bot_server, "supervisor", "super-demo-1", online=False)
    boss.goto(f"{bot_server.url}/bot")
    boss.get_by_test_id("decision-check").first.click()
    hits = boss.get_by_test_id("kb-hit")
    expect(hits.first).to_be_visible()
    title = hits.first.locator("a").first.inner_text()
    hits.first.get_by_test_id("kb-verdict-right").click()
    expect(boss.get_by_test_id("kb-verdict-saved")).to_be_visible()
    expect(boss.get_by_test_id("kb-verdict")).to_contain_text(title)
    screenshot(boss, "kb-verdict")

    boss.get_by_test_id("kb-tab-search").click()
    expect(boss.get_by_test_id("kb-verdict-named")).to_have_text("1")
    expect(boss.get_by_test_id("kb-learn")).to_be_disabled()  # 30 are needed
    expect(boss.get_by_test_id("kb-fusion-in-force")).to_contain_text("из поставки")
    rows = boss.get_by_test_id("kb-verdict-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(title)
    screenshot(boss, "kb-search-learning")
    rows.first.get_by_test_id("kb-verdict-delete").click()
    expect(boss.get_by_test_id("kb-verdict-row")).to_have_count(0)
    expect(boss.get_by_test_id("kb-verdict-count")).to_have_text("0")
