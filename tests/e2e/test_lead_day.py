"""A contact-center lead's day in the browser, end to end: shifts imported from a CSV, an
operator who logs in offline and goes on the line with one click, takes chats and closes one
while a broadcast banner is up, live adherence on /routing, the analytics tiles and the
per-operator table within 1280 px, and /workforce planning from the contacts that reach
people."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import NewPage, Server, login, screenshot, start_server

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def day_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from start_server(tmp_path_factory.mktemp("e2e-lead-day"), bot_enabled="false")


def _shifts_csv() -> tuple[str, str, str]:
    """Anna and Dmitry are both due on the line now (local time), for a few hours."""
    now = datetime.now(ZoneInfo("Europe/Moscow"))
    start = (now - timedelta(hours=1)).replace(minute=0)
    end = start + timedelta(hours=5)
    day = start.strftime("%d.%m.%Y")
    rows = [f"{who},{day},{start:%H:%M},{end:%H:%M}" for who in ("anna", "dmitry")]
    good = "login,date,start,end\n" + "\n".join(rows) + "\n"
    bad = good + f"nobody,{day},09:00,10:00\n"
    return good, bad, f"{start:%H:%M}–{end:%H:%M}"


def _clear_demo_shifts(page: Page, server: Server, names: tuple[str, ...]) -> None:
    """The demo plans two weeks of shifts; today's of these two make room for the import."""
    csrf = page.request.get(f"{server.url}/api/v1/me").json()["csrf_token"]
    since = (datetime.now(ZoneInfo("UTC")) - timedelta(days=1)).isoformat()
    until = (datetime.now(ZoneInfo("UTC")) + timedelta(days=1)).isoformat()
    week = page.request.get(f"{server.url}/api/v1/workforce/schedule").json()
    ids = {o["user_id"] for o in week["operators"] if o["name"] in names}
    for shift in week["shifts"]:
        if shift["user_id"] in ids and since < shift["starts_at"] < until:
            gone = page.request.delete(
                f"{server.url}/api/v1/workforce/shifts/{shift['id']}",
                headers={"X-CSRF-Token": csrf},
            )
            assert gone.ok, gone.text()


def _upload(page: Page, path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    page.get_by_test_id("import-file").set_input_files(path)
    page.get_by_test_id("import-send").click()


def test_the_leads_day(day_server: Server, new_page: NewPage, tmp_path: Path) -> None:
    server = day_server
    boss = new_page()
    login(boss, server, "supervisor", "super-demo-1")
    assert boss.request.get(f"{server.url}/favicon.ico").ok

    # 1. shifts from a CSV: a bad file is refused whole, with the line at fault
    _clear_demo_shifts(boss, server, ("Анна Смирнова", "Дмитрий Волков"))
    boss.goto(f"{server.url}/workforce/schedule")
    good, bad, hours = _shifts_csv()
    _upload(boss, f"{tmp_path}/bad.csv", bad)
    expect(boss.get_by_test_id("import-error")).to_have_text("строка 4: неизвестный логин nobody")
    _upload(boss, f"{tmp_path}/good.csv", good)
    expect(boss.get_by_test_id("week-notice")).to_have_text("Импортировано смен: 2")
    anna_row = boss.get_by_test_id("week-row").filter(has_text="Анна Смирнова")
    expect(anna_row.get_by_test_id("shift").filter(has_text=hours)).to_have_count(1)

    # 2. Anna logs in offline, goes on the line with one click and gets the waiting chats
    console = new_page()
    login(console, server, "anna", "operator-demo-1", online=False)
    console.goto(f"{server.url}/console")
    expect(console.get_by_test_id("status-offline")).to_have_attribute("aria-pressed", "true")
    expect(console.get_by_test_id("mine-count")).to_have_text("0")
    console.get_by_test_id("status-online").click()
    expect(console.get_by_test_id("status-online")).to_have_attribute("aria-pressed", "true")
    customer = new_page()
    customer.goto(f"{server.url}/chat")
    customer.get_by_test_id("chat-name").fill("Мария")
    customer.get_by_test_id("chat-input").fill(f"Где мой заказ {uuid.uuid4().hex[:6]}?")
    customer.get_by_test_id("chat-send").click()
    first = console.get_by_test_id("mine-list").locator("[data-testid=inbox-item]").first
    expect(first).to_be_visible()
    first.click()
    expect(console.get_by_test_id("reply-form")).to_be_visible()
    # the knowledge base from the console: a passage and its link into the reply box
    console.get_by_test_id("kb-search-input").fill("пункт выдачи")
    article = console.get_by_test_id("kb-hits").get_by_test_id("kb-hit").first.locator("a")
    title = article.inner_text()
    console.get_by_test_id("kb-insert").first.click()
    assert f"{server.url}/help/" in console.get_by_test_id("reply-input").input_value()
    # the console reports what the reply started from once the reply is stored: waited for,
    # not polled against a deadline (on a loaded machine it came after 10 s)
    with console.expect_response(
        lambda r: r.url.endswith("/choice") and r.request.method == "POST", timeout=30_000
    ) as reported:
        console.get_by_test_id("reply-send").click()
    assert reported.value.ok, reported.value.text()
    link = console.get_by_test_id("console-messages").get_by_test_id("message-link").last
    expect(link).to_have_attribute("href", re.compile(rf"^{re.escape(server.url)}/help/\d+$"))
    # the article she answered from is a verdict for the bot's search, shown in /kb
    answered = boss.get_by_test_id("kb-verdict-row").filter(has_text=title)
    boss.goto(f"{server.url}/kb?view=search")
    expect(answered.get_by_test_id("kb-verdict-source")).to_have_text("оператор ответил по ней")
    expect(answered.get_by_test_id("kb-verdict-who")).to_have_text("Анна Смирнова")
    # reviewing one operator's verdicts: hers alone, then all of them deleted at once
    boss.get_by_test_id("kb-verdict-operators").get_by_role(
        "link", name="Анна Смирнова (1)"
    ).click()
    expect(boss.get_by_test_id("kb-verdict-row")).to_have_count(1)
    boss.once("dialog", lambda dialog: dialog.accept())
    boss.get_by_test_id("kb-delete-operators-verdicts").get_by_role("button").click()
    expect(boss.get_by_test_id("kb-operators-deleted")).to_have_text("Отметки оператора удалены")
    expect(boss.get_by_test_id("kb-verdict-row")).to_have_count(0)

    # 3. a broadcast arrives: its banner sits above the console, the chat still closes
    csrf = boss.request.get(f"{server.url}/api/v1/me").json()["csrf_token"]
    sent = boss.request.post(
        f"{server.url}/api/v1/safety/broadcasts",
        data={"text": "Сбой оплаты картами: не обещайте возврат сегодня", "level": "critical"},
        headers={"X-CSRF-Token": csrf},
    )
    assert sent.ok, sent.text()
    banner = console.get_by_test_id("broadcast-banner").first
    expect(banner).to_be_visible()
    close = console.get_by_test_id("close")
    box_banner, box_close = banner.bounding_box(), close.bounding_box()
    assert box_banner and box_close and box_banner["y"] + box_banner["height"] <= box_close["y"]
    close.click()  # actionable: nothing covers it
    expect(console.get_by_test_id("wrapup-form")).to_be_visible()
    head = console.locator(".conv-head").bounding_box()
    assert head is not None and head["y"] >= 0  # the header is still on screen
    console.get_by_test_id("wrapup-topic").select_option(index=1)
    console.get_by_test_id("wrapup-save").click()
    expect(console.get_by_test_id("wrapup-form")).to_be_hidden()
    screenshot(console, "lead-day-console")

    # 4. /routing: Dmitry should be on the line and is not; Anna is on plan
    boss.goto(f"{server.url}/routing")
    rows = boss.get_by_test_id("adherence-row")
    expect(rows.filter(has_text="Дмитрий")).to_have_attribute("data-problem", "absent")
    expect(rows.filter(has_text="Анна Смирнова")).to_have_attribute("data-problem", "")

    # 5. /analytics: today's tiles, and the per-operator table within 1280 px
    boss.goto(f"{server.url}/analytics")
    expect(boss.get_by_test_id("tile-service_level")).to_be_visible()
    expect(boss.get_by_test_id("tile-at-target")).to_contain_text("цель 95 %")
    expect(boss.get_by_test_id("tile-service_level")).to_have_attribute("title", re.compile(".+"))
    rows = boss.get_by_test_id("kpi-table").locator("[data-testid=kpi-row]")
    expect(rows.filter(has_text="Анна Смирнова")).to_be_visible()
    nobody = boss.get_by_test_id("nobody-breakdown")
    expect(nobody).to_contain_text("Решил бот")
    expect(nobody).not_to_have_class("bad")
    screenshot(boss, "lead-day-analytics")
    fits = boss.evaluate(
        """() => {
          const wrap = document.querySelector('[data-testid=kpi-table-wrap]');
          const page = document.documentElement.scrollWidth;
          return [wrap.scrollWidth <= wrap.clientWidth, page <= 1280];
        }"""
    )
    assert fits == [True, True]
    screenshot(boss, "lead-day-analytics")

    # 6. /workforce plans from the contacts that reach people, with whole agents on its axis
    boss.goto(f"{server.url}/workforce")
    # the forecast fits Holt-Winters twice: seconds on a busy machine
    expect(boss.get_by_test_id("wfm-basis")).to_contain_text("доходят до людей", timeout=90_000)
    expect(boss.get_by_test_id("wfm-channel").first).to_be_visible()
    expect(boss.get_by_test_id("wfm-channels")).to_contain_text("веб-чат")  # named, not «web»
    expect(boss.get_by_test_id("wfm-chart").locator(".main-svg").first).to_be_attached()
    assert (
        boss.evaluate("document.querySelector('[data-testid=wfm-chart]').layout.yaxis.tickformat")
        == "d"
    )
    expect(boss.get_by_test_id("wfm-summary")).not_to_contain_text("seasonal_naive")
    expect(boss.locator("body")).not_to_contain_text("усушк")
    screenshot(boss, "lead-day-workforce")
