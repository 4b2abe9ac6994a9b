"""Manual mode as people meet it: a supervisor switches a topic off on /safety, a customer on
that topic is greeted by a person, an operator's request reaches the supervisor live, and
turning the bot back on shows the regression report first."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import NewPage, Server, login, screenshot, start_server

pytestmark = pytest.mark.e2e

TOPIC = "Доставка и пункты выдачи"
QUESTION = "Сколько дней заказ лежит в пункте выдачи?"


@pytest.fixture(scope="module")
def bot_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from start_server(tmp_path_factory.mktemp("e2e-manual"), bot_enabled="true")


def test_manual_mode_end_to_end(bot_server: Server, new_page: NewPage) -> None:
    supervisor = new_page()
    login(supervisor, bot_server, "supervisor", "super-demo-1")
    supervisor.get_by_role("link", name="Безопасность ИИ").click()
    row = supervisor.locator(f"[data-testid=switch-row][data-scope='topic:{TOPIC}']")
    row.get_by_test_id("switch-reason").fill("бот называет неверный срок хранения")
    row.get_by_test_id("switch-off").click()
    expect(supervisor.get_by_test_id("safety-done")).to_be_visible()
    row = supervisor.locator(f"[data-testid=switch-row][data-scope='topic:{TOPIC}']")
    expect(row).to_have_attribute("data-off", "1")
    expect(supervisor.get_by_test_id("audit")).to_contain_text("неверный срок хранения")

    customer = new_page()
    customer.goto(f"{bot_server.url}/chat")
    customer.get_by_test_id("chat-name").fill("Мария")
    customer.get_by_test_id("chat-input").fill(QUESTION)
    customer.get_by_test_id("chat-send").click()
    greeting = customer.locator(".msg.system").last
    expect(greeting).to_contain_text("Вам ответит оператор", timeout=15_000)
    expect(customer.locator(".msg.theirs")).to_have_count(0)
    conv_id = customer.evaluate("window.wowdeskChat.state.conv.id")

    operator = new_page()
    login(operator, bot_server, "anna", "operator-demo-1")
    operator.goto(f"{bot_server.url}/console")
    expect(operator.get_by_test_id("bot-off")).to_contain_text(TOPIC)
    operator.locator(f"[data-testid=inbox-item][data-id='{conv_id}']").click()
    expect(operator.get_by_test_id("handoff-reasons")).to_contain_text("ручной режим")
    operator.get_by_test_id("manual-request-open").click()
    operator.get_by_test_id("manual-scope").select_option("global:")
    operator.get_by_test_id("manual-reason").fill("бот путает сроки и в других темах")
    operator.get_by_test_id("manual-request-send").click()
    mine = operator.get_by_test_id("manual-request").first
    expect(mine).to_contain_text("на рассмотрении")
    screenshot(operator, "console-manual-mode")

    # the supervisor's open page hears about the request and shows it
    request = supervisor.get_by_test_id("request-row")
    expect(request).to_contain_text("бот путает сроки", timeout=10_000)
    screenshot(supervisor, "safety-request")
    request.get_by_test_id("request-note").fill("ошибки только в доставке")
    request.get_by_test_id("request-decline").click()
    expect(mine).to_contain_text("отклонён")

    supervisor.get_by_test_id("case-question").fill(QUESTION)
    supervisor.get_by_test_id("case-topic").select_option(TOPIC)
    supervisor.get_by_test_id("case-must").fill("фраза, которой в базе знаний нет")
    supervisor.get_by_test_id("case-add").click()
    expect(supervisor.get_by_test_id("case-row")).to_have_count(1)

    row = supervisor.locator(f"[data-testid=switch-row][data-scope='topic:{TOPIC}']")
    row.get_by_test_id("switch-on").click()
    expect(supervisor.get_by_test_id("regress-summary")).to_contain_text("не пройдено: 1")
    expect(supervisor.get_by_test_id("regress-row")).to_have_attribute("data-status", "fail")
    screenshot(supervisor, "safety-regression-report")
    supervisor.get_by_test_id("switch-on-reason").fill("проверили")
    supervisor.get_by_test_id("switch-on-confirm").click()
    expect(supervisor.get_by_test_id("safety-error")).to_contain_text("вопреки кейсам")
    supervisor.get_by_test_id("switch-on-reason").fill("нужен бот, статью правим")
    supervisor.get_by_test_id("switch-on-override").check()
    supervisor.get_by_test_id("switch-on-confirm").click()
    expect(supervisor.get_by_test_id("safety-done")).to_contain_text("снова включён")
    expect(supervisor.get_by_test_id("audit-override")).to_be_visible()
    expect(operator.get_by_test_id("bot-off")).to_be_hidden()
