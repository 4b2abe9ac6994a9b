"""Routing over HTTP: the operator's status, transfers, the supervisors' board and the
customer's place in the queue and other ways to be answered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from tests.helpers import PASSWORD, add_user, assert_json_error, login, start


def test_login_puts_an_operator_online_and_logout_takes_them_off(client: TestClient) -> None:
    name = add_user(client)
    csrf = login(client, name, PASSWORD)
    status = client.get("/api/v1/me/status").json()
    assert status["status"] == "online" and status["load"] == 0
    headers = {"X-CSRF-Token": csrf}
    assert (
        client.put("/api/v1/me/status", json={"status": "break"}, headers=headers).json()["status"]
        == "break"
    )
    assert_json_error(
        client.put("/api/v1/me/status", json={"status": "asleep"}, headers=headers), 422
    )
    assert_json_error(client.put("/api/v1/me/status", json={"status": "online"}), 403)


def test_board_is_for_supervisors_and_shows_people_and_queues(client: TestClient) -> None:
    operator = add_user(client)
    login(client, operator)
    assert_json_error(client.get("/api/v1/routing/board"), 403)
    start(client)
    boss = add_user(client, role="supervisor")
    csrf = login(client, boss)
    board = client.get("/api/v1/routing/board").json()
    assert any(p["name"].lower().startswith("operator") for p in board["operators"])
    # today's numbers come live from the conversations, not from the five-minute rollup
    assert board["today"]["contacts"] == 1 and board["today"]["service_level"] is None
    assert board["targets"]["service_level"] == 0.8
    # tickets are made by the dispatcher; without it the queue list may be empty but valid
    assert isinstance(board["queues"], list)
    users = {p["name"]: p["user_id"] for p in board["operators"]}
    uid = next(v for k, v in users.items() if k.lower() == operator.lower())
    headers = {"X-CSRF-Token": csrf}
    ok = client.put(
        f"/api/v1/operators/{uid}/routing",
        json={"capacity": 4, "skills": [{"kind": "topic", "value": "Оплата", "level": 5}]},
        headers=headers,
    )
    assert ok.status_code == 200 and ok.json()["capacity"] == 4
    assert client.get(f"/api/v1/operators/{uid}/routing").json()["skills"][0]["level"] == 5
    assert_json_error(
        client.put(
            f"/api/v1/operators/{uid}/routing",
            json={"capacity": 0, "skills": []},
            headers=headers,
        ),
        422,
    )
    history = client.get(f"/api/v1/operators/{uid}/status-history").json()
    # operators start offline after login and go on the line themselves (tests.helpers.login)
    assert history[0]["status"] == "online" and history[0]["reason"] == "manual"


def test_customer_alternatives_are_validated(client: TestClient) -> None:
    conv_id, token = start(client)
    headers = {"X-Conversation-Token": token}
    url = f"/api/v1/chat/conversations/{conv_id}/alternative"
    assert_json_error(client.post(url, json={"kind": "email"}, headers=headers), 422)
    assert_json_error(
        client.post(url, json={"kind": "email", "email": "x@example.ru"}, headers={}), 422
    )
    assert_json_error(
        client.post(
            url,
            json={"kind": "email", "email": "x@example.ru"},
            headers={"X-Conversation-Token": "bad"},
        ),
        404,
    )
    assert_json_error(
        client.post(url, json={"kind": "email", "email": "nope"}, headers=headers), 422
    )
    at = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert_json_error(
        client.post(url, json={"kind": "callback", "phone": "123", "at": at}, headers=headers),
        422,
    )
    ok = client.post(url, json={"kind": "email", "email": "x@example.ru"}, headers=headers)
    assert ok.status_code == 200, ok.text
    place = client.get(f"/api/v1/chat/conversations/{conv_id}/place", headers=headers).json()
    assert place["position"] is None  # no longer in the live queue


def test_transfer_needs_one_target(client: TestClient) -> None:
    name = add_user(client)
    csrf = login(client, name)
    conv_id, _token = start(client)
    headers = {"X-CSRF-Token": csrf}
    assert (
        client.post(f"/api/v1/conversations/{conv_id}/assign", headers=headers).status_code == 200
    )
    assert_json_error(
        client.post(
            f"/api/v1/conversations/{conv_id}/transfer", json={"note": "x"}, headers=headers
        ),
        422,
    )
    moved = client.post(
        f"/api/v1/conversations/{conv_id}/transfer",
        json={"queue": "", "note": "не мой вопрос"},
        headers=headers,
    )
    assert moved.status_code == 200 and moved.json()["status"] == "queued"
    ticket = client.get(f"/api/v1/conversations/{conv_id}/ticket").json()
    assert ticket["note"] == "не мой вопрос" and ticket["state"] == "waiting"
    assert_json_error(
        client.post(
            f"/api/v1/conversations/{conv_id}/escalate", json={"note": ""}, headers=headers
        ),
        422,
    )
