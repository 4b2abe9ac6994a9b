"""What the operator is judged on is the operator's own doing: the first reply's wait counts
from when the conversation reached them (the queue before is the contact center's service
level, not theirs), and the greeting's name is their own, not the customer's."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from tests.helpers import make_user
from tests.quality.factories import LIMIT
from wowdesk.conversations import moves
from wowdesk.conversations import service as conversations
from wowdesk.quality import autoqa, criteria
from wowdesk.quality.transcript import Line, Transcript

T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
C, OP = "customer", "operator"


def t(*turns: tuple[str, str], **kw: object) -> Transcript:
    lines = tuple(Line(i + 1, who, text) for i, (who, text) in enumerate(turns))
    return Transcript(lines=lines, **kw)  # type: ignore[arg-type]


# --- the response time counts from the assignment --------------------------------------


def test_first_reply_counts_from_the_assignment_not_the_handoff() -> None:
    # the demo's conversation: 89 s from the bot's handoff, 38 s after the operator got it
    lines = (
        Line(1, C, "Где мой заказ?", T0 - timedelta(seconds=30)),
        Line(2, "bot", "Передаю оператору.", T0),
        Line(3, OP, "Здравствуйте! Заказ в пути.", T0 + timedelta(seconds=89)),
    )
    assigned = {"assigned_at": T0 + timedelta(seconds=51)}
    outcome = criteria.response_time(Transcript(lines=lines, handed_off_at=T0, extra=assigned))
    assert outcome.value == 1

    late = (*lines[:2], Line(3, OP, "Здравствуйте! Заказ в пути.", T0 + timedelta(seconds=140)))
    outcome = criteria.response_time(Transcript(lines=late, handed_off_at=T0, extra=assigned))
    assert outcome.value == 0
    [evidence] = outcome.evidence
    assert "1 мин 29 с" in evidence.phrase  # 140 - 51, not 140
    assert "передачи оператору" not in evidence.phrase
    assert "после того, как диалог достался оператору" in evidence.phrase


def test_a_customer_who_writes_after_the_assignment_is_waited_for_from_then() -> None:
    lines = (
        Line(1, C, "Алло?", T0 + timedelta(seconds=100)),
        Line(2, OP, "Здравствуйте!", T0 + timedelta(seconds=130)),
    )
    outcome = criteria.response_time(Transcript(lines=lines, extra={"assigned_at": T0}))
    assert outcome.value == 1


@pytest.mark.usefixtures("db")
def test_autoqa_measures_from_the_scored_operators_assignment(db: Session) -> None:
    """Taken by one operator, passed straight to a colleague who answered 30 s after: the
    colleague's first reply is not blamed for the first operator's minutes (a direct
    transfer keeps the conversation's `assigned_at`, the «joined» line says when)."""
    first, second = make_user(db, "operator"), make_user(db, "operator")
    conv, _token, _msg = conversations.do_start(
        db,
        identity=uuid.uuid4().hex,
        channel="web",
        client_id=uuid.uuid4().hex,
        text="Где мой заказ?",
        limit=LIMIT,
        secret="test-secret",
    )
    conversations.do_handoff(db, conv, "Передаю оператору.")
    conversations.do_assign(db, conv.id, first)
    moves.do_transfer(db, conv, second)
    conversations.do_operator_message(
        db,
        conv,
        second,
        client_id=uuid.uuid4().hex,
        text="Здравствуйте! Заказ в пути.",
        limit=LIMIT,
    )
    conversations.do_close(db, conv, second)
    joined = [
        m
        for m in conversations.list_messages(db, conv, limit=100)
        if m.author_kind == "system" and m.meta.get("kind") == "joined"
    ]
    assert len(joined) == 2
    conv.handed_off_at = T0
    conv.assigned_at = T0 + timedelta(seconds=10)
    joined[0].created_at = T0 + timedelta(seconds=10)
    joined[1].created_at = T0 + timedelta(seconds=100)
    for m in conversations.list_messages(db, conv, limit=100):
        if m.author_kind == "customer":
            m.created_at = T0 - timedelta(seconds=20)
        elif m.author_kind == "operator":
            m.created_at = T0 + timedelta(seconds=130)
    db.flush()

    transcript = autoqa.transcript_of(db, autoqa.Scorer(first_reply_target_s=60), conv)
    assert criteria.response_time(transcript).value == 1

    # a conversation with no «joined» line (the demo's history) counts from `assigned_at`
    for m in joined:
        m.meta = {"kind": "note"}
    db.flush()
    transcript = autoqa.transcript_of(db, autoqa.Scorer(first_reply_target_s=60), conv)
    assert criteria.response_time(transcript).value == 0  # 120 s after the first assignment


# --- the greeting's name is the operator's own -----------------------------------------


@pytest.mark.parametrize(
    "said",
    [
        "Здравствуйте, [PERSON]! Чем помочь?",
        "Добрый день, [PERSON]. Сейчас проверю заказ.",
        "Hello [PERSON]! How can I help?",
        "Здравствуйте! [PERSON], подскажите номер заказа.",
    ],
)
def test_the_customers_name_is_not_the_operators_introduction(said: str) -> None:
    outcome = criteria.greeting(t((C, "где заказ"), (OP, said)))
    assert outcome.value == 0 and outcome.note == "no_name"


@pytest.mark.parametrize(
    "said",
    [
        "Здравствуйте, [PERSON]! Меня зовут [PERSON].",
        "Добрый день! С вами [PERSON].",
        "Здравствуйте, это [PERSON]. Чем помочь?",
        "Здравствуйте! Я [PERSON], помогу с заказом.",
        "Здравствуйте, [PERSON] на связи.",
        "Hello! This is [PERSON].",
        "Hi, I'm [PERSON].",
        "Hello, [PERSON] here.",
    ],
)
def test_the_operators_self_introduction_passes(said: str) -> None:
    assert criteria.greeting(t((C, "где заказ"), (OP, said))).value == 1


def test_a_self_introduced_name_is_not_the_customers() -> None:
    said = "Здравствуйте! Это [PERSON] из поддержки."
    assert criteria.customer_name(t((C, "где заказ"), (OP, said))).value == 0
