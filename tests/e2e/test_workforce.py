"""/workforce as a lead reads it: the service level the schedule gives beside the one the
required agents would give, numbers written the Russian way, AHT as a clock."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import NewPage, Server, login

pytestmark = pytest.mark.e2e


def test_staffing_table_reads_the_schedules_service_level_in_russian(
    server: Server, new_page: NewPage
) -> None:
    boss = new_page()
    login(boss, server, "supervisor", "super-demo-1")
    boss.goto(f"{server.url}/workforce")
    # the forecast fits Holt-Winters twice: seconds on a busy machine
    expect(boss.get_by_test_id("wfm-chart")).to_have_attribute(
        "data-intervals", "48", timeout=90_000
    )
    expect(boss.locator("h1")).to_have_text("Потребность в операторах")
    expect(boss.get_by_test_id("workforce-nav").get_by_role("link", name="График")).to_be_visible()
    head = boss.get_by_test_id("wfm-table").locator("thead").inner_text()
    assert "По графику" in head and "Нужно" in head
    rows = boss.get_by_test_id("wfm-table").locator("[data-testid=wfm-row]")
    expect(rows).to_have_count(48)
    cells: list[list[str]] = rows.evaluate_all(
        "rs => rs.map(r => [...r.querySelectorAll('td')].map(td => td.textContent))"
    )
    channels: list[list[str]] = boss.get_by_test_id("wfm-channel").evaluate_all(
        "rs => rs.map(r => [...r.querySelectorAll('td')].map(td => td.textContent))"
    )
    text = " ".join(
        [
            *(c for row in cells + channels for c in row),
            boss.get_by_test_id("wfm-basis").inner_text(),
        ]
    )
    assert not re.search(r"\d\.\d", text), text  # «1,4», never «1.4» next to «1,02»
    assert re.search(r"\d,\d", text)
    clock = re.compile(r"^\d+:\d\d$|^\d+ с$")  # AHT as /analytics writes it: «7:04»
    assert all(clock.match(row[2]) for row in cells), [row[2] for row in cells]
    assert all(clock.match(row[5]) for row in channels), [row[5] for row in channels]
    # a half hour with contacts and nobody on shift gives 0 %, marked, whatever is required
    uncovered = [row for row in cells if row[5] == "0" and row[1] != "0"]
    assert uncovered, cells
    for row in uncovered:
        assert row[6].startswith("0 %") and "никого" in row[6], row
        assert float(row[7].split()[0].replace(",", ".")) >= 80, row  # at the required count
