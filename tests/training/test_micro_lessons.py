"""Micro-lessons: a fixed incident becomes a lesson (the corrected article and the
regression cases) for every operator serving its topic, made from quality's event by
training's listener, once; the incident page shows who has completed it."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.helpers import add_user, capture_events, login, make_user
from tests.safety.factories import article, bot_answer, options
from wowdesk.assist import service as assist
from wowdesk.errors import NotFound
from wowdesk.kb import service as kb
from wowdesk.operators import presence
from wowdesk.quality import flags, incident_views
from wowdesk.quality import service as incidents
from wowdesk.quality.schemas import IncidentChanged
from wowdesk.training import listener, micro


def _skills(db: Session, user_id: int, *topics: str) -> None:
    presence.do_set_skills(
        db, user_id, [presence.SkillIn(kind="topic", value=t, level=3) for t in topics]
    )


def test_a_fixed_incident_makes_one_lesson_for_the_topic(db: Session, tmp_path: Path) -> None:
    anna = make_user(db, name="Анна")  # serves Доставка
    boris = make_user(db, name="Борис")  # serves Оплата only
    make_user(db, name="Карл")  # no topic skills: takes any topic
    boss = make_user(db, "supervisor")
    _skills(db, anna.id, "Доставка")
    _skills(db, boris.id, "Оплата")
    doc = article(db)
    answer = bot_answer(db, article_id=doc.id, topic="Доставка")
    _flag, incident, _new = flags.do_flag(
        db, anna, message_id=answer.id, reason="wrong_fact", options=options(tmp_path)
    )
    kb.do_update_article(db, doc, author=boss, body="Заказ хранится в пункте выдачи 7 дней.")
    # not fixed yet: no lesson
    assert micro.do_lesson_for_incident(db, incident.id) is None

    bus = capture_events(db)
    incidents.do_set_status(db, boss, incident.id, "fixed")
    db.commit()
    [event] = [p for _c, p in bus.published if p["type"] == "incident"]
    assert event["status"] == "fixed"
    unit = listener.unit_for(event)
    assert unit is not None
    unit(db)
    lesson = micro.lesson_of_incident(db, incident.id)
    assert lesson is not None and lesson.source == "incident"
    assert "7 дней" in lesson.body and lesson.topic == "Доставка"
    assert lesson.cases[0]["question"] == "Сколько дней хранится заказ?"
    assert lesson.cases[0]["bad_answer"] == "Заказ хранится 30 дней."
    assigned = {u.display_name for u, _a in micro.completion(db, lesson.id)}
    assert assigned == {"Анна", "Карл"}

    # the same event heard twice (two processes) and the article's own event: one lesson
    unit(db)
    article_unit = listener.unit_for({"type": "kb", "op": "updated", "id": doc.id})
    assert article_unit is not None
    article_unit(db)
    assert micro.do_sweep(db) == 0
    assert len(micro.completion(db, lesson.id)) == 2
    assert micro.do_lesson_for_article(db, doc.id).id == lesson.id  # type: ignore[union-attr]

    panel = incident_views.panels(db, incident.id)
    # the panel is registered by create_app; without it, the callback itself
    panel = panel or [micro.incident_panel(db, incident.id)]  # type: ignore[list-item]
    assert panel[0] is not None and "0" in panel[0].summary
    micro.do_complete(db, anna, lesson.id)
    micro.do_complete(db, anna, lesson.id)  # idempotent
    after = micro.incident_panel(db, incident.id)
    assert after is not None
    assert [(r.name, r.done) for r in after.rows] == [("Анна", True), ("Карл", False)]
    with pytest.raises(NotFound):
        micro.do_complete(db, boris, lesson.id)  # not his topic, not his lesson


def test_an_article_rewrite_is_a_lesson_a_title_change_is_not(db: Session) -> None:
    make_user(db, name="Анна")
    doc = article(db)
    assert micro.do_lesson_for_article(db, doc.id) is None  # new article
    kb.do_update_article(db, doc, author=None, title="Хранение заказа")
    assert micro.do_lesson_for_article(db, doc.id) is None  # same text
    kb.do_update_article(db, doc, author=None, body="Заказ хранится 5 дней.")
    lesson = micro.do_lesson_for_article(db, doc.id)
    assert lesson is not None and lesson.source == "article" and lesson.body.endswith("5 дней.")
    assert [u.display_name for u, _a in micro.completion(db, lesson.id)] == ["Анна"]


def test_a_sweep_makes_the_lesson_an_event_missed(db: Session, tmp_path: Path) -> None:
    anna, boss = make_user(db), make_user(db, "supervisor")
    answer = bot_answer(db, topic="Оплата")
    _f, incident, _n = flags.do_flag(
        db, anna, message_id=answer.id, reason="other", options=options(tmp_path)
    )
    incidents.do_set_status(db, boss, incident.id, "fixed")
    assert micro.do_sweep(db) == 1
    assert micro.do_sweep(db) == 0
    lesson = micro.lesson_of_incident(db, incident.id)
    assert lesson is not None and lesson.article_id is None and lesson.topic == "Оплата"
    assert IncidentChanged(id=incident.id, status="fixed").wire()["type"] == "incident"


def test_fixing_in_the_app_makes_the_lesson_and_the_incident_page_shows_it(
    client: TestClient, tmp_path: Path
) -> None:
    """Through the running app: the status change commits, the event reaches training's
    listener on the bus, the lesson appears, and the incident page shows its completion."""
    factory = client.app.state.sessionmaker  # type: ignore[attr-defined]
    with factory() as db:
        anna = make_user(db, name="Анна")
        answer = bot_answer(db, topic="Доставка")
        _f, incident, _n = flags.do_flag(
            db, anna, message_id=answer.id, reason="wrong_fact", options=options(tmp_path)
        )
        incident_id, anna_login = incident.id, anna.username
        db.commit()
    h = {"x-csrf-token": login(client, add_user(client, "supervisor"))}
    r = client.post(
        f"/api/v1/safety/incidents/{incident_id}/status", json={"status": "fixed"}, headers=h
    )
    assert r.status_code == 200, r.text
    deadline = time.monotonic() + 10
    lesson = None
    while lesson is None and time.monotonic() < deadline:
        with factory() as db:
            lesson = micro.lesson_of_incident(db, incident_id)
        time.sleep(0.05)
    assert lesson is not None
    page = client.get(f"/safety/incidents/{incident_id}", headers={"accept": "text/html"})
    assert "Микроурок для команды" in page.text and "Прошли 0 из 1" in page.text
    h = {"x-csrf-token": login(client, anna_login)}
    [mine] = client.get("/api/v1/training/micro", headers=h).json()
    assert mine["incident_id"] == incident_id and mine["done_at"] is None
    assert client.post(f"/api/v1/training/micro/{mine['id']}/done", headers=h).status_code == 200
    h = {"x-csrf-token": login(client, add_user(client, "supervisor"))}
    page = client.get(f"/safety/incidents/{incident_id}", headers={"accept": "text/html"})
    assert "Прошли 1 из 1" in page.text


def test_a_template_with_a_new_script_is_a_lesson_for_everyone(db: Session) -> None:
    anna, boss = make_user(db, name="Анна"), make_user(db, "supervisor")
    _skills(db, anna.id, "Оплата")
    old = "Здравствуйте! Возврат придёт за 10 дней."
    template = assist.do_create_template(
        db, boss, title="Сроки возврата", category="other", text=old
    )
    bus = capture_events(db)
    fields = {"title": "Сроки возврата", "category": "other", "language": "ru", "active": True}
    assist.do_update_template(db, template, boss, text=old, **fields)  # same text
    assist.do_update_template(db, template, boss, text="Возврат придёт за 3 дня.", **fields)
    db.commit()
    [event] = [p for _c, p in bus.published if p["type"] == "template"]
    unit = listener.unit_for(event)
    assert unit is not None
    unit(db)
    unit(db)
    [(lesson, _a)] = micro.my_lessons(db, anna)
    assert lesson.source == "template" and lesson.body == "Возврат придёт за 3 дня."
    assert lesson.cases[0]["bad_answer"] == old
