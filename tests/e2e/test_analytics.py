"""The KPI dashboards in the browser: the supervisor filters, sees the table coloured against
targets and the plotly trend; an operator sees their own numbers against the team."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, Route, expect

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


# the chart's traces and layout as plotly holds them: what the supervisor sees drawn
CHART = """() => {
  const el = document.querySelector("[data-testid=kpi-chart]");
  return {
    title: el.layout.yaxis.title && el.layout.yaxis.title.text,
    traces: el.data.map((t) => ({ name: t.name, x: t.x, y: t.y, customdata: t.customdata || null,
      hovertemplate: t.hovertemplate || null, symbol: (t.marker && t.marker.symbol) || null })),
    annotations: (el.layout.annotations || []).map((a) => ({ x: a.x, y: a.y, text: a.text })),
    shapes: (el.layout.shapes || []).length,
  };
}"""


def _day(page: Page, days_back: int) -> tuple[str, str]:
    """(ISO, ДД.ММ.ГГГГ) of the contact center's today minus `days_back` days."""
    iso = page.evaluate(
        """(back) => {
          const t = document.querySelector("main.analytics").dataset.today;
          const day = new Date(Date.parse(`${t}T12:00:00Z`) - back * 86400000);
          return day.toISOString().slice(0, 10);
        }""",
        days_back,
    )
    return iso, f"{iso[8:10]}.{iso[5:7]}.{iso[0:4]}"


def test_trend_has_units_a_fortnight_and_marks_today_alone(
    server: Server, new_page: NewPage
) -> None:
    boss = new_page()
    login(boss, server, "supervisor", "super-demo-1")
    # today as it is early in the morning: a row (operators on the line) without a value
    aht_today: list[float | None] = [None]

    def today_as_set(route: Route) -> None:
        response = route.fetch()
        body = response.json()
        today = body["end"]  # every period here ends today
        rows = [r for r in body["rows"] if r["key"] != today]
        if rows and body["end"] == today:
            values = dict.fromkeys(rows[-1]["values"])
            values["aht"] = aht_today[0]
            rows.append({"key": today, "label": today, "values": values})
        body["rows"] = rows
        route.fulfill(response=response, json=body)

    boss.route(re.compile(r"/api/v1/analytics/kpis\?.*group=day"), today_as_set)
    boss.goto(f"{server.url}/analytics")
    chart = boss.get_by_test_id("kpi-chart")
    expect(chart.locator(".main-svg").first).to_be_attached()
    expect(boss.get_by_test_id("kpi-row").filter(has_text="Таргет")).to_be_visible()

    # the table keeps this week; the trend shows the last 14 days, this week shaded
    week_start = boss.get_by_test_id("kpi-start").input_value()
    drawn = boss.evaluate(CHART)
    _first_iso, first = _day(boss, 13)
    assert drawn["traces"][0]["x"][0] == first
    assert drawn["shapes"] == 1 or week_start == _first_iso
    expect(boss.get_by_test_id("kpi-chart-note")).to_be_visible()

    # the y axis says what it counts and in what; hover values read as the table's
    assert drawn["title"].startswith("AHT") and drawn["title"].endswith(", с")
    aht = drawn["traces"][0]
    assert "%{customdata}" in aht["hovertemplate"]
    shown = [c for c in aht["customdata"] if c != "—"]
    assert shown and all(re.fullmatch(r"\d+:\d\d|\d+ с", c) for c in shown), shown
    boss.get_by_test_id("kpi-chart-kpi").select_option("service_level")
    drawn = boss.evaluate(CHART)
    assert drawn["title"].endswith(", %")
    assert all(re.fullmatch(r"\d+\.\d %", c) for c in drawn["traces"][0]["customdata"] if c != "—")
    boss.get_by_test_id("kpi-chart-kpi").select_option("csat")
    assert boss.evaluate(CHART)["title"].endswith(", средняя оценка 1–5")
    boss.get_by_test_id("kpi-chart-kpi").select_option("aht")

    # early morning: today has no AHT yet, so nothing is hollow and no arrow points at 0
    drawn = boss.evaluate(CHART)
    assert [t for t in drawn["traces"] if t["symbol"] == "circle-open"] == []
    assert drawn["annotations"] == []
    expect(chart).to_have_attribute("data-partial", "false")

    # later: today's point, and only it, is hollow, the arrow on it
    aht_today[0] = 300.0
    boss.get_by_test_id("kpi-apply").click()
    expect(chart).to_have_attribute("data-partial", "true")
    drawn = boss.evaluate(CHART)
    _iso, today = _day(boss, 0)
    hollow = [t for t in drawn["traces"] if t["symbol"] == "circle-open"]
    assert [t["x"] for t in hollow] == [[today]]
    assert hollow[0]["customdata"] == ["5:00"]
    assert drawn["annotations"] == [{"x": today, "y": 300, "text": "неполный день"}]
    main = drawn["traces"][0]
    assert main["y"][main["x"].index(today)] is None

    # a month chosen: the trend is the month, nothing shaded
    start, _ = _day(boss, 29)
    boss.get_by_test_id("kpi-start").fill(start)
    boss.get_by_test_id("kpi-apply").click()
    expect(chart).to_have_attribute("data-points", "30")  # the demo has every day
    expect(boss.get_by_test_id("kpi-chart-note")).to_be_hidden()
    drawn = boss.evaluate(CHART)
    assert drawn["shapes"] == 0
    assert drawn["traces"][0]["x"][0] == f"{start[8:10]}.{start[5:7]}.{start[0:4]}"
