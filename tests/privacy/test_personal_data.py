"""Retention on old and new data, erasure of one customer (nobody finds them again, KPIs
for the period do not change), the export, and the audit of personal-data reads."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tests.helpers import make_user, new_conversation
from wowdesk.analytics import service as analytics
from wowdesk.bot.models import HandoffCard
from wowdesk.conversations import outbox as channels
from wowdesk.conversations import service as conversations
from wowdesk.conversations import topics
from wowdesk.conversations.models import Conversation, Message, OutgoingMail
from wowdesk.customers import personal_data as customer_data
from wowdesk.customers import service as customers
from wowdesk.customers.models import Customer, CustomerDataAccess
from wowdesk.db import local_today, utcnow
from wowdesk.errors import Invalid, NotFound
from wowdesk.privacy import retention, service
from wowdesk.quality.models import Flag, Incident
from wowdesk.safety.models import RawTextView

TZ = "Europe/Moscow"
PHONE = "+79161234567"
EMAIL = "maria.ivanova@example.ru"
RAW = f"Меня зовут Мария Иванова, мой телефон {PHONE}, почта {EMAIL}"


def _age(db: Session, conv: Conversation, days: int) -> None:
    """Moves a conversation and its messages `days` into the past."""
    then = utcnow() - timedelta(days=days)
    db.execute(update(Message).where(Message.conversation_id == conv.id).values(created_at=then))
    db.execute(
        update(Conversation)
        .where(Conversation.id == conv.id)
        .values(created_at=then, last_message_at=then)
    )
    db.execute(update(Customer).where(Customer.id == conv.customer_id).values(created_at=then))
    db.expire_all()


def _texts(db: Session, conv_id: int) -> list[str]:
    return list(
        db.scalars(
            select(Message.text).where(Message.conversation_id == conv_id).order_by(Message.seq)
        )
    )


def _flag_with_screenshot(db: Session, conv: Conversation, folder: Path, days: int) -> Flag:
    folder.mkdir(parents=True, exist_ok=True)
    name = uuid.uuid4().hex + ".png"
    (folder / name).write_bytes(b"\x89PNG\r\n\x1a\nfake")
    incident = Incident(title="Неверный ответ")
    db.add(incident)
    db.flush()
    msg = conversations.list_messages(db, conv)[0]
    flag = Flag(
        message_id=msg.id,
        conversation_id=conv.id,
        reason="wrong_fact",
        screenshot_name=name,
        screenshot_type="image/png",
        screenshot_bytes=12,
        answer_text="ответ",
        answer_masked="ответ",
        incident_id=incident.id,
        created_at=utcnow() - timedelta(days=days),
    )
    db.add(flag)
    db.flush()
    return flag


POLICY = retention.Policy(raw_text_days=180, attachments_days=90, contacts_days=365, audit_days=365)


def test_retention_replaces_old_raw_text_and_keeps_new(db: Session, tmp_path: Path) -> None:
    old = new_conversation(db, RAW, name="Мария")
    new = new_conversation(db, RAW, name="Пётр")
    card = HandoffCard(conversation_id=old.id, summary=RAW, facts=[{"kind": "phone"}])
    db.add(card)
    channels.do_enqueue(
        db, key=f"t-{old.id}", to=EMAIL, subject="Ответ", body=RAW, conversation_id=old.id
    )
    db.execute(update(OutgoingMail).values(state="sent"))
    _age(db, old, 200)
    db.execute(update(OutgoingMail).values(created_at=utcnow() - timedelta(days=200)))
    shots = tmp_path / "screenshots"
    old_flag = _flag_with_screenshot(db, old, shots, days=100)
    new_flag = _flag_with_screenshot(db, new, shots, days=10)
    db.add(
        RawTextView(
            username="olga", role="supervisor", message_id=1, conversation_id=old.id,
            created_at=utcnow() - timedelta(days=400),
        )
    )  # fmt: skip
    db.flush()
    masked_before = list(
        db.scalars(select(Message.masked_text).where(Message.conversation_id == old.id))
    )
    assert PHONE in _texts(db, old.id)[0]

    dry = retention.run(db, POLICY, tmp_path, dry_run=True)
    assert (dry.raw_text_messages, dry.raw_text_mails, dry.attachments) == (1, 1, 1)
    assert dry.audit_records == 1 and dry.contacts_customers == 0
    assert PHONE in _texts(db, old.id)[0], "a dry run changes nothing"

    done = retention.run(db, POLICY, tmp_path)
    db.commit()
    assert done.raw_text_messages == 1 and done.raw_text_cards == 1
    assert _texts(db, old.id) == masked_before and PHONE not in _texts(db, old.id)[0]
    assert PHONE in _texts(db, new.id)[0], "recent text stays as written"
    db.refresh(card)
    assert PHONE not in card.summary and card.facts == []
    mail = db.scalars(select(OutgoingMail)).one()
    assert mail.to_address == "" and PHONE not in mail.body
    db.refresh(old_flag)
    db.refresh(new_flag)
    assert old_flag.screenshot_name == "" and new_flag.screenshot_name
    assert [p.name for p in shots.iterdir()] == [new_flag.screenshot_name]
    assert db.scalars(select(RawTextView)).all() == []
    # what KPIs and QA need stays: the conversation, its timestamps and masked text
    assert db.get(Conversation, old.id) is not None
    again = retention.run(db, POLICY, tmp_path)
    assert again.raw_text_messages == again.attachments == again.raw_text_mails == 0


def test_retention_erases_contacts_of_silent_customers_only(db: Session, tmp_path: Path) -> None:
    silent = new_conversation(db, "Где заказ?", name="Мария", identity="silent-browser")
    active = new_conversation(db, "Где заказ?", name="Пётр", identity="active-browser")
    customers.do_set_contact(db, silent.customer_id, email=EMAIL)
    _age(db, silent, 400)
    _age(db, active, 400)
    db.execute(
        update(Conversation).where(Conversation.id == active.id).values(last_message_at=utcnow())
    )
    report = retention.run(db, POLICY, tmp_path)
    assert report.contacts_customers == 1
    assert customers.find_customer(db, channel="web", external_id="silent-browser") is None
    assert customers.search_customers(db, EMAIL) == []
    kept = customers.find_customer(db, channel="web", external_id="active-browser")
    assert kept is not None and kept.display_name == "Пётр"


def _served(db: Session, text: str, identity: str, name: str = "Мария Иванова") -> Conversation:
    """A conversation an operator took, answered, closed with a topic; rated 4."""
    conv = new_conversation(db, text, name=name, identity=identity)
    anna = make_user(db)
    conv = conversations.do_assign(db, conv.id, anna)
    conversations.do_operator_message(
        db, conv, anna, client_id=uuid.uuid4().hex, text="Проверяю", limit=4000
    )
    conversations.do_close(db, conv, anna)
    topic = topics.do_create_topic(db, f"Заказы {uuid.uuid4().hex[:4]}")
    conversations.do_wrapup(db, conv, anna, topic_id=topic.id, note=f"Клиент {PHONE}")
    conversations.do_rate(db, conv, 4)
    return conv


def test_erasure_leaves_no_way_to_the_person_and_kpis_unchanged(
    db: Session, tmp_path: Path
) -> None:
    conv = _served(db, RAW, "browser-maria")
    customer_id = conv.customer_id
    customers.do_set_contact(db, customer_id, email=EMAIL, phone=PHONE)
    matched, created = customers.do_match_customer(
        db, channel="telegram", external_id="tg-777", email=EMAIL
    )
    assert matched.id == customer_id and not created
    other = _served(db, "Где мой заказ?", "browser-other", name="Пётр Сидоров")
    today = local_today(TZ)
    analytics.do_refresh(db, today, today, sl_seconds=20, timezone=TZ)
    before = [
        r.values for r in analytics.summarize(db, today, today, group="operator", timezone=TZ)
    ]
    admin = make_user(db, "admin")

    with pytest.raises(Invalid):
        service.do_erase_customer(
            db, service.Actor.of(admin), customer_id, reference=" ", var_dir=tmp_path, place="api"
        )
    done = service.do_erase_customer(
        db, service.Actor.of(admin), customer_id, reference="Заявление №15", var_dir=tmp_path,
        place="api",
    )  # fmt: skip
    assert done.conversations == 1 and done.messages >= 1

    # no former identity finds the customer
    for channel, ident in (("web", "browser-maria"), ("telegram", "tg-777")):
        assert customers.find_customer(db, channel=channel, external_id=ident) is None
    for query in ("Мария", "Иванова", EMAIL, PHONE, "916123"):
        assert customers.search_customers(db, query) == []
    assert customers.find_customer(db, email=EMAIL, phone=PHONE) is None
    # raw text and notes carry nothing of the person; masked text and numbers stay
    texts = " ".join(_texts(db, conv.id))
    assert PHONE not in texts and EMAIL not in texts
    stored = db.get(Conversation, conv.id)
    assert stored is not None and stored.csat == 4 and PHONE not in stored.wrapup_note
    assert _texts(db, other.id)[0] == "Где мой заказ?", "other customers keep their words"
    # KPIs for the period are the same, also after a new rollup
    analytics.do_refresh(db, today, today, sl_seconds=20, timezone=TZ)
    after = [r.values for r in analytics.summarize(db, today, today, group="operator", timezone=TZ)]
    assert after == before
    # the same browser starting again is a new customer, not the erased one
    again = new_conversation(db, "Снова я", identity="browser-maria")
    assert again.customer_id != customer_id
    # audited: who, when, the reference; never the erased data
    [record] = customer_data.list_access(db, customer_id=customer_id)
    assert (record.action, record.username, record.reference) == (
        "erasure",
        admin.username,
        "Заявление №15",
    )
    columns = [getattr(record, c.key) for c in CustomerDataAccess.__table__.columns]
    assert not any(isinstance(v, str) and (EMAIL in v or "Мария" in v) for v in columns)


def test_export_holds_everything_and_is_audited(db: Session) -> None:
    conv = _served(db, RAW, "browser-export")
    customers.do_set_contact(db, conv.customer_id, email=EMAIL)
    admin = make_user(db, "admin")
    data = service.do_export_customer(
        db, service.Actor.of(admin), conv.customer_id, place="api", reference="запрос 7"
    )
    assert (
        data["customer"]["email"] == EMAIL and data["customer"]["display_name"] == "Мария Иванова"
    )
    assert data["identities"] == [
        {
            "channel": "web",
            "external_id": "browser-export",
            "verified": True,
            "created_at": data["identities"][0]["created_at"],
        }
    ]
    [exported] = data["conversations"]
    assert exported["id"] == conv.id and exported["messages"][0]["text"] == RAW
    assert exported["csat"] == 4
    rows = service.audit(db, customer_id=conv.customer_id)
    assert [(r.action, r.reference) for r in rows] == [("export", "запрос 7")]
    with pytest.raises(NotFound):
        service.do_export_customer(db, service.Actor.of(admin), 10**9, place="api")


def test_audit_merges_raw_text_views_and_searches(db: Session) -> None:
    conv = new_conversation(db, RAW)
    olga = make_user(db, "supervisor", username=f"olga-{uuid.uuid4().hex[:4]}")
    msg = conversations.list_messages(db, conv)[0]
    db.add(
        RawTextView(
            user_id=olga.id, username=olga.username, role="supervisor", message_id=msg.id,
            conversation_id=conv.id, place="console", reason="жалоба клиента",
        )
    )  # fmt: skip
    customer_data.record_access(
        db, customer_id=conv.customer_id, action="contacts", user_id=olga.id,
        username=olga.username, role="supervisor", place="console",
    )  # fmt: skip
    db.flush()
    mine = service.audit(db, query=olga.username)
    assert sorted(r.action for r in mine) == ["contacts", "raw_text"]
    assert [r.action for r in service.audit(db, query="жалоба")] == ["raw_text"]
    assert [r.action for r in service.audit(db, query="contacts")] == ["contacts"]
    by_customer = service.audit(db, customer_id=conv.customer_id)
    assert {r.conversation_id for r in by_customer if r.action == "raw_text"} == {conv.id}
