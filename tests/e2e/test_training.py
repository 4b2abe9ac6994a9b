"""Training as a newcomer lives it: a fresh operator account takes the entry test (with its
practice dialogue), gets a level and a track, reads the first module's lessons and talks
to the scripted angry customer; the attempt is scored with the points lost shown. Every
control on the training pages has an accessible name (Playwright's ARIA snapshot)."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import NewPage, Server, login, screenshot
from tests.e2e.test_broadcasts import _api
from wowdesk.training.demo_scenarios import CALM

pytestmark = pytest.mark.e2e
PASSWORD = "training-test-1"
CONTROLS = ("textbox", "checkbox", "radio", "button", "combobox", "spinbutton", "link")


def assert_every_control_labelled(page: Page) -> None:
    """Each control in the page's main part is announced with a name by a screen reader."""
    snapshot = page.locator("main").aria_snapshot()
    controls = [
        line.strip()
        for line in snapshot.splitlines()
        if re.match(rf"^- ({'|'.join(CONTROLS)})\b", line.strip())
    ]
    assert controls, snapshot
    unnamed = [c for c in controls if not re.match(r'^- \w+ "[^"]+"', c)]
    assert not unnamed, unnamed


def test_new_operator_entry_test_track_and_the_angry_customer(
    server: Server, new_page: NewPage
) -> None:
    admin = new_page()
    login(admin, server, "admin", "admin-demo-1")
    username = f"trainee-{uuid.uuid4().hex[:6]}"
    _api(admin, server, "POST", "/api/v1/users", {
        "username": username, "display_name": "Новичок Тест", "role": "operator",
        "password": PASSWORD,
    })  # fmt: skip

    page = new_page()
    login(page, server, username, PASSWORD)
    page.goto(f"{server.url}/training")
    page.get_by_test_id("training-entry-link").click()
    expect(page).to_have_url(f"{server.url}/training/entry")
    assert_every_control_labelled(page)
    page.get_by_test_id("training-option-0-1").check()
    for i in (0, 2, 3):
        page.get_by_test_id(f"training-option-1-{i}").check()
    page.get_by_test_id("training-answer-2").fill("7 дней")
    page.get_by_test_id("training-answer-3").fill("в течение 3 рабочих дней")
    page.get_by_test_id("training-entry-submit").click()

    # the entry test's dialogue part: the calm customer
    expect(page.get_by_test_id("training-line-customer").first).to_contain_text("Марина")
    for text in CALM["ideal_path"]:
        page.get_by_test_id("training-reply").fill(text)
        page.get_by_test_id("training-send").click()
    page.get_by_test_id("training-finish").click()
    expect(page.get_by_test_id("training-total")).to_be_visible()

    page.goto(f"{server.url}/training")
    expect(page.get_by_test_id("training-level")).to_have_text("опытный")
    rows = page.get_by_test_id("training-module-row")
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_contain_text("закрыт")  # opens when the first is done
    assert_every_control_labelled(page)
    rows.first.get_by_role("link").click()
    expect(page.get_by_test_id("training-module-title")).to_contain_text("Платные услуги")
    page.get_by_test_id("training-read").click()
    expect(page.get_by_test_id("training-lessons-read")).to_be_visible()
    page.get_by_test_id("training-practice-start").click()

    # the angry customer, answered without empathy and without a goodbye
    expect(page.get_by_test_id("training-line-customer").first).to_contain_text("безобразие")
    assert_every_control_labelled(page)
    for text in (
        "Здравствуйте, Ольга! Меня зовут Анна. Какое объявление заблокировали?",
        "Деньги вернутся на кошелёк в течение 3 рабочих дней после разблокировки.",
    ):
        page.get_by_test_id("training-reply").fill(text)
        page.get_by_test_id("training-send").click()
        expect(page.get_by_test_id("training-line-operator").last).to_have_text(
            re.compile(re.escape(text[:30]))
        )
    page.get_by_test_id("training-finish").click()
    score = page.get_by_test_id("training-score")
    expect(score).to_be_visible()
    lost = page.get_by_test_id("training-lost")
    expect(lost).to_contain_text("Эмпатия")
    expect(lost).to_contain_text("Завершение")
    expect(page.get_by_test_id("training-ideal").locator("li")).to_have_count(4)
    total = float(page.get_by_test_id("training-total").inner_text())
    assert 0 < total < 90
    screenshot(page, "training-angry-customer-scored")
