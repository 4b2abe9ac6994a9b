"""An e-mail thread as the operator meets it: three mails of one customer (a reply by
In-Reply-To, a reply by References only) land in one conversation read from a real IMAP
server (Dovecot), and the operator's answer leaves through a real SMTP server threaded
under the customer's last mail."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import NewPage, Server, login, screenshot, start_server
from tests.imap import append, fresh_folder, mail
from tests.smtp import Inbox, local_smtp

pytestmark = pytest.mark.e2e
SENDER = "Ольга Соколова <olga@customer.example>"


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[Inbox, int]]:
    with local_smtp() as found:
        yield found


@pytest.fixture(scope="module")
def mailbox() -> Iterator[tuple[str, object]]:
    with fresh_folder() as found:
        yield found


@pytest.fixture(scope="module")
def mail_server(
    tmp_path_factory: pytest.TempPathFactory,
    smtp: tuple[Inbox, int],
    mailbox: tuple[str, object],
) -> Iterator[Server]:
    yield from start_server(
        tmp_path_factory.mktemp("e2e-mail"),
        bot_enabled="false",
        imap_mailboxes=mailbox[0],
        imap_poll_seconds="1",
        smtp_host="127.0.0.1",
        smtp_port=str(smtp[1]),
        mail_from="support@shop.example",
    )


def test_three_mails_one_conversation_and_a_threaded_answer(
    mail_server: Server, mailbox: tuple[str, object], smtp: tuple[Inbox, int], new_page: NewPage
) -> None:
    url, client = mailbox
    first = mail(SENDER, "Не пришёл заказ 5521", "Здравствуйте! Заказ 5521 не пришёл.")
    second = mail(
        SENDER,
        "Re: Не пришёл заказ 5521",
        "Трек-номер не обновляется.\n\n> Здравствуйте!",
        in_reply_to=first["Message-ID"],
        references=first["Message-ID"],
    )
    refs = f"{first['Message-ID']} {second['Message-ID']}"
    third = mail(SENDER, "Re: Не пришёл заказ 5521", "Прошу вернуть деньги.", references=refs)
    for m in (first, second, third):
        append(client, url, m)  # type: ignore[arg-type]

    console = new_page()
    login(console, mail_server, "anna", "operator-demo-1")
    console.goto(f"{mail_server.url}/console")
    item = console.locator("[data-testid=inbox-item]", has_text="5521")
    expect(item).to_have_count(1, timeout=20_000)
    item.click()
    messages = console.get_by_test_id("console-messages")
    expect(messages).to_contain_text("Прошу вернуть деньги", timeout=15_000)
    expect(messages).to_contain_text("Трек-номер не обновляется")
    assert console.locator(".msg.theirs").count() == 3
    take = console.get_by_test_id("take")
    if take.is_visible():
        take.click()
    console.get_by_test_id("reply-input").fill("Ольга, оформила возврат по заказу 5521.")
    console.get_by_test_id("reply-send").click()
    expect(console.locator(".msg.mine", has_text="оформила возврат")).to_be_visible()
    screenshot(console, "console-mail-thread")

    inbox = smtp[0]
    deadline = time.monotonic() + 30
    while not inbox.mails and time.monotonic() < deadline:
        time.sleep(0.2)
    [answer] = inbox.mails
    assert answer["To"] == "olga@customer.example"
    assert answer["In-Reply-To"] == third["Message-ID"]
    for m in (first, second, third):
        assert m["Message-ID"] in answer["References"]
    assert answer["Subject"].startswith("Re: Не пришёл заказ 5521 [№ ")
    assert "оформила возврат" in answer.get_content()
