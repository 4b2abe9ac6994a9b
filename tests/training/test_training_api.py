"""The training API end to end on a real app: entry test with its dialogue part → level and
track; modules unlock in order; a practice attempt is the trainee's own and never touches
conversations; supervisors edit banks and scenarios, with 4xx JSON errors on bad input."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.helpers import add_user, assert_json_error, login
from wowdesk.conversations.models import Conversation
from wowdesk.demo import seed as demo
from wowdesk.training import service
from wowdesk.training.demo_scenarios import ANGRY, CALM


def _seed(client: TestClient) -> None:
    factory = client.app.state.sessionmaker  # type: ignore[attr-defined]
    with factory() as db:
        demo.seed_knowledge(db)
        service.do_ensure_demo(db)
        db.commit()


def _as(client: TestClient, role: str = "operator") -> dict[str, str]:
    return {"x-csrf-token": login(client, add_user(client, role))}


def _practice(client: TestClient, h: dict[str, str], attempt_id: int, replies: list[str]) -> dict:
    for text in replies:
        r = client.post(
            f"/api/v1/training/attempts/{attempt_id}/replies", json={"text": text}, headers=h
        )
        assert r.status_code == 200, r.text
    r = client.post(f"/api/v1/training/attempts/{attempt_id}/finish", headers=h)
    assert r.status_code == 200, r.text
    return r.json()


def test_entry_test_sets_level_and_track_and_modules_unlock_in_order(client: TestClient) -> None:
    _seed(client)
    h = _as(client)
    test = client.get("/api/v1/training/entry", headers=h).json()
    assert test["has_dialogue"] and len(test["questions"]) == 4
    assert "answer" not in test["questions"][0]
    answers = [[1], [0, 2, 3], "7 дней", "в течение 3 рабочих дней"]
    entry = client.post("/api/v1/training/entry", json={"answers": answers}, headers=h).json()
    assert entry["quiz_percent"] == 100.0 and entry["level"] == ""  # the dialogue is still due
    assert client.get("/api/v1/training/me", headers=h).json()["track_id"] is None
    done = _practice(client, h, entry["practice_attempt_id"], CALM["ideal_path"])
    assert done["total"] >= 85
    me = client.get("/api/v1/training/me", headers=h).json()
    assert me["level"] == "experienced" and me["track_title"] == "Трудные клиенты"
    first, second = me["modules"]
    assert first["unlocked"] and not second["unlocked"]
    r = client.post(f"/api/v1/training/modules/{second['id']}/read", headers=h)
    assert_json_error(r, 403, "module_locked")
    # module 1: lessons, the angry customer, the quiz
    client.post(f"/api/v1/training/modules/{first['id']}/read", headers=h)
    attempt = client.post(f"/api/v1/training/modules/{first['id']}/practice", headers=h).json()
    assert attempt["transcript"][0]["text"] == ANGRY["opening"]
    assert _practice(client, h, attempt["id"], ANGRY["ideal_path"])["total"] >= 60
    quiz = {"answers": [[1], "пропорционально оставшимся дням услуги"]}
    progress = client.post(f"/api/v1/training/modules/{first['id']}/quiz", json=quiz, headers=h)
    assert progress.json()["completed"], progress.text
    me = client.get("/api/v1/training/me", headers=h).json()
    assert me["modules"][0]["done"] and me["modules"][1]["unlocked"]


def test_weak_entry_result_gets_the_basics_track(client: TestClient) -> None:
    _seed(client)
    h = _as(client)
    entry = client.post(
        "/api/v1/training/entry", json={"answers": [[0], [1], "не знаю", ""]}, headers=h
    )
    practice = _practice(client, h, entry.json()["practice_attempt_id"], ["Ждите."])
    assert practice["total"] < 50
    me = client.get("/api/v1/training/me", headers=h).json()
    assert me["level"] == "novice" and len(me["modules"]) == 3


def test_practice_is_private_and_never_a_conversation(client: TestClient) -> None:
    _seed(client)
    h = _as(client)
    scenario = client.get("/api/v1/training/scenarios", headers=h).json()[0]
    attempt = client.post(
        "/api/v1/training/attempts", json={"scenario_id": scenario["id"]}, headers=h
    )
    assert attempt.status_code == 201
    aid = attempt.json()["id"]
    r = client.post(f"/api/v1/training/attempts/{aid}/finish", headers=h)
    assert_json_error(r, 422)  # nothing said yet
    reply = client.post(
        f"/api/v1/training/attempts/{aid}/replies", json={"text": "Здравствуйте!"}, headers=h
    )
    assert reply.json()["customer"]
    assert_json_error(
        client.post(f"/api/v1/training/attempts/{aid}/replies", json={"text": ""}, headers=h), 422
    )
    client.post(f"/api/v1/training/attempts/{aid}/finish", headers=h)
    again = client.post(f"/api/v1/training/attempts/{aid}/replies", json={"text": "Ещё"}, headers=h)
    assert_json_error(again, 409, "attempt_finished")
    other = _as(client)  # the same browser, now another operator
    assert_json_error(client.get(f"/api/v1/training/attempts/{aid}", headers=other), 404)
    factory = client.app.state.sessionmaker  # type: ignore[attr-defined]
    with factory() as db:
        assert db.scalar(select(func.count()).select_from(Conversation)) == 0


def test_supervisors_edit_scenarios_and_banks_operators_cannot(client: TestClient) -> None:
    _seed(client)
    op = _as(client)
    body = {**CALM, "slug": "calm-copy", "title": "Копия"}
    assert_json_error(client.put("/api/v1/training/scenarios", json=body, headers=op), 403)
    sup = _as(client, "supervisor")
    saved = client.put("/api/v1/training/scenarios", json=body, headers=sup)
    assert saved.status_code == 200 and saved.json()["hidden_facts"] == CALM["hidden_facts"]
    bad = client.put("/api/v1/training/scenarios", json={**body, "persona": "robot"}, headers=sup)
    assert_json_error(bad, 422)
    bank = {
        "title": "Новый тест",
        "questions": [
            {
                "kind": "short",
                "text": "?",
                "article_slug": "31-pickup-storage",
                "expected": "99 дней",
            }
        ],
    }
    assert_json_error(client.put("/api/v1/training/quizzes/new-quiz", json=bank, headers=sup), 422)
    bank["questions"][0]["expected"] = "7 дней"
    assert (
        client.put("/api/v1/training/quizzes/new-quiz", json=bank, headers=sup).status_code == 200
    )
    r = client.post("/api/v1/training/scenarios/from-case", json={"case_id": 999}, headers=sup)
    assert_json_error(r, 404)


def test_supervisors_build_tracks_on_the_tracks_page(client: TestClient) -> None:
    _seed(client)
    csrf = login(client, add_user(client, "supervisor"))
    page = client.get("/training/tracks")
    assert page.status_code == 200 and "marketplace-basics" in page.text
    track = {
        "slug": "night-shift",
        "title": "Ночная смена",
        "modules": [
            {"title": "Коды", "lessons": [{"kind": "article", "ref": "51-never-share-codes"}]},
            {"title": "Практика", "scenario": "angry-blocked-ad"},
        ],
    }
    saved = client.post(
        "/training/tracks",
        data={"csrf_token": csrf, "definition": json.dumps(track)},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert "Ночная смена" in client.get("/training/tracks").text
    broken = client.post("/training/tracks", data={"csrf_token": csrf, "definition": "{"})
    assert broken.status_code == 422 and "JSON" in broken.text
    unknown = {**track, "modules": [{"title": "X", "scenario": "no-such"}]}
    refused = client.post(
        "/training/tracks", data={"csrf_token": csrf, "definition": json.dumps(unknown)}
    )
    assert refused.status_code == 404 and "Сценарий не найден" in refused.text
    login(client, add_user(client))
    assert client.get("/training/tracks").status_code == 403
