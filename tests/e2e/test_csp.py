"""Under the Content-Security-Policy (no inline script) the pages still work in a browser and
report no violation: Swagger UI on /docs from packaged files, the KPI chart, the customer
chat (issue 16, item 11)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import ConsoleMessage, expect

from tests.e2e.conftest import NewPage, Server, login

pytestmark = pytest.mark.e2e


def test_pages_work_under_the_policy_without_violations(server: Server, new_page: NewPage) -> None:
    page = new_page()
    violations: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            violations.append(message.text)

    page.on("console", watch)
    page.goto(f"{server.url}/docs")
    expect(page.locator(".opblock").first).to_be_visible()  # operations rendered, offline
    login(page, server, "supervisor", "super-demo-1")
    page.goto(f"{server.url}/analytics")
    expect(page.get_by_test_id("kpi-chart").locator(".main-svg").first).to_be_attached()
    page.goto(f"{server.url}/chat")
    page.get_by_test_id("chat-input").fill("Здравствуйте, где мой заказ?")
    page.get_by_test_id("chat-send").click()
    expect(page.locator(".msg.mine").first).to_be_visible()
    assert violations == []


def test_pages_write_days_and_times_in_the_page_language_without_script_errors(
    server: Server, new_page: NewPage
) -> None:
    """Every page formats days and times through static/js/when.js (loaded by the base
    template): a page that cannot reach it throws, and its times stay blank."""
    page = new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    page.goto(f"{server.url}/chat")
    page.get_by_test_id("chat-input").fill("Здравствуйте, где мой заказ?")
    page.get_by_test_id("chat-send").click()
    expect(page.locator(".msg.mine .meta").first).to_have_text(re.compile(r"^\d\d:\d\d✓"))
    # a duration is rounded before it is split: 419.6 s read «6:60» on /analytics
    assert page.evaluate("[When.clock(419.6), When.clock(125), When.clock(59.6)]") == [
        "7:00",
        "2:05",
        "1:00",
    ]
    login(page, server, "supervisor", "super-demo-1")
    page.goto(f"{server.url}/safety/broadcasts")
    page.get_by_test_id("broadcast-text").fill("Сбой оплаты картами, ждём исправления")
    page.get_by_test_id("broadcast-send").click()
    # written by the server as «07.12.2026 05:06 UTC», rewritten in the browser's time zone
    expect(page.get_by_test_id("broadcast-list").locator("time").first).to_have_text(
        re.compile(r"^\d\d\.\d\d\.\d{4}, \d\d:\d\d$")
    )
    for path in ("/routing", "/workforce", "/workforce/schedule", "/safety/incidents", "/console"):
        page.goto(f"{server.url}{path}")
        page.wait_for_load_state("networkidle")
    assert errors == []
