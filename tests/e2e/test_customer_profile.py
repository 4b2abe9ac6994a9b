"""Customer 360 in the browser: an operator opens a demo customer's conversation and sees who
the customer is, how far they are from the loyalty discount, their orders, an open case in
another department and an offer with its reason; an earlier conversation opens on a click.
A customer who reports fraud gets no offers."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Dialog, expect

from tests.e2e.conftest import NewPage, Server, login, screenshot, start_server

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A demo of its own: the shared server's demo conversations are served and closed by
    the tests before this one."""
    yield from start_server(tmp_path_factory.mktemp("e2e-profile"), bot_enabled="false")


def test_operator_sees_the_customer_360_panel(server: Server, new_page: NewPage) -> None:
    page = new_page()
    login(page, server, "anna", "operator-demo-1")
    page.goto(f"{server.url}/console")
    page.locator("[data-testid=inbox-item]", has_text="Алексей Морозов").first.click()
    expect(page.get_by_test_id("conv-customer")).to_have_text("Алексей Морозов")

    panel = page.get_by_test_id("profile")
    expect(panel).to_be_visible()
    expect(panel.get_by_test_id("profile-name")).to_have_text("Алексей Морозов")
    expect(panel.get_by_test_id("profile-segment")).to_have_text("постоянный покупатель")
    expect(panel.get_by_test_id("profile-identity")).to_have_text(re.compile(r"web\s+demo-alexey"))
    expect(panel.get_by_test_id("profile-loyalty")).to_have_text("ещё 50 000 ₽ до скидки 2,5 %")
    # a customer since the first purchase the shop's export brought, not since the import
    expect(panel.get_by_test_id("profile-since")).to_have_text("14.09.2026")

    orders = panel.get_by_test_id("profile-order")
    expect(orders).to_have_count(4)  # three kept, one cancelled: listed, not counted
    expect(orders.filter(has_text="Диван угловой «Осло»")).to_contain_text("42 000 ₽")
    expect(orders.filter(has_text="Кресло «Норд»")).to_contain_text("отменён")
    expect(panel.get_by_test_id("profile-orders-total")).to_have_text("3 · 50 000 ₽")
    expect(panel.get_by_test_id("profile-case")).to_contain_text(
        "Доставка: Перенос доставки торшера на субботу"
    )

    offers = panel.get_by_test_id("profile-offer")
    expect(offers.first).to_contain_text("часто берут вместе с диваном: журнальный стол")
    expect(panel.get_by_test_id("profile-quiet")).to_be_hidden()
    screenshot(page, "customer-360")

    # the earlier conversation, with its topic and outcome, opens on a click
    earlier = panel.get_by_test_id("earlier-item")
    expect(earlier).to_have_count(1)
    expect(earlier).to_contain_text("Доставка и пункты выдачи")
    expect(earlier).to_contain_text("закрыт")
    earlier.click()
    expect(page.get_by_test_id("console-messages")).to_contain_text("Когда привезут диван")
    # from there, the waiting conversation is the earlier one
    expect(panel.get_by_test_id("earlier-item")).to_contain_text("по программе лояльности")

    # a customer reporting fraud (and with a security complaint open) gets no offers
    page.locator("[data-testid=inbox-item]", has_text="Светлана Орлова").first.click()
    expect(page.get_by_test_id("conv-customer")).to_have_text("Светлана Орлова")
    expect(panel.get_by_test_id("profile-quiet")).to_contain_text("Предложения скрыты")
    expect(panel.get_by_test_id("profile-quiet")).to_contain_text("мошенничестве")
    expect(panel.get_by_test_id("profile-offers-box")).to_be_hidden()


def test_operator_names_a_nameless_customer(server: Server, new_page: NewPage) -> None:
    """A web chat's customer who gave no name is «#id» until the operator names them; the
    name then shows in the header, the inbox and the panel."""
    customer = new_page()
    customer.goto(f"{server.url}/chat")
    customer.get_by_test_id("chat-input").fill(
        "Добрый день. Где мой заказ? Пишу с маминого телефона"
    )
    customer.get_by_test_id("chat-send").click()
    expect(customer.locator(".msg.mine [data-testid=mark]").first).to_be_visible()
    conv_id = customer.evaluate("window.wowdeskChat.state.conv.id")

    page = new_page()
    login(page, server, "anna", "operator-demo-1")
    page.goto(f"{server.url}/console")
    item = page.locator(f"[data-testid=inbox-item][data-id='{conv_id}']")
    item.click()
    panel = page.get_by_test_id("profile")
    expect(panel.get_by_test_id("profile-name")).to_have_text(re.compile(r"^#\d+$"))
    greeting = page.locator(
        "[data-testid=assist-card][data-source=template]", has_text="Здравствуйте"
    )
    expect(greeting).to_contain_text("Здравствуйте, {customer.first_name}!")
    panel.get_by_test_id("profile-rename").click()
    panel.get_by_test_id("rename-input").fill("Ольга Соколова")
    panel.get_by_test_id("rename-save").click()
    expect(panel.get_by_test_id("profile-name")).to_have_text("Ольга Соколова")
    expect(panel.get_by_test_id("rename-form")).to_be_hidden()
    expect(page.get_by_test_id("conv-customer")).to_have_text("Ольга Соколова")
    expect(item.locator("strong")).to_have_text("Ольга Соколова")
    expect(greeting).to_contain_text("Здравствуйте, Ольга!")  # the suggested greeting too
    # an empty name is refused with the reason, and the name stays
    panel.get_by_test_id("profile-rename").click()
    panel.get_by_test_id("rename-input").fill("  ")
    panel.get_by_test_id("rename-save").click()
    expect(page.get_by_test_id("console-error")).to_have_text("Имя клиента — от 1 до 200 символов")
    expect(panel.get_by_test_id("rename-form")).to_be_visible()
    panel.get_by_test_id("rename-cancel").click()
    expect(page.get_by_test_id("console-error")).to_be_hidden()
    expect(panel.get_by_test_id("profile-name")).to_have_text("Ольга Соколова")
    screenshot(page, "customer-360-renamed")

    # the shift is over while she still holds customers: she is told what becomes of them
    said: list[str] = []

    def answer(dialog: Dialog, accept: bool) -> None:
        said.append(dialog.message)
        if accept:
            dialog.accept()
        else:
            dialog.dismiss()

    page.once("dialog", lambda d: answer(d, accept=False))
    page.get_by_test_id("status-offline").click()
    expect(page.get_by_test_id("status-online")).to_have_attribute("aria-pressed", "true")
    assert re.search(r"Диалогов в работе: \d+\. Через 60 с", said[0]), said
    page.once("dialog", lambda d: answer(d, accept=True))
    page.get_by_test_id("status-offline").click()
    expect(page.get_by_test_id("status-offline")).to_have_attribute("aria-pressed", "true")
