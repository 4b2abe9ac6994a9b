"""The KPI dashboards in the browser: the supervisor filters, sees the table coloured against
targets and the plotly trend; an operator sees their own numbers against the team."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import NewPage, Server, login, screenshot

pytestmark = pytest.mark.e2e


def test_dashboards_render_numbers_and_charts(server: Server, new_page: NewPage) -> None:
    boss = new_page()
    login(boss, server, "supervisor", "super-demo-1")
    boss.goto(f"{server.url}/analytics")
    rows = boss.get_by_test_id("kpi-table").locator("[data-testid=kpi-row]")
    # the page opens on this week; the demo's history ends yesterday, so take 30 days
    expect(rows.filter(has_text="Таргет")).to_be_visible()
    start = boss.evaluate(
        "new Date(Date.now() - 29 * 86400000 - new Date().getTimezoneOffset() * 60000)"
        ".toISOString().slice(0, 10)"
    )
    boss.get_by_test_id("kpi-start").fill(start)
    boss.get_by_test_id("kpi-apply").click()
    expect(rows.filter(has_text="Таргет")).to_be_visible()
    # the demo's closed conversations have operators: their AHT is a number, not a dash
    anna = rows.filter(has_text="Анна Смирнова")
    expect(anna).to_be_visible()
    expect(anna.locator("td[data-kpi=aht]")).not_to_have_text("—")
    chart = boss.get_by_test_id("kpi-chart")
    expect(chart.locator(".main-svg").first).to_be_attached()
    expect(chart).not_to_have_attribute("data-points", "0")
    boss.get_by_test_id("kpi-chart-kpi").select_option("service_level")
    expect(chart.locator(".legendtext").filter(has_text="Таргет")).to_be_visible()

    # a supervisor raises the service-level target: the target row follows
    boss.get_by_test_id("target-kpi").select_option("service_level")
    boss.get_by_test_id("target-value").fill("85")
    boss.get_by_test_id("target-save").click()
    expect(boss.get_by_test_id("target-saved")).to_be_visible()
    target_row = rows.filter(has_text="Таргет")
    expect(target_row.locator("td[data-kpi=service_level]")).to_have_text("85.0 %")

    # one operator against the team: a team row appears and the chart has both lines
    boss.get_by_test_id("kpi-group").select_option("day")
    boss.get_by_test_id("kpi-operator").select_option(label="Анна Смирнова")
    boss.get_by_test_id("kpi-apply").click()
    expect(rows.filter(has_text="Команда")).to_be_visible()
    expect(chart.locator(".legendtext").filter(has_text="Команда")).to_be_visible()
    with boss.expect_download() as download:
        boss.get_by_test_id("kpi-xlsx").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    screenshot(boss, "analytics-supervisor")

    operator = new_page()
    login(operator, server, "dmitry", "operator-demo-2")
    operator.goto(f"{server.url}/analytics/me")
    mine = operator.get_by_test_id("kpi-table").locator("[data-testid=kpi-row]")
    expect(mine.filter(has_text="Команда")).to_be_visible()
    expect(operator.get_by_test_id("kpi-chart").locator(".main-svg").first).to_be_attached()
    screenshot(operator, "analytics-operator")
    # logging out takes her off the line again, so routing does not wait for her
    operator.locator("form[action='/logout'] button").click()
    expect(operator).to_have_url(re.compile(r"/login|/$"))


def test_schedule_page_charts_planned_against_required(server: Server, new_page: NewPage) -> None:
    boss = new_page()
    login(boss, server, "supervisor", "super-demo-1")
    boss.goto(f"{server.url}/workforce")
    chart = boss.get_by_test_id("wfm-chart")
    # the forecast fits Holt-Winters twice: seconds on a busy machine
    expect(chart).to_have_attribute("data-intervals", "48", timeout=90_000)
    expect(chart.locator(".legendtext").filter(has_text="В графике")).to_be_visible()
    rows = boss.get_by_test_id("wfm-table").locator("[data-testid=wfm-row]")
    expect(rows).to_have_count(48)
    # the demo's history has two months, so the forecast's error is measured and shown
    expect(boss.get_by_test_id("wfm-summary")).to_contain_text("WAPE")
    noon = rows.filter(has_text="12:00").first
    expect(noon.locator("td").nth(5)).not_to_have_text("0")  # shifts are planned at noon
    screenshot(boss, "workforce-schedule")
