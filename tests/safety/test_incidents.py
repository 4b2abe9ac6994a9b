"""Flags on bot answers, their grouping into incidents, supervisors' hands and the status flow."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tests.helpers import make_user
from tests.safety.factories import PNG, article, bot_answer, options
from wowdesk.conversations import service as conversations
from wowdesk.errors import Conflict, Forbidden, Invalid, NotFound
from wowdesk.operators import broadcasts
from wowdesk.quality import flags, incident_views, regression
from wowdesk.quality import service as incidents
from wowdesk.quality.models import IncidentStatus


def test_flags_on_one_article_make_one_incident(db: Session, tmp_path: Path) -> None:
    anna, boris = make_user(db), make_user(db)
    doc = article(db)
    first = bot_answer(db, article_id=doc.id)
    second = bot_answer(db, article_id=doc.id, topic="Возврат")
    flag1, incident1, new1 = flags.do_flag(
        db, anna, message_id=first.id, reason="wrong_fact", options=options(tmp_path)
    )
    flag2, incident2, new2 = flags.do_flag(
        db, boris, message_id=second.id, reason="outdated", options=options(tmp_path)
    )
    assert (new1, new2) == (True, False)
    assert incident1.id == incident2.id
    assert incident1.title == doc.title and incident1.article_id == doc.id
    assert incident1.began_at == flag1.created_at and incident1.last_flag_at == flag2.created_at
    [(_inc, n_flags, n_convs)] = incidents.list_incidents(db)
    assert (n_flags, n_convs) == (2, 2)
    # a colleague flagging the same answer adds a flag; the same operator twice does not
    _f, again, created = flags.do_flag(
        db, boris, message_id=first.id, reason="wrong_fact", options=options(tmp_path)
    )
    assert again.id == incident1.id and not created
    with pytest.raises(Conflict):
        flags.do_flag(db, anna, message_id=first.id, reason="other", options=options(tmp_path))


def test_without_an_article_flags_group_by_topic(db: Session, tmp_path: Path) -> None:
    anna = make_user(db)
    opts = options(tmp_path)
    a = bot_answer(db, topic="Доставка")
    b = bot_answer(db, topic="Доставка")
    c = bot_answer(db, topic="Оплата")
    _f, first, _n = flags.do_flag(db, anna, message_id=a.id, reason="wrong_fact", options=opts)
    _f, second, created = flags.do_flag(
        db, anna, message_id=b.id, reason="wrong_action", options=opts
    )
    _f, third, other_new = flags.do_flag(db, anna, message_id=c.id, reason="other", options=opts)
    assert second.id == first.id and not created
    assert third.id != first.id and other_new
    assert (first.title, first.topic, third.topic) == ("Доставка", "Доставка", "Оплата")


def test_the_flag_keeps_the_evidence_masked(db: Session, tmp_path: Path) -> None:
    anna = make_user(db)
    doc = article(db)
    answer = bot_answer(
        db, article_id=doc.id, question="Позвоните мне на +7 916 123-45-67, где заказ?"
    )
    flag, _incident, _new = flags.do_flag(
        db,
        anna,
        message_id=answer.id,
        reason="wrong_fact",
        comment="  срок хранения 7 дней, а не 30  ",
        options=options(tmp_path),
    )
    assert "916" not in flag.question_masked and "[PHONE]" in flag.question_masked
    assert flag.answer_text == "Заказ хранится 30 дней."
    assert flag.sources == [{"article_id": doc.id, "start": 0, "end": 40}]
    assert (flag.topic, flag.channel, flag.comment) == (
        "Доставка",
        "web",
        "срок хранения 7 дней, а не 30",
    )
    [out] = incident_views.flags_out(db, [flag])
    assert out.sources[0].title == doc.title and out.reason_label == "Неверный факт"


def test_after_the_window_or_once_verified_a_new_incident_opens(
    db: Session, tmp_path: Path
) -> None:
    anna = make_user(db)
    boss = make_user(db, "supervisor")
    opts = options(tmp_path, window_minutes=30)
    doc = article(db)
    _f, first, _n = flags.do_flag(
        db, anna, message_id=bot_answer(db, article_id=doc.id).id, reason="wrong_fact", options=opts
    )
    first.last_flag_at -= timedelta(minutes=31)
    db.flush()
    _f, second, created = flags.do_flag(
        db, anna, message_id=bot_answer(db, article_id=doc.id).id, reason="wrong_fact", options=opts
    )
    assert created and second.id != first.id
    incidents.do_set_status(db, boss, second.id, "fixed")
    incidents.do_set_status(db, boss, second.id, "verified")
    _f, third, created = flags.do_flag(
        db, anna, message_id=bot_answer(db, article_id=doc.id).id, reason="outdated", options=opts
    )
    assert created and third.id not in (first.id, second.id)


def test_only_bot_answers_can_be_flagged(db: Session, tmp_path: Path) -> None:
    anna = make_user(db)
    answer = bot_answer(db)
    conv = conversations.get_conversation(db, answer.conversation_id)
    question = conversations.list_messages(db, conv)[0]
    with pytest.raises(Invalid) as refused:
        flags.do_flag(
            db, anna, message_id=question.id, reason="wrong_fact", options=options(tmp_path)
        )
    assert refused.value.code == "not_a_bot_message"
    with pytest.raises(NotFound):
        flags.do_flag(db, anna, message_id=10**9, reason="wrong_fact")
    with pytest.raises(Invalid) as bad_reason:
        flags.do_flag(db, anna, message_id=answer.id, reason="rude", options=options(tmp_path))
    assert bad_reason.value.code == "invalid_reason"
    with pytest.raises(Invalid):
        flags.do_flag(
            db,
            anna,
            message_id=answer.id,
            reason="other",
            comment="x" * 2001,
            options=options(tmp_path),
        )


def test_supervisor_moves_flags_and_builds_incidents_by_hand(db: Session, tmp_path: Path) -> None:
    anna, boss = make_user(db), make_user(db, "supervisor")
    opts = options(tmp_path)
    f1, delivery, _n = flags.do_flag(
        db, anna, message_id=bot_answer(db, topic="Доставка").id, reason="wrong_fact", options=opts
    )
    f2, payment, _n = flags.do_flag(
        db, anna, message_id=bot_answer(db, topic="Оплата").id, reason="wrong_fact", options=opts
    )
    with pytest.raises(Forbidden):
        incidents.do_move_flag(db, anna, f2.id, incident_id=delivery.id)

    target = incidents.do_move_flag(db, boss, f2.id, incident_id=delivery.id)
    assert target.id == delivery.id and f2.incident_id == delivery.id
    assert delivery.last_flag_at == f2.created_at
    assert [f.id for f in incidents.list_flags(db, delivery.id)] == [f1.id, f2.id]
    moves = [c for c in incidents.list_history(db, payment.id) if c.action == "flag_moved"]
    assert moves and moves[0].user_name == boss.display_name

    alone = incidents.do_move_flag(db, boss, f1.id, incident_id=None, title="Курьер")
    assert alone.created_by_hand and alone.title == "Курьер" and f1.incident_id == alone.id
    assert alone.began_at == f1.created_at

    merged = incidents.do_create_incident(db, boss, flag_ids=[f1.id, f2.id], title="Общий сбой")
    assert {f.id for f in incidents.list_flags(db, merged.id)} == {f1.id, f2.id}
    incidents.do_set_status(db, boss, merged.id, "fixed")
    incidents.do_set_status(db, boss, merged.id, "verified")
    incidents.do_move_flag(db, boss, f1.id, incident_id=payment.id)
    with pytest.raises(Conflict) as closed:
        incidents.do_move_flag(db, boss, f1.id, incident_id=merged.id)
    assert closed.value.code == "incident_closed"


def test_status_flow_and_its_audit(db: Session, tmp_path: Path) -> None:
    anna, boss = make_user(db), make_user(db, "supervisor")
    _f, incident, _n = flags.do_flag(
        db, anna, message_id=bot_answer(db).id, reason="wrong_fact", options=options(tmp_path)
    )
    for wrong in ("verified", "sent", "closed"):
        with pytest.raises((Conflict, Invalid)):
            incidents.do_set_status(db, boss, incident.id, wrong)
    with pytest.raises(Forbidden):
        incidents.do_set_status(db, anna, incident.id, "fixed")
    assert incident.status == IncidentStatus.open

    incidents.do_set_status(db, boss, incident.id, "fixed", "статья исправлена")
    assert incident.resolved_at is not None
    frozen = incidents.duration(incident)
    assert incidents.duration(incident, incident.resolved_at + timedelta(hours=5)) == frozen
    with pytest.raises(Invalid) as no_note:
        incidents.do_set_status(db, boss, incident.id, "open")
    assert no_note.value.code == "note_required"
    incidents.do_set_status(db, boss, incident.id, "open", "снова неверно")
    assert incident.resolved_at is None
    incidents.do_set_status(db, boss, incident.id, "fixed")
    incidents.do_set_status(db, boss, incident.id, "verified")
    with pytest.raises(Conflict) as final:
        incidents.do_set_status(db, boss, incident.id, "open", "ещё раз")
    assert final.value.code == "invalid_transition"

    history = incidents.list_history(db, incident.id)
    assert [(c.action, c.from_status, c.to_status) for c in history] == [
        ("created", "", "open"),
        ("status", "open", "fixed"),
        ("status", "fixed", "open"),
        ("status", "open", "fixed"),
        ("status", "fixed", "verified"),
    ]
    assert history[1].note == "статья исправлена" and history[1].user_name == boss.display_name


def test_screenshot_is_stored_privately_and_shown_to_allowed_people(
    db: Session, tmp_path: Path
) -> None:
    anna, boris, boss = make_user(db), make_user(db), make_user(db, "supervisor")
    opts = options(tmp_path)
    flag, _i, _n = flags.do_flag(
        db,
        anna,
        message_id=bot_answer(db).id,
        reason="wrong_fact",
        screenshot=(PNG, "image/png"),
        options=opts,
    )
    assert flag.screenshot_type == "image/png" and flag.screenshot_bytes == len(PNG)
    path, kind = flags.access_screenshot(db, anna, flag.id, opts)
    assert path.parent == (tmp_path / "var" / "screenshots").resolve()
    assert path.read_bytes() == PNG and kind == "image/png"
    assert path.stat().st_mode & 0o077 == 0
    assert flags.access_screenshot(db, boss, flag.id, opts)[0] == path
    with pytest.raises(Forbidden):
        flags.access_screenshot(db, boris, flag.id, opts)


def test_a_flag_becomes_a_regression_case_and_a_new_incident_warns_everyone(
    db: Session, tmp_path: Path
) -> None:
    anna, boris = make_user(db), make_user(db)
    doc = article(db, "Доставка в пункт выдачи")
    first = bot_answer(db, article_id=doc.id, question="Где мой заказ? Звоните +7 916 123-45-67")
    second = bot_answer(db, article_id=doc.id)
    _flag, incident, created = flags.do_flag(
        db,
        anna,
        message_id=first.id,
        reason="wrong_fact",
        comment="теперь 7 дней",
        options=options(tmp_path),
    )
    assert created
    [case] = regression.list_cases(db)
    assert case.reason == "Неверный факт: теперь 7 дней"  # as people read it, not the code
    assert (case.message_id, case.article_id, case.bad_answer) == (
        first.id,
        doc.id,
        "Заказ хранится 30 дней.",
    )
    assert "916" not in case.question and case.created_by == anna.id
    # everyone hears of the new incident at once, the flagging operator too
    [warning] = broadcasts.pending_for(db, boris)
    assert warning.incident_id == incident.id and "Доставка в пункт выдачи" in warning.text
    assert [b.id for b in broadcasts.pending_for(db, anna)] == [warning.id]
    # a second flag joins the incident: another case, no second broadcast
    flags.do_flag(db, boris, message_id=second.id, reason="wrong_fact", options=options(tmp_path))
    assert len(regression.list_cases(db)) == 2
    assert len(broadcasts.pending_for(db, boris)) == 1
