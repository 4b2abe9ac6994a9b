"""The supervisor's routing board and a left message answered by e-mail, in the browser: the
board follows operators and queues live, the customer who would wait leaves an address, and
the operator's answer reaches a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import NewPage, Server, login, screenshot, start_server
from tests.smtp import Inbox, local_smtp

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def inbox() -> Iterator[tuple[Inbox, int]]:
    with local_smtp() as running:
        yield running


@pytest.fixture(scope="module")
def mail_server(
    tmp_path_factory: pytest.TempPathFactory, inbox: tuple[Inbox, int]
) -> Iterator[Server]:
    yield from start_server(
        tmp_path_factory.mktemp("e2e-mail"),
        bot_enabled="false",
        smtp_host="127.0.0.1",
        smtp_port=str(inbox[1]),
        mail_from="support@shop.example",
    )


def test_board_follows_operators_and_a_left_message_is_answered_by_mail(
    mail_server: Server, new_page: NewPage, inbox: tuple[Inbox, int]
) -> None:
    server, box = mail_server, inbox[0]
    boss = new_page()
    login(boss, server, "supervisor", "super-demo-1")
    boss.goto(f"{server.url}/routing")
    anna_row = boss.locator("[data-testid=operator-row]").filter(has_text="Анна Смирнова")
    expect(anna_row.get_by_test_id("operator-status")).to_have_text("не в сети")

    # nobody is online: the customer waits behind the demo's queue and is offered other ways
    queue_row = boss.get_by_test_id("queue-row").first
    expect(queue_row).to_be_visible()
    before = int(queue_row.get_by_test_id("queue-waiting").inner_text())
    customer = new_page()
    customer.goto(f"{server.url}/chat")
    question = f"Верните деньги за заказ {uuid.uuid4().hex[:6]}"
    customer.get_by_test_id("chat-name").fill("Мария")
    customer.get_by_test_id("chat-input").fill(question)
    customer.get_by_test_id("chat-send").click()
    expect(customer.get_by_test_id("queue-place")).to_contain_text(
        "в очереди; сейчас нет свободных операторов"
    )
    expect(queue_row.get_by_test_id("queue-waiting")).to_have_text(str(before + 1))
    expect(boss.get_by_test_id("today-contacts")).not_to_have_text("0")
    customer.get_by_test_id("alt-email").click()
    customer.get_by_test_id("alt-email-input").fill("maria@example.ru")
    customer.get_by_test_id("alt-email-send").click()
    expect(customer.get_by_test_id("chat-messages")).to_contain_text(
        "Мы ответим на maria@example.ru"
    )
    expect(queue_row.get_by_test_id("queue-waiting")).to_have_text(str(before))

    # the operator logs in: the board shows her online, and the left message reaches her
    console = new_page()
    login(console, server, "anna", "operator-demo-1")
    console.goto(f"{server.url}/console")
    expect(anna_row.get_by_test_id("operator-status")).to_have_text("на линии")
    item = console.get_by_test_id("mine-list").locator("[data-testid=inbox-item]", has_text="Мария")
    item.click()
    expect(console.get_by_test_id("console-messages")).to_contain_text("maria@example.ru")
    load = anna_row.get_by_test_id("operator-load")
    expect(load).not_to_have_text("0/")
    answer = "Деньги вернутся на карту за 3 рабочих дня."
    console.get_by_test_id("reply-input").fill(answer)
    console.get_by_test_id("reply-send").click()

    deadline = time.monotonic() + 20
    while not box.mails and time.monotonic() < deadline:
        time.sleep(0.2)
    [mail] = box.mails
    assert mail["To"] == "maria@example.ru" and mail["From"] == "support@shop.example"
    assert mail["Subject"].startswith("Ответ на ваше обращение")
    assert answer in mail.get_content() and "Анна Смирнова" in mail.get_content()
    expect(boss.get_by_test_id("mail-pending")).to_have_text("0")

    # the supervisor changes her capacity; she takes a break: both show at once
    anna_row.get_by_test_id("operator-edit").click()
    held = load.inner_text().split("/")[0]
    boss.get_by_test_id("profile-capacity").fill("7")
    boss.get_by_test_id("profile-save").click()
    expect(boss.get_by_test_id("profile-saved")).to_be_visible()
    expect(load).to_have_text(f"{held}/7")
    console.get_by_test_id("status-break").click()
    expect(anna_row.get_by_test_id("operator-status")).to_have_text("перерыв")
    screenshot(boss, "routing-board")
