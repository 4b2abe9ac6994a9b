"""Assist over HTTP and the console socket: permissions, errors, the live push."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conversations.test_sockets import until
from tests.helpers import add_user, assert_json_error, form_csrf, login, start

GREETING = {
    "title": "Приветствие",
    "category": "greeting",
    "text": "Здравствуйте, {customer.first_name}! Меня зовут {operator.first_name}.",
}


def _supervisor(client: TestClient) -> dict[str, str]:
    return {"X-CSRF-Token": login(client, add_user(client, "supervisor"))}


def test_templates_are_managed_by_supervisors_only(client: TestClient) -> None:
    operator = {"X-CSRF-Token": login(client, add_user(client))}
    assert_json_error(client.post("/api/v1/assist/templates", json=GREETING, headers=operator), 403)
    assert_json_error(client.get("/api/v1/assist/templates/all"), 403)
    assert client.get("/assist/templates").status_code == 403
    boss = _supervisor(client)
    created = client.post("/api/v1/assist/templates", json=GREETING, headers=boss)
    assert created.status_code == 201, created.text
    tid = created.json()["id"]
    error = assert_json_error(
        client.post(
            "/api/v1/assist/templates",
            json={**GREETING, "text": "Бонус {customer.bonus}"},
            headers=boss,
        ),
        422,
        "unknown_variable",
    )
    assert "{customer.bonus}" in error["message"]
    assert_json_error(
        client.post("/api/v1/assist/templates", json={**GREETING, "category": "x"}, headers=boss),
        422,
    )
    updated = client.put(
        f"/api/v1/assist/templates/{tid}", json={**GREETING, "active": False}, headers=boss
    )
    assert updated.status_code == 200 and updated.json()["active"] is False
    assert_json_error(
        client.put("/api/v1/assist/templates/999999", json=GREETING, headers=boss), 404
    )
    assert [t["id"] for t in client.get("/api/v1/assist/templates/all").json()] == [tid]
    assert client.delete(f"/api/v1/assist/templates/{tid}", headers=boss).status_code == 204
    assert client.get("/api/v1/assist/templates/all").json() == []
    assert client.get("/api/v1/assist/stats").status_code == 200


def test_the_templates_page_creates_and_edits(client: TestClient) -> None:
    _supervisor(client)
    page = client.get("/assist/templates")
    assert page.status_code == 200 and "{customer.first_name}" in page.text
    form = {**GREETING, "language": "ru", "csrf_token": form_csrf(page.text)}
    made = client.post("/assist/templates", data=form, follow_redirects=False)
    assert made.status_code == 303
    edit = client.get(made.headers["location"])
    assert "Здравствуйте, Мария! Меня зовут Анна." in edit.text  # the preview
    bad = client.post("/assist/templates", data={**form, "text": "{oops.var}"})
    assert bad.status_code == 422 and "oops.var" in bad.text


def test_operators_search_templates_filled_for_a_conversation(client: TestClient) -> None:
    boss = _supervisor(client)
    client.post("/api/v1/assist/templates", json=GREETING, headers=boss)
    conv_id, _token = start(client, "Здравствуйте")  # the customer is «Мария»
    login(client, add_user(client, username="anna"))
    found = client.get(f"/api/v1/assist/templates?q=привет&conversation_id={conv_id}").json()
    assert found[0]["text"] == "Здравствуйте, Мария! Меня зовут Anna."
    assert found[0]["missing"] == [] and found[0]["category_label"] == "Приветствие"
    raw = client.get("/api/v1/assist/templates?q=привет").json()
    assert raw[0]["missing"] == ["customer.first_name", "operator.first_name"]
    assert_json_error(client.get("/api/v1/assist/templates?conversation_id=999999"), 404)
    assert_json_error(client.get("/api/v1/assist/templates?limit=0"), 422)


def test_suggestions_and_choice_over_http(client: TestClient) -> None:
    boss = _supervisor(client)
    client.post("/api/v1/assist/templates", json=GREETING, headers=boss)
    conv_id, _token = start(client, "Добрый день")
    headers = {"X-CSRF-Token": login(client, add_user(client, username="anna"))}
    assert_json_error(client.get("/api/v1/assist/conversations/999999/suggestions"), 404)
    client.post(f"/api/v1/conversations/{conv_id}/assign", headers=headers)
    data = client.get(f"/api/v1/assist/conversations/{conv_id}/suggestions").json()
    assert data["log_id"] and data["suggestions"][0]["source"] == "template"
    text = data["suggestions"][0]["text"]
    sent = client.post(
        f"/api/v1/conversations/{conv_id}/messages",
        json={"client_id": "op-1", "text": text + " Чем помочь?"},
        headers=headers,
    ).json()["message"]
    assert_json_error(
        client.post(
            f"/api/v1/assist/conversations/{conv_id}/choice",
            json={"message_id": sent["id"], "log_id": data["log_id"], "rank": "first"},
            headers=headers,
        ),
        422,
    )
    choice = client.post(
        f"/api/v1/assist/conversations/{conv_id}/choice",
        json={"message_id": sent["id"], "log_id": data["log_id"], "rank": 0},
        headers=headers,
    )
    assert choice.status_code == 200, choice.text
    assert choice.json()["outcome"] == "edited" and 0.5 < choice.json()["similarity"] < 1
    answered = client.get(f"/api/v1/assist/conversations/{conv_id}/suggestions").json()
    assert answered["log_id"] is None and answered["suggestions"] == []
    other = {"X-CSRF-Token": login(client, add_user(client))}
    assert_json_error(
        client.post(
            f"/api/v1/assist/conversations/{conv_id}/choice",
            json={"message_id": sent["id"], "log_id": data["log_id"]},
            headers=other,
        ),
        403,
        "not_yours",
    )


def test_a_customer_message_pushes_suggestions_to_the_operators_console(
    client: TestClient,
) -> None:
    boss = _supervisor(client)
    client.post("/api/v1/assist/templates", json=GREETING, headers=boss)
    client.post(
        "/api/v1/assist/templates",
        json={
            "title": "Сочувствие",
            "category": "empathy",
            "text": "Понимаю, как это неприятно. Давайте разберёмся вместе.",
        },
        headers=boss,
    )
    conv_id, token = start(client, "Здравствуйте")
    headers = {"X-CSRF-Token": login(client, add_user(client))}
    client.post(f"/api/v1/conversations/{conv_id}/assign", headers=headers)
    with client.websocket_connect("/ws/console") as console:
        assert console.receive_json()["type"] == "ready"
        console.send_json({"type": "watch", "conversation_id": conv_id})  # the console opens it
        until(console, "watching")
        posted = client.post(
            f"/api/v1/chat/conversations/{conv_id}/messages",
            json={"client_id": "c-2", "text": "Это ужас!!! Заказ не привезли"},
            headers={"X-Conversation-Token": token},
        ).json()["message"]
        pushed = until(console, "assist", limit=30)
        assert pushed["conversation_id"] == conv_id and pushed["message_id"] == posted["id"]
        assert pushed["suggestions"][0]["title"] == "Сочувствие"
        assert pushed["log_id"]
    # the customer's own socket never hears them
    with client.websocket_connect("/ws/chat") as chat:
        chat.send_json(
            {"type": "hello", "conversation_id": conv_id, "token": token, "after_seq": 0}
        )
        frames = [chat.receive_json() for _ in range(4)]
        assert all(f["type"] != "assist" for f in frames)
