"""The manual-mode API and the /safety page: roles, validation, errors that say what is wrong."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.helpers import add_user, assert_json_error, form_csrf, login
from wowdesk.conversations import topics
from wowdesk.kb import service as kb

TOPIC = "Доставка и пункты выдачи"
STORAGE_BODY = (
    "Заказ хранится в пункте выдачи 7 дней со дня поступления. Срок можно продлить один раз "
    "на 3 дня в приложении."
)


def _seed(client: TestClient) -> int:
    factory = client.app.state.sessionmaker  # type: ignore[attr-defined]
    with factory() as db:
        topics.do_create_topic(db, TOPIC)
        article = kb.do_create_article(
            db,
            title="Сколько хранится заказ в пункте выдачи",
            body=STORAGE_BODY,
            author=None,
            publish=True,
        )
        db.commit()
        return article.id


def _as(client: TestClient, role: str) -> dict[str, str]:
    return {"X-CSRF-Token": login(client, add_user(client, role))}


def test_switches_requests_audit_and_re_enable_through_the_api(client: TestClient) -> None:
    article_id = _seed(client)
    operator = _as(client, "operator")
    off = {"scope_kind": "topic", "scope_value": TOPIC, "reason": "неверные сроки"}
    assert_json_error(client.post("/api/v1/safety/switches/off", json=off, headers=operator), 403)
    assert_json_error(client.get("/api/v1/safety/audit"), 403)
    assert client.get("/api/v1/safety/switches").json()["off"] == []
    request = client.post(
        "/api/v1/safety/requests",
        json={"scope_kind": "topic", "scope_value": TOPIC, "reason": "бот путает сроки"},
        headers=operator,
    )
    assert request.status_code == 201, request.text
    request_id = request.json()["id"]
    mine = client.get("/api/v1/safety/requests").json()
    assert [r["id"] for r in mine] == [request_id] and mine[0]["status"] == "pending"
    assert_json_error(
        client.post(
            f"/api/v1/safety/requests/{request_id}/decide", json={"approve": True}, headers=operator
        ),
        403,
    )

    supervisor = _as(client, "supervisor")
    assert_json_error(
        client.post(
            "/api/v1/safety/switches/off",
            json={"scope_kind": "topic", "scope_value": "Погода", "reason": "x"},
            headers=supervisor,
        ),
        422,
        "unknown_topic",
    )
    assert_json_error(
        client.post(
            "/api/v1/safety/switches/off",
            json={"scope_kind": "planet", "reason": "x"},
            headers=supervisor,
        ),
        422,
        "invalid",
    )
    assert_json_error(
        client.post(
            "/api/v1/safety/switches/off",
            json={"scope_kind": "global", "reason": ""},
            headers=supervisor,
        ),
        422,
    )
    assert_json_error(
        client.post(
            "/api/v1/safety/requests/999/decide", json={"approve": True}, headers=supervisor
        ),
        404,
    )
    assert_json_error(client.get("/api/v1/safety/requests?status=maybe"), 422)
    decided = client.post(
        f"/api/v1/safety/requests/{request_id}/decide",
        json={"approve": True, "note": "да"},
        headers=supervisor,
    )
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    assert_json_error(
        client.post(
            f"/api/v1/safety/requests/{request_id}/decide",
            json={"approve": False},
            headers=supervisor,
        ),
        409,
        "already_decided",
    )
    assert_json_error(
        client.post("/api/v1/safety/switches/off", json=off, headers=supervisor), 409, "already_off"
    )
    switches = client.get("/api/v1/safety/switches").json()
    assert [(s["scope_kind"], s["scope_value"]) for s in switches["off"]] == [("topic", TOPIC)]
    audit = client.get("/api/v1/safety/audit").json()
    assert audit[0]["action"] == "off" and audit[0]["request_id"] == request_id
    assert (
        audit[0]["approved_by_name"] and audit[0]["changed_by_name"] != audit[0]["approved_by_name"]
    )

    case = client.post(
        "/api/v1/safety/cases",
        json={
            "question": "сколько дней хранится заказ в пункте выдачи?",
            "topic": TOPIC,
            "bad_answer": STORAGE_BODY,
            "article_id": article_id,
            "must_contain": ["5 дней"],
        },
        headers=supervisor,
    )
    assert case.status_code == 201, case.text
    assert case.json()["article_version"] == 1
    assert_json_error(
        client.post("/api/v1/safety/cases", json={"question": ""}, headers=supervisor), 422
    )
    assert [c["id"] for c in client.get("/api/v1/safety/cases").json()] == [case.json()["id"]]
    report = client.get("/api/v1/safety/regress").json()
    assert report["cases"] == 1 and report["failed"] == 1

    on = {"scope_kind": "topic", "scope_value": TOPIC, "reason": "исправили статью"}
    refused = client.post("/api/v1/safety/switches/on", json=on, headers=supervisor)
    error = assert_json_error(refused, 409, "regression_failed")
    assert error["regression"]["failed"] == 1
    assert error["regression"]["results"][0]["reasons"]
    forced = client.post(
        "/api/v1/safety/switches/on", json={**on, "override": True}, headers=supervisor
    )
    assert forced.status_code == 200, forced.text
    assert forced.json()["change"]["override"] is True
    assert forced.json()["regression"]["failed"] == 1
    assert client.get("/api/v1/safety/switches").json()["off"] == []
    assert client.get("/api/v1/safety/audit").json()[0]["override"] is True


def test_the_safety_page_switches_with_a_reason_and_shows_the_report_first(
    client: TestClient,
) -> None:
    _seed(client)
    login(client, add_user(client, "operator"))
    assert client.get("/safety").status_code == 403
    login(client, add_user(client, "supervisor"))
    page = client.get("/safety")
    assert page.status_code == 200 and 'href="/safety"' in page.text
    token = form_csrf(page.text)
    missing = client.post(
        "/safety/off", data={"csrf_token": token, "scope_kind": "global", "reason": ""}
    )
    assert missing.status_code == 422 and "причину" in missing.text
    done = client.post(
        "/safety/off",
        data={"csrf_token": token, "scope_kind": "channel", "scope_value": "web", "reason": "сбой"},
    )
    assert done.status_code == 200 and 'data-off="1"' in done.text and "сбой" in done.text
    report = client.get("/safety/on?scope_kind=channel&scope_value=web")
    assert report.status_code == 200 and "Регрессионный отчёт" in report.text
    assert "switch-on-override" not in report.text  # nothing fails: no override offered
    back = client.post(
        "/safety/on",
        data={"csrf_token": token, "scope_kind": "channel", "scope_value": "web", "reason": "ок"},
    )
    assert back.status_code == 200 and "снова включён" in back.text
