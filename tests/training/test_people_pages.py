"""The people pages render for their audience and their forms post and redirect; refused
input re-renders the page with the message (Russian by default)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.helpers import add_user, login, make_user, new_conversation
from tests.training.test_training_api import _seed
from wowdesk.conversations import service as conversations
from wowdesk.kb import service as kb
from wowdesk.training import micro
from wowdesk.training.models import Mentorship

HTML = {"accept": "text/html"}


def test_people_pages_render_and_post(client: TestClient) -> None:
    _seed(client)
    factory = client.app.state.sessionmaker  # type: ignore[attr-defined]
    with factory() as db:
        anna = make_user(db, name="Анна Тест")
        article = kb.find_by_slug(db, "31-pickup-storage")
        assert article is not None
        kb.do_update_article(
            db, article, author=None, body=article.body + "\n\nНовый срок: 5 дней."
        )
        lesson = micro.do_lesson_for_article(db, article.id)
        assert lesson is not None
        lesson_id, anna_login = lesson.id, anna.username
        db.commit()
    csrf = login(client, anna_login)
    home = client.get("/training", headers=HTML)
    assert home.status_code == 200 and "Микроуроки" in home.text and "стажёр" in home.text
    page = client.get(f"/training/micro/{lesson_id}", headers=HTML)
    assert page.status_code == 200 and "Новый срок: 5 дней." in page.text
    done = client.post(
        f"/training/micro/{lesson_id}/done", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert done.status_code == 303
    assert 'data-testid="micro-done"' in client.get(f"/training/micro/{lesson_id}").text
    for url in ("/training/mentor", "/training/career", "/training/board", "/analytics/me"):
        r = client.get(url, headers=HTML)
        assert r.status_code == 200, (url, r.text[:500])
        shown = re.sub(r"<script.*?</script>", "", r.text, flags=re.S)  # scripts fill theirs
        assert not re.findall(r".{30}\{[a-z_]+\}", shown), url  # «за {days} дн.» was shown
    assert client.get("/training/mentors", headers=HTML).status_code == 403
    career_page = client.get("/training/career", headers=HTML).text
    criteria = re.findall(r'data-testid="career-criteria">([^<]*)<', career_page)
    assert criteria and all(c.strip() and not c.strip().endswith("·") for c in criteria)
    assert "angry-blocked-ad" not in career_page  # scenarios and tests by their titles
    r = client.post("/training/board/mode", data={"csrf_token": csrf, "mode": "loud"})
    assert r.status_code == 422 and "Неизвестный режим рейтинга" in r.text
    r = client.post(
        "/training/board/mode", data={"csrf_token": csrf, "mode": "private"},
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == 303
    assert 'data-testid="board-mode"' in client.get("/training/board", headers=HTML).text

    csrf = login(client, add_user(client, "supervisor"))
    mentors_page = client.get("/training/mentors", headers=HTML).text
    # «Анна Тест: наставник», not «Наставник для Анна Тест» with the name left uninflected
    assert "Анна Тест: наставник" in mentors_page and "Наставник для" not in mentors_page
    contest = {
        "csrf_token": csrf, "title": "ACW меньше 10 с", "kpi": "acw", "target": "10",
        "starts_on": "2026-12-07", "ends_on": "2026-12-01", "points": "50", "team_id": "",
    }  # fmt: skip
    r = client.post("/training/contests", data=contest)
    assert r.status_code == 422 and "конец не раньше начала" in r.text
    r = client.post(
        "/training/contests", data={**contest, "ends_on": "2026-12-13"}, follow_redirects=False
    )
    assert r.status_code == 303
    board = client.get("/training/board", headers=HTML).text
    assert "ACW меньше 10 с" in board
    # a supervisor is not ranked: no «how I appear», no «you: no data ✗» under a contest
    assert 'data-testid="board-mode"' not in board and 'data-testid="contest-mine"' not in board
    r = client.post(
        "/training/career/operator", data={"csrf_token": csrf, "title": "Оператор", "criteria": "{"}
    )
    assert r.status_code == 422
    completion = client.get(f"/training/micro/{lesson_id}", headers=HTML)
    assert 'data-testid="micro-completion"' in completion.text and "✓ Анна Тест" in completion.text


def test_a_mentor_opens_the_trainees_conversations_and_nobody_elses(client: TestClient) -> None:
    """The trainee page links the trainee's first real conversations to their quality page;
    it answered «not found» to the mentor, who is an operator."""
    factory = client.app.state.sessionmaker  # type: ignore[attr-defined]
    with factory() as db:
        trainee, mentor, colleague = make_user(db), make_user(db), make_user(db)
        db.add(Mentorship(trainee_id=trainee.id, mentor_id=mentor.id))
        conv = conversations.do_assign(db, new_conversation(db).id, trainee)
        served = conv.id
        theirs = conversations.do_assign(db, new_conversation(db).id, colleague).id
        db.commit()
        names = mentor.username, colleague.username
    login(client, names[0])
    page = client.get(f"/quality/conversations/{served}", headers=HTML)
    assert page.status_code == 200 and "qa-transcript" in page.text
    assert 'data-testid="qa-dispute"' not in page.text  # disputes are the trainee's own
    assert client.get(f"/quality/conversations/{theirs}", headers=HTML).status_code == 404
    login(client, names[1])
    assert client.get(f"/quality/conversations/{served}", headers=HTML).status_code == 404


def test_a_supervisor_picks_the_team_whose_board_to_see(client: TestClient) -> None:
    """A supervisor in no team sees everyone's board and may pick one team's; an operator
    in a team gets no such choice and keeps their own board whatever the address asks."""
    from wowdesk.operators import service as operators

    factory = client.app.state.sessionmaker  # type: ignore[attr-defined]
    with factory() as db:
        north, south = operators.do_create_team(db, "Север"), operators.do_create_team(db, "Юг")
        anna = make_user(db, "operator", name="Анна Северная")
        anna.team_id = north.id
        db.commit()
        ids, anna_login = (north.id, south.id), anna.username
    login(client, add_user(client, "supervisor"))
    page = client.get("/training/board", headers=HTML).text
    assert 'data-testid="board-team"' in page and "Север" in page and "Юг" in page
    south_page = client.get(f"/training/board?team={ids[1]}", headers=HTML).text
    assert "Рейтинг · Юг" in south_page
    assert re.search(rf'<option value="{ids[1]}" selected>', south_page)
    assert client.get("/training/board?team=999999", headers=HTML).status_code == 404
    assert client.get("/training/board?team=x", headers=HTML).status_code == 422
    client.cookies.clear()
    login(client, anna_login)
    mine = client.get(f"/training/board?team={ids[1]}", headers=HTML).text
    assert 'data-testid="board-team"' not in mine and "· Север" in mine and "· Юг" not in mine
