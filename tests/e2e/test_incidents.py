"""A wrong bot answer, end to end: the operator flags it in the console with a screenshot,
the supervisor sees the incident (when it began, how long it lasts, how many answers were
flagged) and sends it to technical support, whose webhook (a real HTTP receiver on
loopback) gets the JSON report."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import NewPage, Server, login, screenshot
from tests.webhook import Receiver

pytestmark = pytest.mark.e2e


def test_a_flagged_answer_becomes_an_incident_that_reaches_technical_support(
    incident_server: Server, new_page: NewPage, hook: Receiver
) -> None:
    server = incident_server
    customer = new_page()
    customer.goto(f"{server.url}/chat")
    customer.get_by_test_id("chat-name").fill("Мария")
    customer.get_by_test_id("chat-input").fill("Сколько дней заказ лежит в пункте выдачи?")
    customer.get_by_test_id("chat-send").click()
    expect(customer.locator(".msg.theirs").last).to_contain_text("/help/", timeout=15_000)
    customer.get_by_test_id("chat-input").fill("Позовите живого человека, пожалуйста")
    customer.get_by_test_id("chat-send").click()
    expect(customer.locator(".msg.system").last).to_contain_text("оператор", timeout=15_000)
    conv_id = customer.evaluate("window.wowdeskChat.state.conv.id")

    # the operator opens the conversation and flags the bot's answer with a screenshot
    console = new_page()
    login(console, server, "anna", "operator-demo-1")
    console.goto(f"{server.url}/console")
    console.locator(f"[data-testid=inbox-item][data-id='{conv_id}']").click()
    answer = console.locator(".msg.bot").filter(has_text="/help/").first
    expect(answer).to_be_visible()
    shot = console.screenshot()
    answer.get_by_test_id("flag-button").click()
    form = answer.get_by_test_id("flag-form")
    form.get_by_test_id("flag-reason").select_option("outdated")
    form.get_by_test_id("flag-comment").fill("Срок хранения изменился")
    form.get_by_test_id("flag-screenshot").set_input_files(
        {"name": "screen.png", "mimeType": "image/png", "buffer": shot}
    )
    form.get_by_test_id("flag-send").click()
    expect(answer.get_by_test_id("flagged")).to_have_text("отмечено")
    expect(answer.get_by_test_id("flag-button")).to_have_count(0)
    screenshot(console, "console-flagged-answer")
    # reopened later, the answer is still marked
    console.reload()
    console.locator(f"[data-testid=inbox-item][data-id='{conv_id}']").click()
    expect(
        console.locator(".msg.bot").filter(has_text="/help/").first.get_by_test_id("flagged")
    ).to_be_visible()

    # the supervisor sees the incident in the list and opens it
    boss = new_page()
    login(boss, server, "supervisor", "super-demo-1")
    boss.goto(f"{server.url}/console")
    boss.get_by_role("link", name="Инциденты").click()
    row = boss.get_by_test_id("incident-row").first
    expect(row.get_by_test_id("incident-flags")).to_have_text("1")
    expect(row.get_by_test_id("incident-status")).to_have_text("Открыт")
    expect(row.get_by_test_id("incident-duration")).to_contain_text(" с")
    row.get_by_test_id("incident-link").click()
    expect(boss.get_by_test_id("incident-count")).to_have_text("1")
    expect(boss.get_by_test_id("incident-began")).not_to_be_empty()
    duration = boss.get_by_test_id("incident-duration")
    first = duration.inner_text()
    expect(duration).not_to_have_text(first, timeout=5_000)  # it ticks
    expect(boss.get_by_test_id("incident-conversation")).to_have_text(f"#{conv_id}")
    expect(boss.get_by_test_id("flag-comment")).to_contain_text("Срок хранения изменился")
    expect(boss.get_by_test_id("flag-sources")).not_to_have_text("—")
    image = boss.get_by_test_id("flag-screenshot")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")

    boss.get_by_test_id("send-report").click()
    expect(boss.get_by_test_id("incident-status")).to_have_text(
        "Отправлен в техподдержку", timeout=10_000
    )
    expect(boss.get_by_test_id("delivery-row")).to_contain_text("принят")
    expect(boss.get_by_test_id("delivery-row")).to_contain_text("вебхук")  # by name, not «webhook»
    screenshot(boss, "incident-detail")

    deadline = time.monotonic() + 10
    while not hook.requests and time.monotonic() < deadline:
        time.sleep(0.1)
    [received] = hook.requests
    report = received.json()
    assert report["counts"]["flags"] == 1 and report["conversation_ids"] == [conv_id]
    assert report["incident"]["duration_seconds"] >= 0
    [flag] = report["flags"]
    assert flag["reason"] == "outdated" and "/help/" in flag["answer"]
    assert flag["screenshot"].endswith("/screenshot") and flag["sources"]

    # the conversation link opens it in the console
    boss.get_by_test_id("incident-conversation").click()
    expect(boss.get_by_test_id("conversation")).to_be_visible()
    expect(boss.get_by_test_id("console-messages")).to_contain_text("Позовите живого человека")
