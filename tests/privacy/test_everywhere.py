"""An erasure reaches every table the inventory lists: a customer with data in each of them
(a Telegram chat, a mail thread and mails read, a call with its recording, notes, files on
disk, a library case and the training made from it, linked and verified identities) keeps
nothing of theirs after it, and no former identity finds them; KPIs for the period do not
change. Retention expires the new kinds on old rows only; the export holds the new parts."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import BigInteger, select, update
from sqlalchemy.orm import Session

from tests.helpers import make_user, new_conversation
from tests.privacy.test_personal_data import EMAIL, PHONE, POLICY, RAW, TZ, _age, _served
from wowdesk.analytics import service as analytics
from wowdesk.assist.models import SuggestionLog
from wowdesk.bot.models import HandoffCard, RejectedAnswer
from wowdesk.channels import personal_data as channel_data
from wowdesk.channels import telegram_inbound
from wowdesk.channels.models import (
    Attachment,
    CallRecord,
    InboundMail,
    MailThread,
    TelegramConversation,
)
from wowdesk.conversations import outbox
from wowdesk.conversations import service as conversations
from wowdesk.conversations.models import Conversation, FollowUp, Note
from wowdesk.customers import links
from wowdesk.customers import service as customers
from wowdesk.customers.models import CustomerLink
from wowdesk.db import local_today, utcnow
from wowdesk.migrations.metadata import metadata
from wowdesk.privacy import inventory, retention, service
from wowdesk.quality.models import Flag, Incident, LibraryCase, Proposal, RegressionCase
from wowdesk.safety.models import VerificationCode
from wowdesk.training.models import Attempt, MicroLesson, Scenario

CHAT_ID = 987654321012
TG_USER = 555000111222
MSGID = "<a1b2c3.order@mail.example.ru>"
URL = "https://pbx.example.ru/rec/maria-7.mp3"
FILE_NAME = "паспорт-скан.pdf"
# what must not be found anywhere after the erasure
SECRETS = [
    PHONE,
    "9161234567",
    EMAIL,
    "Иванов",
    "a1b2c3.order",
    URL,
    "паспорт",
    str(CHAT_ID),
    str(TG_USER),
]


def _file(folder: Path, ext: str = ".pdf") -> str:
    folder.mkdir(parents=True, exist_ok=True)
    name = uuid.uuid4().hex + ext
    (folder / name).write_bytes(b"%PDF-1.4 fake")
    return name


def _attachment(db: Session, conv_id: int, folder: Path, days: int = 0) -> Attachment:
    row = Attachment(
        conversation_id=conv_id,
        channel="telegram",
        kind="document",
        content_type="application/pdf",
        file_name=FILE_NAME,
        size=13,
        stored_name=_file(folder),
        created_at=utcnow() - timedelta(days=days),
    )
    db.add(row)
    db.flush()
    return row


def _person(db: Session, var: Path) -> dict[str, Any]:
    """Maria: a served web chat (e-mail and phone given), answered by mail; her Telegram
    record (a chat with a file) and her phone-caller record, both confirmed as her; notes,
    a flag with a screenshot, a library case with a scenario and practice made from it, a
    regression case quoted by a micro-lesson, a proposal, suggestions, a verification."""
    main = _served(db, RAW, "browser-maria")
    cid = main.customer_id
    customers.do_set_contact(db, cid, email=EMAIL, phone=PHONE)
    anna = make_user(db)
    # Telegram: her own record, confirmed by the phone Telegram verified
    tg, _t, _m = conversations.do_start(
        db,
        identity=str(TG_USER),
        channel="telegram",
        client_id=f"tg-{CHAT_ID}-1",
        text=RAW,
        limit=4000,
        name="Мария Иванова",
        secret="test-secret",
    )
    db.add(TelegramConversation(conversation_id=tg.id, chat_id=CHAT_ID, user_id=TG_USER))
    file = _attachment(db, tg.id, var / "attachments")
    ref = {"id": file.id, "kind": "document", "name": FILE_NAME, "size": 13}
    conversations.do_customer_message(
        db,
        tg,
        client_id=f"tg-{CHAT_ID}-2",
        text="Вот скан",
        limit=4000,
        meta={"attachment": ref, "attachments": [ref]},
    )
    links.do_link(db, cid, tg.customer_id, "verified_phone")
    # a call from her number: a caller record, confirmed by an operator
    call = new_conversation(db, "Звонок о заказе", identity=f"call-{uuid.uuid4().hex[:6]}")
    customers.do_set_contact(db, call.customer_id, phone=PHONE)
    link = links.do_propose(db, cid, call.customer_id, "same_phone")
    assert link is not None
    links.do_decide(db, link.id, anna.id, confirm=True)
    now = utcnow()
    db.add(
        CallRecord(
            call_id=f"pbx-{uuid.uuid4().hex[:8]}",
            conversation_id=call.id,
            caller=PHONE,
            started_at=now,
            ended_at=now,
            recording_url=URL,
        )
    )
    # someone else whose e-mail merely agrees: a proposal only, not her
    other = new_conversation(db, "Где мой заказ?", identity="browser-other", name="Пётр Сидоров")
    links.do_propose(db, cid, other.customer_id, "same_email")
    # the web chat answered by mail
    db.add(
        MailThread(
            conversation_id=main.id,
            address=EMAIL,
            subject=f"Заказ {EMAIL}",
            last_message_id=MSGID,
            references=MSGID,
        )
    )
    db.add(InboundMail(message_id=MSGID, conversation_id=main.id, sender=EMAIL))
    outbox.do_enqueue(
        db,
        key=f"k-{main.id}",
        to=EMAIL,
        subject="Ответ",
        body=RAW,
        conversation_id=main.id,
        in_reply_to=MSGID,
        references=MSGID,
    )
    # what operators wrote about her
    db.add(
        Note(
            conversation_id=main.id,
            author_id=anna.id,
            text=f"Клиентка Мария Иванова просила перезвонить на {PHONE}",
        )
    )
    db.add(
        FollowUp(conversation_id=main.id, user_id=anna.id, due_at=now, note=f"Перезвонить {PHONE}")
    )
    db.add(
        HandoffCard(
            conversation_id=main.id,
            summary=RAW,
            facts=[{"kind": "phone", "value": PHONE}],
            bot_answers=[RAW],
        )
    )
    db.add(RejectedAnswer(conversation_id=main.id, message_id=1, text=f"Ваш номер {PHONE}"))
    db.add(
        SuggestionLog(
            conversation_id=main.id,
            message_id=1,
            suggestions=[{"rank": 0, "text": f"Напишите на {EMAIL}"}],
            chosen={"text": f"Напишите на {EMAIL}"},
            sent_text=RAW,
        )
    )
    db.add(
        VerificationCode(
            conversation_id=main.id, customer_id=cid, channel="sms", address=PHONE, code="4821"
        )
    )
    # quality: a flag with a screenshot, the library, regression, a proposal
    incident = Incident(title="Неверный ответ")
    db.add(incident)
    db.flush()
    msg = conversations.list_messages(db, main)[0]
    db.add(
        Flag(
            message_id=msg.id,
            conversation_id=main.id,
            reason="wrong_fact",
            comment=f"Клиент дал телефон {PHONE}",
            screenshot_name=_file(var / "screenshots", ".png"),
            screenshot_type="image/png",
            screenshot_bytes=12,
            answer_text=f"Ваш {PHONE}",
            answer_masked="Ваш [PHONE]",
            incident_id=incident.id,
        )
    )
    case = LibraryCase(
        conversation_id=main.id,
        source="mentor",
        title=f"Возврат {PHONE}",
        transcript=[{"seq": 1, "author": "customer", "text": RAW}],
        profile="Мария Иванова, 35 лет",
        follow_up=f"Позвонить {PHONE}",
        search_text=RAW,
    )
    db.add(case)
    db.add(RegressionCase(question=RAW, conversation_id=main.id, bad_answer=f"Звоните {PHONE}"))
    db.add(
        MicroLesson(
            source="incident",
            title="Урок",
            incident_id=incident.id,
            cases=[{"question": RAW, "bad_answer": "", "must_contain": []}],
        )
    )
    db.add(
        Proposal(
            conversation_id=main.id, target="article", comment=f"Клиентка {EMAIL} не нашла ответ"
        )
    )
    db.flush()
    scenario = Scenario(
        slug=f"case-{uuid.uuid4().hex[:6]}",
        title="Возврат",
        persona="calm",
        brief=f"Клиентка с телефоном {PHONE}",
        opening=RAW,
        beats=[{"answer": RAW}],
        hidden_facts=[PHONE],
        case_id=case.id,
    )
    db.add(scenario)
    db.flush()
    db.add(Attempt(scenario_id=scenario.id, user_id=anna.id, transcript=[{"text": RAW}]))
    db.flush()
    return {"main": main, "tg": tg, "call": call, "other": other}


def _leftovers(db: Session) -> list[str]:
    """Every text-like or big-integer value of every row of every table that still holds
    one of the secrets, as `table.column: secret`."""
    found = set()
    for table in metadata.sorted_tables:
        cols = [
            c for c in table.columns if inventory.holds_text(c) or isinstance(c.type, BigInteger)
        ]
        if not cols:
            continue
        for row in db.execute(select(*cols)):
            for col, value in zip(cols, row, strict=True):
                if value is None:
                    continue
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                found |= {f"{table.name}.{col.name}: {s}" for s in SECRETS if s in text}
    return sorted(found)


def test_erasure_reaches_every_table_and_kpis_stay(db: Session, tmp_path: Path) -> None:
    got = _person(db, tmp_path)
    cid = got["main"].customer_id
    assert len(_leftovers(db)) > 20, "the secrets are there before"
    today = local_today(TZ)
    analytics.do_refresh(db, today, today, sl_seconds=20, timezone=TZ)
    before = [
        r.values for r in analytics.summarize(db, today, today, group="operator", timezone=TZ)
    ]
    admin = make_user(db, "admin")

    done = service.do_erase_customer(
        db,
        service.Actor.of(admin),
        cid,
        reference="Заявление №16",
        var_dir=tmp_path,
        place="api",
    )
    db.commit()

    assert sorted(done.linked_customers) == sorted([got["tg"].customer_id, got["call"].customer_id])
    assert (done.telegram_chats, done.mail_threads, done.inbound_mails, done.calls) == (1, 1, 1, 1)
    assert (done.attachments, done.screenshots, done.library_cases) == (1, 1, 1)
    assert done.conversations == 3 and done.notes >= 2
    # nothing of hers is left in any table
    assert _leftovers(db) == []
    # nor on disk
    assert list((tmp_path / "attachments").iterdir()) == []
    assert list((tmp_path / "screenshots").iterdir()) == []
    # no former identity finds her: web, Telegram, the caller's, e-mail, phone, chat, mail
    for channel, ident in (("web", "browser-maria"), ("telegram", str(TG_USER))):
        assert customers.find_customer(db, channel=channel, external_id=ident) is None
    for query in ("Мария", "Иванова", EMAIL, PHONE, "916123"):
        assert customers.search_customers(db, query) == []
    assert customers.find_customer(db, email=EMAIL, phone=PHONE) is None
    assert telegram_inbound.current_link(db, CHAT_ID) is None
    assert db.scalar(select(InboundMail).where(InboundMail.message_id == MSGID)) is None
    # the mail is still known as read (a mailbox re-read does not bring her back)
    digest = channel_data.erased_message_id(MSGID)
    assert db.scalar(select(InboundMail.id).where(InboundMail.message_id == digest))
    # the proposal with someone else went; that customer did not
    assert db.scalars(select(CustomerLink)).all() == []
    assert customers.search_customers(db, "Пётр")
    # the lesson stays, masked; the scores and counts stay
    case = db.scalars(select(LibraryCase)).one()
    assert "[PHONE]" in case.title and case.profile == ""
    call = db.scalars(select(CallRecord)).one()
    assert call.started_at is not None and call.caller == "" and call.recording_url == ""
    stored = db.get(Conversation, got["main"].id)
    assert stored is not None and stored.csat == 4
    analytics.do_refresh(db, today, today, sl_seconds=20, timezone=TZ)
    after = [r.values for r in analytics.summarize(db, today, today, group="operator", timezone=TZ)]
    assert after == before


def test_export_holds_the_channels_notes_links_and_material(db: Session, tmp_path: Path) -> None:
    got = _person(db, tmp_path)
    admin = make_user(db, "admin")
    data = service.do_export_customer(
        db, service.Actor.of(admin), got["main"].customer_id, place="cli", reference="запрос 8"
    )
    data = json.loads(json.dumps(data))  # plain JSON
    [conv] = [c for c in data["conversations"] if c["id"] == got["main"].id]
    assert any(PHONE in n["text"] for n in conv["notes"]) and conv["follow_ups"]
    assert data["channels"]["mail_threads"][0]["address"] == EMAIL
    assert data["channels"]["inbound_mails"][0]["message_id"] == MSGID
    assert data["verifications"][0]["address"] == PHONE
    assert data["library_cases"][0]["profile"] == "Мария Иванова, 35 лет"
    statuses = {(link["status"], link["reason"]) for link in data["links"]}
    assert statuses == {
        ("confirmed", "verified_phone"),
        ("confirmed", "same_phone"),
        ("proposed", "same_email"),
    }
    by_id = {r["customer"]["id"]: r for r in data["linked"]}
    assert set(by_id) == {got["tg"].customer_id, got["call"].customer_id}
    tg = by_id[got["tg"].customer_id]
    assert tg["channels"]["telegram"][0]["chat_id"] == CHAT_ID
    assert tg["channels"]["files"][0]["file_name"] == FILE_NAME
    assert tg["identities"][0]["external_id"] == str(TG_USER)
    call = by_id[got["call"].customer_id]["channels"]["calls"][0]
    assert (call["caller"], call["recording_url"]) == (PHONE, URL)


def test_retention_expires_recordings_files_and_notes_of_old_rows(
    db: Session, tmp_path: Path
) -> None:
    old = new_conversation(db, RAW, name="Мария")
    new = new_conversation(db, RAW, name="Пётр")
    anna = make_user(db)
    for conv in (old, new):
        db.add(Note(conversation_id=conv.id, author_id=anna.id, text=f"Перезвонить {PHONE}"))
    _age(db, old, 200)
    then, now = utcnow() - timedelta(days=200), utcnow()
    for conv, at in ((old, then), (new, now)):
        db.add(
            CallRecord(
                call_id=uuid.uuid4().hex,
                conversation_id=conv.id,
                caller=PHONE,
                started_at=at,
                ended_at=at,
                recording_url=URL,
            )
        )
    files = tmp_path / "attachments"
    old_file = _attachment(db, old.id, files, days=100)
    new_file = _attachment(db, new.id, files, days=10)
    new_name = new_file.stored_name
    policy = retention.Policy(**{**POLICY.__dict__, "recordings_days": 90})

    dry = retention.run(db, policy, tmp_path, dry_run=True)
    assert (dry.recordings, dry.attachment_files, dry.raw_text_notes) == (1, 1, 1)
    assert len(list(files.iterdir())) == 2, "a dry run changes nothing"
    done = retention.run(db, policy, tmp_path)
    db.commit()
    assert (done.recordings, done.attachment_files, done.raw_text_notes) == (1, 1, 1)
    urls = dict(db.execute(select(CallRecord.conversation_id, CallRecord.recording_url)).all())
    assert urls == {old.id: "", new.id: URL}
    assert [p.name for p in files.iterdir()] == [new_name]
    assert db.get(Attachment, old_file.id) is None and db.get(Attachment, new_file.id)
    notes = dict(db.execute(select(Note.conversation_id, Note.text)).all())
    assert PHONE not in notes[old.id] and PHONE in notes[new.id]
    again = retention.run(db, policy, tmp_path)
    assert (again.recordings, again.attachment_files, again.raw_text_notes) == (0, 0, 0)


def test_contact_retention_reaches_the_channels(db: Session, tmp_path: Path) -> None:
    silent = new_conversation(db, "Где заказ?", name="Мария", identity="silent-tg")
    db.add(TelegramConversation(conversation_id=silent.id, chat_id=CHAT_ID, user_id=TG_USER))
    db.add(MailThread(conversation_id=silent.id, address=EMAIL, references=MSGID))
    db.add(InboundMail(message_id=MSGID, conversation_id=silent.id, sender=EMAIL))
    db.flush()
    _age(db, silent, 400)
    db.execute(update(TelegramConversation).values(active=True))
    report = retention.run(db, POLICY, tmp_path)
    assert report.contacts_customers == 1
    assert telegram_inbound.current_link(db, CHAT_ID) is None
    thread = db.scalars(select(MailThread)).one()
    assert (thread.address, thread.references) == ("", "")
    assert db.scalars(select(InboundMail.sender)).one() == ""
    assert _leftovers(db) == []
