from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from tests.helpers import add_user, assert_json_error, login, start
from wowdesk.app import create_app
from wowdesk.config import Settings


def _token(token: str) -> dict[str, str]:
    return {"X-Conversation-Token": token}


def test_customer_reads_and_writes_own_conversation(client: TestClient) -> None:
    conv_id, token = start(client)
    posted = client.post(
        f"/api/v1/chat/conversations/{conv_id}/messages",
        json={"client_id": "m2", "text": "Номер заказа 4815162342"},
        headers=_token(token),
    )
    assert posted.status_code == 200 and posted.json()["created"] is True
    again = client.post(
        f"/api/v1/chat/conversations/{conv_id}/messages",
        json={"client_id": "m2", "text": "Номер заказа 4815162342"},
        headers=_token(token),
    )
    assert again.json() == {**posted.json(), "created": False}
    messages = client.get(f"/api/v1/chat/conversations/{conv_id}/messages", headers=_token(token))
    assert [m["seq"] for m in messages.json()] == [1, 2]
    after = client.get(
        f"/api/v1/chat/conversations/{conv_id}/messages?after_seq=1", headers=_token(token)
    )
    assert [m["client_id"] for m in after.json()] == ["m2"]
    view = client.get(f"/api/v1/chat/conversations/{conv_id}", headers=_token(token)).json()
    assert view["status"] == "queued" and "customer_id" not in view


def test_customer_token_cannot_reach_another_conversation(client: TestClient) -> None:
    a, _token_a = start(client, identity="a")
    _b, token_b = start(client, identity="b")
    assert_json_error(client.get(f"/api/v1/chat/conversations/{a}", headers=_token(token_b)), 404)
    assert_json_error(
        client.post(
            f"/api/v1/chat/conversations/{a}/messages",
            json={"client_id": "x", "text": "чужой"},
            headers=_token(token_b),
        ),
        404,
    )
    assert_json_error(client.get(f"/api/v1/chat/conversations/{a}/messages"), 422)
    assert_json_error(client.get(f"/api/v1/conversations/{a}"), 401, "not_logged_in")


def test_bad_input_gets_clear_errors_and_changes_nothing(client: TestClient) -> None:
    conv_id, token = start(client)
    url = f"/api/v1/chat/conversations/{conv_id}/messages"
    headers = {**_token(token), "Content-Type": "application/json"}
    error = assert_json_error(
        client.post(url, content=b'{"client_id": "u1", "text": "\xff\xfe"}', headers=headers), 400
    )
    assert "UTF-8" in error["message"]
    assert_json_error(client.post(url, content=b"{not json", headers=headers), 422)
    long = client.post(url, json={"client_id": "u2", "text": "я" * 4001}, headers=_token(token))
    assert "4000" in assert_json_error(long, 422, "message_too_long")["message"]
    assert_json_error(
        client.post(url, json={"client_id": "u3", "text": "  "}, headers=_token(token)),
        422,
        "empty_message",
    )
    assert_json_error(
        client.post(url, json={"client_id": "", "text": "hi"}, headers=_token(token)), 422
    )
    assert_json_error(client.post(url, json={"text": "без id"}, headers=_token(token)), 422)
    assert_json_error(
        client.post(
            "/api/v1/chat/conversations/999999/messages",
            json={"client_id": "u4", "text": "hi"},
            headers=_token(token),
        ),
        404,
    )
    messages = client.get(url, headers=_token(token)).json()
    assert len(messages) == 1


def test_start_validates_its_body(client: TestClient) -> None:
    bad = client.post(
        "/api/v1/chat/conversations",
        json={"identity": "", "message": {"client_id": "a", "text": "x"}},
    )
    error = assert_json_error(bad, 422, "invalid")
    assert "identity" in error["message"]
    assert_json_error(
        client.post(
            "/api/v1/chat/conversations",
            json={"identity": "z", "message": {"client_id": "a", "text": ""}},
        ),
        422,
        "empty_message",
    )


def test_operator_flow_over_rest(client: TestClient) -> None:
    conv_id, token = start(client)
    csrf = login(client, add_user(client))
    h = {"X-CSRF-Token": csrf}
    queue = client.get("/api/v1/conversations?view=queue").json()
    assert [c["id"] for c in queue] == [conv_id]
    assert (
        client.post(f"/api/v1/conversations/{conv_id}/assign", headers=h).json()["status"]
        == "assigned"
    )
    reply = client.post(
        f"/api/v1/conversations/{conv_id}/messages",
        json={"client_id": "op-1", "text": "Здравствуйте!"},
        headers=h,
    )
    assert reply.status_code == 200
    detail = client.get(f"/api/v1/conversations/{conv_id}").json()
    assert [m["author_kind"] for m in detail["messages"]] == ["customer", "system", "operator"]
    assert detail["conversation"]["first_human_reply_at"] is not None
    assert (
        client.post(f"/api/v1/conversations/{conv_id}/close", headers=h).json()["status"]
        == "wrapup"
    )
    rated = client.post(
        f"/api/v1/chat/conversations/{conv_id}/csat", json={"score": 4}, headers=_token(token)
    )
    assert rated.json()["csat"] == 4
    assert_json_error(
        client.post(
            f"/api/v1/chat/conversations/{conv_id}/csat", json={"score": 5}, headers=_token(token)
        ),
        409,
        "already_rated",
    )
    assert_json_error(
        client.post(f"/api/v1/conversations/{conv_id}/wrapup", json={"topic_id": 999}, headers=h),
        404,
    )


def test_state_changes_need_the_csrf_token(client: TestClient) -> None:
    conv_id, _token = start(client)
    login(client, add_user(client))
    assert_json_error(client.post(f"/api/v1/conversations/{conv_id}/assign"), 403, "csrf")
    assert_json_error(
        client.post(f"/api/v1/conversations/{conv_id}/assign", headers={"X-CSRF-Token": "forged"}),
        403,
        "csrf",
    )
    assert client.get("/api/v1/conversations?view=queue").json()[0]["status"] == "queued"


def test_second_operator_cannot_take_a_taken_conversation(client: TestClient) -> None:
    conv_id, _token = start(client)
    first, second = add_user(client), add_user(client)
    csrf = login(client, first)
    assert (
        client.post(
            f"/api/v1/conversations/{conv_id}/assign", headers={"X-CSRF-Token": csrf}
        ).status_code
        == 200
    )
    csrf = login(client, second)
    assert_json_error(
        client.post(f"/api/v1/conversations/{conv_id}/assign", headers={"X-CSRF-Token": csrf}),
        409,
        "already_taken",
    )
    assert_json_error(
        client.post(
            f"/api/v1/conversations/{conv_id}/messages",
            json={"client_id": "x", "text": "я тоже"},
            headers={"X-CSRF-Token": csrf},
        ),
        403,
        "not_yours",
    )


def test_topics_admin_only(client: TestClient) -> None:
    csrf = login(client, add_user(client, "operator"))
    assert_json_error(
        client.post("/api/v1/topics", json={"name": "Возвраты"}, headers={"X-CSRF-Token": csrf}),
        403,
        "role",
    )
    csrf = login(client, add_user(client, "admin"))
    created = client.post(
        "/api/v1/topics", json={"name": "Возвраты"}, headers={"X-CSRF-Token": csrf}
    )
    assert created.status_code == 201
    assert_json_error(
        client.post("/api/v1/topics", json={"name": "Возвраты"}, headers={"X-CSRF-Token": csrf}),
        409,
    )
    assert [t["name"] for t in client.get("/api/v1/topics").json()] == ["Возвраты"]


def test_openapi_is_published(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "/api/v1/chat/conversations" in spec["paths"]
    assert "/api/v1/conversations/{conversation_id}/assign" in spec["paths"]
    assert client.get("/docs").status_code == 200


def test_a_failed_commit_is_an_error_to_the_client_and_a_resend_stores_once(
    settings: Settings, factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The transaction commits before the response leaves: a customer never hears "stored"
    about a message that the commit then lost."""
    with TestClient(create_app(settings, factory), raise_server_exceptions=False) as client:
        conv_id, token = start(client)
        url = f"/api/v1/chat/conversations/{conv_id}/messages"
        body = {"client_id": "lost-1", "text": "Дошло ли?"}
        real_commit = Session.commit

        def failing_commit(self: Session) -> None:
            raise OperationalError("COMMIT", {}, Exception("the database went away"))

        monkeypatch.setattr(Session, "commit", failing_commit)
        failed = client.post(url, json=body, headers=_token(token))
        monkeypatch.setattr(Session, "commit", real_commit)
        assert failed.status_code >= 500
        texts = [m["text"] for m in client.get(url, headers=_token(token)).json()]
        assert "Дошло ли?" not in texts
        resent = client.post(url, json=body, headers=_token(token))
        assert resent.status_code == 200 and resent.json()["created"] is True
        texts = [m["text"] for m in client.get(url, headers=_token(token)).json()]
        assert texts.count("Дошло ли?") == 1


def test_a_person_chosen_up_front_skips_the_bot(
    settings: Settings, factory: sessionmaker[Session]
) -> None:
    with TestClient(create_app(settings.model_copy(update={"bot_enabled": True}), factory)) as c:
        body = {"identity": "up-front", "message": {"client_id": "a", "text": "Здравствуйте"}}
        bot = c.post("/api/v1/chat/conversations", json=body).json()["conversation"]
        assert bot["status"] == "bot"
        human = {**body, "identity": "up-front-2", "choice": "human"}
        queued = c.post("/api/v1/chat/conversations", json=human).json()["conversation"]
        assert queued["status"] == "queued"
