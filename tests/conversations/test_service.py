from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from tests.helpers import capture_events, make_user
from wowdesk import events
from wowdesk.conversations import service, topics
from wowdesk.conversations.models import Status
from wowdesk.conversations.schemas import ConversationChanged, MessageCreated
from wowdesk.errors import Conflict, Forbidden, Invalid, NotFound

LIMIT = 4000


def start(db: Session, text: str = "Где мой заказ 123456?", identity: str = "browser-1"):
    return service.do_start(
        db,
        identity=identity,
        channel="web",
        client_id=uuid.uuid4().hex,
        text=text,
        limit=LIMIT,
        secret="test-secret",
    )


def test_start_stores_message_masked_copy_and_queue_timestamps(db: Session) -> None:
    conv, token, msg = start(db, "Мой телефон +7 912 345-67-89, почта a.b@example.ru")
    assert conv.status == Status.queued
    assert conv.queued_at is not None and conv.created_at is not None
    assert msg.seq == 1 and conv.last_seq == 1
    assert "+7 912" in msg.text
    assert msg.masked_text == "Мой телефон [PHONE], почта [EMAIL]"
    assert conv.subject == msg.masked_text
    assert service.access_conversation_by_token(db, conv.id, token) is conv


def test_replayed_start_returns_same_conversation_and_token(db: Session) -> None:
    """A late duplicate of the opening request must not revoke the token the customer has."""
    client_id = uuid.uuid4().hex
    args = dict(
        identity="browser-9", channel="web", client_id=client_id, text="Привет", limit=LIMIT
    )
    conv1, token1, _ = service.do_start(db, **args, secret="test-secret")
    conv2, token2, _ = service.do_start(db, **args, secret="test-secret")
    assert conv1.id == conv2.id
    assert token1 == token2
    assert len(service.list_messages(db, conv1)) == 1
    assert service.access_conversation_by_token(db, conv1.id, token1) is conv1
    # another secret (another installation) derives another token, which opens nothing here
    _conv, foreign, _ = service.do_start(db, **args, secret="other-secret")
    with pytest.raises(NotFound):
        service.access_conversation_by_token(db, conv1.id, foreign)


def test_token_of_one_conversation_does_not_open_another(db: Session) -> None:
    a, _token_a, _ = start(db, identity="a")
    b, token_b, _ = start(db, identity="b")
    with pytest.raises(NotFound):
        service.access_conversation_by_token(db, a.id, token_b)
    assert service.access_conversation_by_token(db, b.id, token_b) is b


def test_resend_with_same_client_id_is_stored_once(db: Session) -> None:
    conv, _t, _m = start(db)
    first, created1 = service.do_customer_message(
        db, conv, client_id="m-2", text="ещё", limit=LIMIT
    )
    again, created2 = service.do_customer_message(
        db, conv, client_id="m-2", text="ещё", limit=LIMIT
    )
    assert created1 and not created2
    assert first.id == again.id
    assert [m.seq for m in service.list_messages(db, conv)] == [1, 2]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty_message"),
        ("   \n\t ", "empty_message"),
        ("x" * (LIMIT + 1), "message_too_long"),
        ("нулевой\x00байт", "invalid_text"),
        ("полсимвола \ud800", "invalid_utf8"),
    ],
)
def test_bad_text_is_rejected_and_changes_nothing(db: Session, text: str, code: str) -> None:
    conv, _t, _m = start(db)
    db.commit()
    bus = capture_events(db)
    with pytest.raises(Invalid) as exc:
        service.do_customer_message(db, conv, client_id="bad-1", text=text, limit=LIMIT)
    assert exc.value.code == code
    assert conv.last_seq == 1
    assert len(service.list_messages(db, conv)) == 1
    db.commit()
    assert bus.published == []


def test_limit_is_configurable(db: Session) -> None:
    conv, _t, _m = start(db)
    service.do_customer_message(db, conv, client_id="ok", text="12345", limit=5)
    with pytest.raises(Invalid):
        service.do_customer_message(db, conv, client_id="no", text="123456", limit=5)


def test_events_are_published_only_after_commit(db: Session) -> None:
    bus = capture_events(db)
    conv, _t, _m = start(db)
    assert bus.published == []
    db.commit()
    assert bus.types() == ["message", "conversation"]
    channels = bus.published[0][0]
    assert f"conv:{conv.id}" in channels and "queue" in channels


def test_events_carry_masked_text_only_and_parse_back_to_their_kind(db: Session) -> None:
    """In distributed mode the bus is Redis: a customer's phone must not pass through it."""
    bus = capture_events(db)
    conv, _token, _m = start(db)
    service.do_customer_message(
        db, conv, client_id="phone", text="Мой телефон +7 916 123-45-67", limit=LIMIT
    )
    db.commit()
    wire = [p for _c, p in bus.published]
    assert "123-45-67" not in str(wire) and "9161234567" not in str(wire)
    created = [events.parse(p) for p in wire if p["type"] == "message"]
    assert all(isinstance(e, MessageCreated) for e in created)
    last = created[-1]
    assert isinstance(last, MessageCreated) and last.message["masked"] is True
    assert "123-45-67" in service.raw_text_of(db, last.id)
    changed = [events.parse(p) for p in wire if p["type"] == "conversation"]
    assert changed and all(isinstance(e, ConversationChanged) for e in changed)
    assert events.parse({"type": "from-a-newer-version", "op": "x"}) is None


def test_rolled_back_work_publishes_nothing(db: Session) -> None:
    bus = capture_events(db)
    nested = db.begin_nested()
    start(db)
    nested.rollback()
    db.commit()
    assert "message" not in bus.types()


def test_assign_is_exclusive_and_stamps_time(db: Session) -> None:
    anna, boris = make_user(db), make_user(db)
    conv, _t, _m = start(db)
    service.do_assign(db, conv.id, anna)
    assert conv.status == Status.assigned and conv.operator_id == anna.id
    assert conv.assigned_at is not None
    with pytest.raises(Conflict) as exc:
        service.do_assign(db, conv.id, boris)
    assert exc.value.code == "already_taken"
    assert service.do_assign(db, conv.id, anna).operator_id == anna.id  # idempotent for the owner
    kinds = [m.author_kind for m in service.list_messages(db, conv)]
    assert kinds == ["customer", "system"]


def test_operator_must_take_before_replying_and_only_owner_replies(db: Session) -> None:
    anna, boris = make_user(db), make_user(db)
    conv, _t, _m = start(db)
    with pytest.raises(Conflict):
        service.do_operator_message(db, conv, anna, client_id="o1", text="Добрый день", limit=LIMIT)
    service.do_assign(db, conv.id, anna)
    with pytest.raises(Forbidden):
        service.do_operator_message(db, conv, boris, client_id="o2", text="Я тоже", limit=LIMIT)
    msg, _ = service.do_operator_message(
        db, conv, anna, client_id="o3", text="Добрый день", limit=LIMIT
    )
    assert conv.first_human_reply_at == msg.created_at
    supervisor = make_user(db, "supervisor")
    service.do_operator_message(
        db, conv, supervisor, client_id="o4", text="Подключился старший", limit=LIMIT
    )
    service.do_operator_message(db, conv, anna, client_id="o5", text="Уточню", limit=LIMIT)
    assert conv.first_human_reply_at == msg.created_at


def test_close_wrapup_and_csat_record_each_timestamp(db: Session) -> None:
    anna = make_user(db)
    topic = topics.do_create_topic(db, "Доставка")
    conv, _t, _m = start(db)
    service.do_assign(db, conv.id, anna)
    with pytest.raises(Conflict):
        service.do_rate(db, conv, 5)
    service.do_close(db, conv, anna)
    assert conv.status == Status.wrapup and conv.closed_at is not None
    assert conv.wrapup_done_at is None
    with pytest.raises(Conflict) as exc:
        service.do_customer_message(db, conv, client_id="late", text="ещё вопрос", limit=LIMIT)
    assert exc.value.code == "conversation_closed"
    service.do_rate(db, conv, 4)
    service.do_wrapup(db, conv, anna, topic_id=topic.id, note="объяснила сроки")
    assert conv.status == Status.closed
    assert conv.topic_id == topic.id
    assert conv.closed_at <= conv.wrapup_done_at  # type: ignore[operator]
    assert conv.csat == 4 and conv.csat_at is not None
    with pytest.raises(Conflict):
        service.do_rate(db, conv, 1)
    with pytest.raises(Invalid):
        service.do_rate(db, start(db, identity="x")[0], 6)


def test_delivered_watermark_only_moves_forward(db: Session) -> None:
    anna = make_user(db)
    conv, _t, _m = start(db)
    service.do_assign(db, conv.id, anna)
    service.do_customer_message(db, conv, client_id="c2", text="ещё", limit=LIMIT)
    db.commit()
    bus = capture_events(db)
    service.do_mark_delivered(db, conv, "operator", 3)
    service.do_mark_delivered(db, conv, "operator", 1)
    service.do_mark_delivered(db, conv, "operator", 99)
    db.commit()
    db.refresh(conv)
    assert conv.operator_delivered_seq == conv.last_seq == 3
    assert bus.types() == ["delivered"]


def test_inbox_views(db: Session) -> None:
    anna, boris = make_user(db), make_user(db)
    queued, _t, _m = start(db, identity="q")
    mine, _t, _m = start(db, identity="m")
    theirs, _t, _m = start(db, identity="t")
    service.do_assign(db, mine.id, anna)
    service.do_assign(db, theirs.id, boris)
    assert {c.id for c in service.list_inbox(db, anna, "queue")} == {queued.id}
    assert {c.id for c in service.list_inbox(db, anna, "mine")} == {mine.id}
    assert {c.id for c in service.list_inbox(db, anna, "active")} == {queued.id, mine.id}
    with pytest.raises(Invalid):
        service.list_inbox(db, anna, "everything")


def test_earlier_conversations_of_the_same_customer(db: Session) -> None:
    first, _t, _m = start(db, identity="same")
    second, _t, _m = start(db, identity="same")
    start(db, identity="other")
    assert first.customer_id == second.customer_id
    earlier = service.list_customer_conversations(db, second.customer_id, exclude_id=second.id)
    assert [c.id for c in earlier] == [first.id]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(["a", "b", "c", "d", "e"]), min_size=1, max_size=12))
def test_any_resend_pattern_stores_each_message_once_in_order(
    db: Session, sends: list[str]
) -> None:
    conv, _t, _m = start(db, identity=uuid.uuid4().hex)
    for client_id in sends:
        service.do_customer_message(
            db, conv, client_id=client_id, text=f"текст {client_id}", limit=LIMIT
        )
    stored = service.list_messages(db, conv)
    assert [m.seq for m in stored] == list(range(1, len(stored) + 1))
    assert [m.client_id for m in stored[1:]] == list(dict.fromkeys(sends))


def test_the_bots_quoted_passage_is_stored_masked_and_masked_once(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A passage the bot quotes to customer after customer is masked once per process; each
    stored copy is masked all the same."""
    from wowdesk.nlp import pii

    passage = "Пишите юристу Ивану Петрову на legal@example.ru или звоните +7 495 123-45-67."
    masked: list[str] = []
    real = pii.mask_text

    def counted(text: str, **kwargs: bool) -> str:
        masked.append(text)
        return real(text, **kwargs)

    monkeypatch.setattr(pii, "mask_text", counted)
    pii.mask_repeated.cache_clear()
    for n in range(2):
        conv, _token, asked = service.do_start(
            db,
            identity=f"customer-{n}",
            channel="web",
            client_id=uuid.uuid4().hex,
            text="Как связаться с юристом?",
            limit=LIMIT,
            first_line=True,
            secret="test-secret",
        )
        reply = service.do_bot_message(db, conv, passage, {"kind": "answer"}, reply_to=asked.id)
        assert reply.text == passage
        assert reply.masked_text == "Пишите юристу [PERSON] на [EMAIL] или звоните [PHONE]."
    assert masked == [passage]
    pii.mask_repeated.cache_clear()
