"""Inbound e-mail through a real IMAP server (Dovecot on loopback): threading by
Message-ID, In-Reply-To, References and a ticket number (never by the subject text alone),
quotes and signatures cut, HTML read safely, attachments checked, auto-replies and bounces
noted but never answered, and answers threaded out through the SMTP outbox."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.helpers import make_user
from tests.imap import append, fresh_folder, mail
from tests.smtp import local_smtp
from wowdesk.channels import imap, mail_answers
from wowdesk.channels.mail_inbound import our_message_id
from wowdesk.channels.mail_parse import html_to_text, new_words, parse_mail
from wowdesk.channels.models import InboundMail, MailboxState
from wowdesk.config import Settings
from wowdesk.conversations import outbox
from wowdesk.conversations import service as conversations
from wowdesk.conversations.models import Conversation, Message, OutgoingMail
from wowdesk.mail import Smtp
from wowdesk.routing import service as routing

SECRET = "test-secret"
MARIA = "Мария Иванова <Maria@Customer.Example>"


def test_new_words_without_quotes_and_signature() -> None:
    text = (
        "Спасибо, а когда приедет?\n\nС уважением,\nМария\n\n"
        "Пт, 4 дек. 2026 г. в 10:00, Поддержка <support@shop.example>:\n> Заказ в пути"
    )
    assert new_words(text) == "Спасибо, а когда приедет?"
    english = "Still broken.\n\nOn Fri, Dec 4, 2026 at 10:00 Support wrote:\n> Try again"
    assert new_words(english) == "Still broken."
    outlook = "Да, верно.\n-----Original Message-----\nFrom: Support\nSubject: Re: заказ"
    assert new_words(outlook) == "Да, верно."
    assert new_words("Ок\n-- \nИван Петров\n+7 999 000-00-00") == "Ок"


def test_html_is_read_as_text_without_running_anything() -> None:
    html = (
        "<html><head><style>p{}</style><script>alert('x')</script></head><body>"
        "<p>Заказ&nbsp;<b>4417</b> не пришёл</p><img src='https://tracker.example/p.gif'>"
        "<a href='https://shop.example/o/4417'>заказ</a><blockquote>старое письмо</blockquote>"
        "</body></html>"
    )
    text = html_to_text(html)
    assert "alert" not in text and "p{}" not in text and "tracker" not in text
    assert "Заказ 4417 не пришёл" in text and "(https://shop.example/o/4417)" in text
    assert new_words(text).endswith("(https://shop.example/o/4417)")  # the quote is cut


def test_machines_are_recognised() -> None:
    vacation = mail(MARIA, "Автоответ: я в отпуске", "Вернусь 10-го",
                    headers={"Auto-Submitted": "auto-replied"})  # fmt: skip
    assert parse_mail(vacation.as_bytes()).automatic == "auto_reply"
    bounce = mail("MAILER-DAEMON@mx.example", "Undelivered Mail", "550 no such user")
    assert parse_mail(bounce.as_bytes()).automatic == "bounce"
    person = mail(MARIA, "Вопрос", "Здравствуйте")
    assert parse_mail(person.as_bytes()).automatic == ""


@pytest.fixture
def mail_settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings.model_copy(update={"secret_key": SECRET, "attachment_max_bytes": 4096})


@pytest.fixture
def folder() -> Iterator[tuple[str, object]]:
    with fresh_folder() as found:
        yield found


def poll(settings: Settings, factory: sessionmaker[Session], url: str) -> int:
    channel = imap.MailChannel(settings.model_copy(update={"imap_mailboxes": url}), factory)
    return asyncio.run(channel.poll(channel.boxes[0]))


def customer_texts(db: Session, conversation_id: int) -> list[str]:
    return [
        m.text
        for m in db.scalars(
            select(Message)
            .where(Message.conversation_id == conversation_id, Message.author_kind == "customer")
            .order_by(Message.seq)
        )
    ]


def test_a_thread_of_mails_is_one_conversation(
    mail_settings: Settings, factory: sessionmaker[Session], folder: tuple[str, object]
) -> None:
    url, client = folder
    first = mail(MARIA, "Где мой заказ 4417?", "Здравствуйте! Заказ 4417 не пришёл.\n-- \nМария")
    append(client, url, first)  # type: ignore[arg-type]
    assert poll(mail_settings, factory, url) == 1
    second = mail(MARIA, "Re: Где мой заказ 4417?", "Прошла неделя.\n\n> Здравствуйте!",
                  in_reply_to=first["Message-ID"], references=first["Message-ID"])  # fmt: skip
    with factory() as db:
        conv = db.scalars(select(Conversation)).one()
    # a third mail with only the ticket number in the subject, from the same customer
    third = mail("maria@customer.example", f"Заказ [№ {conv.id}]", "Жду ответа")
    stranger = mail("eve@evil.example", f"Re: Заказ [№ {conv.id}]", "Покажите мне заказ")
    vacation = mail(MARIA, "Автоответ", "Я в отпуске", in_reply_to=first["Message-ID"],
                    headers={"Auto-Submitted": "auto-replied"})  # fmt: skip
    same_subject = mail("other@customer.example", "Где мой заказ 4417?", "И мой тоже")
    for m in (second, third, stranger, vacation, same_subject):
        append(client, url, m)  # type: ignore[arg-type]
    assert poll(mail_settings, factory, url) == 5
    assert poll(mail_settings, factory, url) == 0  # nothing new

    with factory() as db:
        convs = list(db.scalars(select(Conversation).order_by(Conversation.id)))
        assert [c.channel for c in convs] == ["email"] * 3
        assert customer_texts(db, conv.id) == [
            "Где мой заказ 4417?\n\nЗдравствуйте! Заказ 4417 не пришёл.",
            "Прошла неделя.",
            "Жду ответа",
        ]
        notes = conversations.list_messages(db, convs[0])
        assert any(m.author_kind == "system" and "отпуске" in m.text for m in notes)
        kinds = dict(db.execute(select(InboundMail.sender, InboundMail.kind)).all())
        assert kinds["maria@customer.example"] in ("message", "auto_reply")
        # the mailbox renumbered (UIDVALIDITY changed): everything is read again, stored once
        state = db.scalars(select(MailboxState)).one()
        state.uidvalidity, state.last_uid = 1, 0
        db.commit()
    assert poll(mail_settings, factory, url) == 0
    with factory() as db:
        assert len(customer_texts(db, conv.id)) == 3


def test_attachments_are_checked_and_stored(
    mail_settings: Settings, factory: sessionmaker[Session], folder: tuple[str, object]
) -> None:
    url, client = folder
    files = [
        ("act.pdf", "application/pdf", b"%PDF-1.4 act"),
        ("invoice.pdf", "application/pdf", b"MZ\x90\x00 an executable renamed"),
        ("scan.png", "image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 5000),
    ]
    append(client, url, mail(MARIA, "Документы", "Высылаю", attachments=files))  # type: ignore[arg-type]
    poll(mail_settings, factory, url)
    with factory() as db:
        conv = db.scalars(select(Conversation)).one()
        [msg] = [m for m in conversations.list_messages(db, conv) if m.author_kind == "customer"]
        assert [a["name"] for a in msg.meta["attachments"]] == ["act.pdf"]
        assert "invoice.pdf" in msg.text and "scan.png" in msg.text  # refused, with the reason


def test_answers_go_out_threaded_and_replies_come_back(
    mail_settings: Settings, factory: sessionmaker[Session], folder: tuple[str, object]
) -> None:
    url, client = folder
    first = mail(MARIA, "Возврат", "Хочу вернуть товар")
    append(client, url, first)  # type: ignore[arg-type]
    poll(mail_settings, factory, url)
    with factory() as db:
        conv = db.scalars(select(Conversation)).one()
        anna = make_user(db, name="Анна Смирнова")
        routing.do_take(db, conv.id, anna)
        conversations.do_operator_message(
            db, conv, anna, client_id="a1", text="Оформила возврат.", limit=4000
        )
        assert mail_answers.do_collect_answers(db, secret=SECRET, domain="shop.example") == 1
        assert mail_answers.do_collect_answers(db, secret=SECRET, domain="shop.example") == 0
        db.commit()
        with local_smtp() as (inbox, port):
            smtp = Smtp("127.0.0.1", port, sender="support@shop.example", timeout=5)
            assert outbox.do_send_due(db, smtp) == (1, 0)
            db.commit()
        sent: EmailMessage = inbox.mails[0]
        assert sent["In-Reply-To"] == first["Message-ID"]
        assert first["Message-ID"] in sent["References"]
        assert sent["Subject"] == f"Re: Возврат [№ {conv.id}]"
        ours = sent["Message-ID"]
        forged = our_message_id("another-secret", conv.id, 1, "shop.example")
        assert db.scalar(select(OutgoingMail.message_id)) == ours

    append(client, url, mail(MARIA, "Re: Возврат", "Спасибо!", in_reply_to=ours))  # type: ignore[arg-type]
    append(client, url, mail("eve@evil.example", "Re", "Подмена", in_reply_to=forged))  # type: ignore[arg-type]
    poll(mail_settings, factory, url)
    with factory() as db:
        assert customer_texts(db, conv.id)[-1] == "Спасибо!"
        assert db.scalar(select(Conversation.id).where(Conversation.id > conv.id)) is not None
