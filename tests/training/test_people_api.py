"""Mentors, attestation and motivation through the API: a supervisor assigns a suggested
mentor, the mentor sees the trainee's simulator result and comments on it, the trainee
passes the attestation and moves up the career track (points for the trainee and the
mentor), feedback both ways; the leaderboard's modes and contests; 4xx JSON on bad input."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from tests.helpers import add_user, assert_json_error, login
from tests.training.test_training_api import _practice, _seed
from wowdesk.db import utcnow
from wowdesk.operators import service as operators
from wowdesk.training.demo_scenarios import ANGRY
from wowdesk.training.models import Career

API = "/api/v1/training"


def _as(client: TestClient, username: str) -> dict[str, str]:
    return {"x-csrf-token": login(client, username)}


def _id(client: TestClient, username: str) -> int:
    factory = client.app.state.sessionmaker  # type: ignore[attr-defined]
    with factory() as db:
        user = operators.find_user(db, username)
        assert user is not None
        return user.id


def _age(client: TestClient, username: str, days: int) -> None:
    factory = client.app.state.sessionmaker  # type: ignore[attr-defined]
    with factory() as db:
        user = operators.find_user(db, username)
        assert user is not None
        user.created_at = utcnow() - timedelta(days=days)
        db.commit()


def _age_level(client: TestClient, username: str, days: int) -> None:
    factory = client.app.state.sessionmaker  # type: ignore[attr-defined]
    with factory() as db:
        held = db.get(Career, _id(client, username))
        assert held is not None
        held.since = utcnow() - timedelta(days=days)
        db.commit()


def test_mentor_attestation_and_points(client: TestClient) -> None:
    _seed(client)
    trainee, mentor, newbie = add_user(client), add_user(client), add_user(client)
    boss = add_user(client, "supervisor")
    _age(client, mentor, 200)  # experienced by time on staff
    tid, mid = _id(client, trainee), _id(client, mentor)

    h = _as(client, boss)
    suggested = client.get(f"{API}/trainees/{tid}/mentor/suggestions", headers=h).json()
    names = [c["id"] for c in suggested]
    assert mid in names and _id(client, newbie) not in names  # a newcomer mentors nobody
    assert_json_error(
        client.put(f"{API}/trainees/{tid}/mentor", json={"mentor_id": tid}, headers=h),
        422,
        "invalid_mentor",
    )
    r = client.put(f"{API}/trainees/{tid}/mentor", json={"mentor_id": mid}, headers=h)
    assert r.status_code == 200 and r.json()["mentor_id"] == mid

    # the trainee practises with the angry customer
    h = _as(client, trainee)
    assert_json_error(
        client.put(f"{API}/trainees/{tid}/mentor", json={"mentor_id": mid}, headers=h), 403
    )
    scenario = next(
        s for s in client.get(f"{API}/scenarios", headers=h).json() if s["slug"] == ANGRY["slug"]
    )
    attempt = client.post(f"{API}/attempts", json={"scenario_id": scenario["id"]}, headers=h)
    done = _practice(client, h, attempt.json()["id"], ["Ждите."])
    assert done["result"]["lost"]

    # the mentor sees it with its score and comments on it
    h = _as(client, mentor)
    [seen] = client.get(f"{API}/mentor/trainees", headers=h).json()
    assert seen["id"] == tid and seen["attempts"][0]["total"] == done["total"]
    comment = {"kind": "attempt", "ref_id": done["id"], "text": "Начни с извинения."}
    r = client.post(f"{API}/trainees/{tid}/comments", json=comment, headers=h)
    assert r.status_code == 201 and r.json()["author_id"] == mid
    bad = {**comment, "ref_id": done["id"] + 999}
    assert_json_error(client.post(f"{API}/trainees/{tid}/comments", json=bad, headers=h), 404)
    assert_json_error(
        client.post(f"{API}/trainees/{tid}/comments", json={**comment, "kind": "x"}, headers=h),
        422,
        "invalid_comment",
    )
    h = _as(client, newbie)  # not the mentor: nothing to see
    assert_json_error(client.get(f"{API}/trainees/{tid}", headers=h), 404)

    # the trainee's attestation for «оператор»: the test and the angry customer
    h = _as(client, trainee)
    assert "Начни с извинения." in client.get("/training").text  # the trainee reads it
    levels = client.get(f"{API}/career", headers=h).json()
    assert [lv["slug"] for lv in levels] == ["trainee", "operator", "senior", "mentor"]
    att = client.post(f"{API}/attestations", json={}, headers=h).json()
    assert att["level"] == "operator" and att["status"] == "open"
    assert {p["key"] for p in att["parts"]} == {"quiz", f"scenario:{ANGRY['slug']}"}
    assert not any(p["passed"] for p in att["parts"])
    early = client.post(f"{API}/attestations/{att['id']}/finish", headers=h).json()
    assert early["status"] == "failed"  # a failed one stays on record; start again
    att = client.post(f"{API}/attestations", json={}, headers=h).json()
    quiz = {"answers": ["смените пароль от аккаунта", [1]]}
    r = client.post(f"{API}/attestations/{att['id']}/quiz", json=quiz, headers=h)
    assert r.json()["quiz_percent"] == 100.0
    p = client.post(
        f"{API}/attestations/{att['id']}/practice", json={"scenario": ANGRY["slug"]}, headers=h
    )
    assert p.status_code == 201
    _practice(client, h, p.json()["id"], ANGRY["ideal_path"])
    assert_json_error(
        client.post(
            f"{API}/attestations/{att['id']}/practice", json={"scenario": "nope"}, headers=h
        ),
        422,
    )
    fb = {"about": "trainee", "rating": 5, "text": "Я молодец"}
    assert_json_error(
        client.post(f"{API}/attestations/{att['id']}/feedback", json=fb, headers=h), 403
    )
    fb = {"about": "mentor", "rating": 5, "text": "Помог с извинениями"}
    assert (
        client.post(f"{API}/attestations/{att['id']}/feedback", json=fb, headers=h).status_code
        == 200
    )
    passed = client.post(f"{API}/attestations/{att['id']}/finish", headers=h).json()
    assert passed["status"] == "passed", passed["parts"]
    me = client.get(f"{API}/motivation", headers=h).json()
    assert me["career_level"] == "оператор" and me["next_career_level"] == "старший оператор"
    assert me["points"] >= 50 and "level_up" in {b["key"] for b in me["badges"]}
    # the periodic attestation: due once the level's `every_days` have passed
    assert "training-recheck-due" not in client.get("/training").text
    _age_level(client, trainee, 200)
    assert "training-recheck-due" in client.get("/training").text
    again = client.post(f"{API}/attestations", json={"recheck": True}, headers=h).json()
    assert again["level"] == "operator" and again["status"] == "open"
    assert_json_error(
        client.post(f"{API}/attestations", json={"recheck": True}, headers=_as(client, newbie)),
        409,
        "nothing_to_confirm",
    )
    h = _as(client, trainee)
    page = client.get("/analytics/me", headers={**h, "accept": "text/html"}).text
    assert 'data-testid="my-growth"' in page and "Повышение" in page and "старший оператор" in page

    # the mentor: feedback on the trainee, points for helping
    h = _as(client, mentor)
    fb = {"about": "trainee", "rating": 4, "text": "Хорошо держит тон"}
    r = client.post(f"{API}/attestations/{att['id']}/feedback", json=fb, headers=h)
    assert {f["about"] for f in r.json()["feedback"]} == {"mentor", "trainee"}
    banners = client.get("/api/v1/safety/broadcasts/pending", headers=h).json()
    assert any("теперь оператор" in b["text"] for b in banners)  # the team hears of it
    mine = client.get(f"{API}/motivation", headers=h).json()
    assert mine["points"] == 30 and "mentor" in {b["key"] for b in mine["badges"]}


def test_leaderboard_modes_contests_and_criteria(client: TestClient) -> None:
    _seed(client)
    anna, boss = add_user(client), add_user(client, "supervisor")
    h = _as(client, anna)
    board = client.get(f"{API}/leaderboard", headers=h).json()
    assert board["mode"] == "public"
    private = client.put(f"{API}/leaderboard/mode", json={"mode": "private"}, headers=h).json()
    assert all(r["me"] for r in private["rows"])
    out = client.put(f"{API}/leaderboard/mode", json={"mode": "opt_out"}, headers=h).json()
    assert out["rows"] == [] and out["my_place"] is None
    assert_json_error(
        client.put(f"{API}/leaderboard/mode", json={"mode": "loud"}, headers=h), 422, "invalid_mode"
    )
    contest = {
        "title": "ACW меньше 10 с", "kpi": "acw", "target": 10,
        "starts_on": "2026-12-01", "ends_on": "2026-12-07",
    }  # fmt: skip
    assert_json_error(client.post(f"{API}/contests", json=contest, headers=h), 403)
    h = _as(client, boss)
    # a supervisor in no team sees everyone, or the team asked for; an unknown team is a 404
    assert client.get(f"{API}/leaderboard", headers=h).json()["team"] == ""
    assert_json_error(client.get(f"{API}/leaderboard?team_id=999999", headers=h), 404)
    assert_json_error(client.get(f"{API}/leaderboard?team_id=0", headers=h), 422)
    assert_json_error(
        client.post(f"{API}/contests", json={**contest, "kpi": "speed"}, headers=h),
        422,
        "invalid_contest",
    )
    assert_json_error(
        client.post(f"{API}/contests", json={**contest, "ends_on": "2026-11-01"}, headers=h),
        422,
    )
    made = client.post(f"{API}/contests", json=contest, headers=h)
    assert made.status_code == 201 and made.json()["kpi"] == "acw"
    standings = client.get(f"{API}/contests/{made.json()['id']}/standings", headers=h).json()
    assert [s["name"] for s in standings if not s["met"]]  # Анна: no conversations, no data
    assert all(s["value"] is None for s in standings)
    assert_json_error(client.get(f"{API}/contests/9999/standings", headers=h), 404)
    criteria = {"quiz": "no-such-quiz", "scenarios": [], "kpis": []}
    r = client.put(
        f"{API}/career/operator", json={"title": "Оператор", "criteria": criteria}, headers=h
    )
    assert_json_error(r, 422, "invalid_criteria")
    criteria = {"quiz": "", "scenarios": [ANGRY["slug"]], "practice_min": 70, "kpis": ["csat"]}
    r = client.put(
        f"{API}/career/operator", json={"title": "Оператор", "criteria": criteria}, headers=h
    )
    assert r.status_code == 200 and r.json()["criteria"]["kpis"] == ["csat"]
