"""The incidents API and pages as the console and the supervisor use them: multipart flags
with screenshots, who may see a screenshot, and the report's delivery over real sockets."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.helpers import add_user, assert_json_error, free_port, login
from tests.safety.factories import HTML, JPEG, PNG, article, bot_answer
from tests.smtp import local_smtp
from tests.webhook import local_webhook
from wowdesk.app import create_app
from wowdesk.config import Settings
from wowdesk.conversations import service as conversations
from wowdesk.kb import service as kb
from wowdesk.quality import screenshots

MakeClient = Callable[..., TestClient]


@pytest.fixture
def make_client(settings: Settings, factory: sessionmaker[Session]) -> Iterator[MakeClient]:
    clients: list[TestClient] = []

    def make(**overrides: object) -> TestClient:
        app = create_app(settings.model_copy(update=overrides), factory)
        client = TestClient(app)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def _answer(
    factory: sessionmaker[Session], title: str = "Сроки хранения заказа"
) -> tuple[int, int]:
    """(bot message id, customer message id), committed."""
    with factory() as db:
        doc = kb.find_by_slug(db, kb.slugify(title)) or article(db, title)
        answer = bot_answer(db, article_id=doc.id)
        conv = conversations.get_conversation(db, answer.conversation_id)
        question = conversations.list_messages(db, conv)[0]
        db.commit()
        return answer.id, question.id


def _flag(client: TestClient, csrf: str, message_id: int, **files: Any) -> httpx.Response:
    response: httpx.Response = client.post(
        "/api/v1/safety/flags",
        data={"message_id": str(message_id), "reason": "wrong_fact", "comment": "не 30 дней"},
        files=files or None,
        headers={"X-CSRF-Token": csrf},
    )
    return response


def test_operator_flags_with_a_screenshot_only_allowed_people_see_it(
    make_client: MakeClient, factory: sessionmaker[Session], settings: Settings
) -> None:
    operator = make_client()
    csrf = login(operator, add_user(operator))
    answer_id, question_id = _answer(factory)
    response = _flag(operator, csrf, answer_id, screenshot=("../../static/x.png", PNG, "image/png"))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["incident_created"] and body["incident"]["flags"] == 1
    flag = body["flag"]
    assert flag["has_screenshot"] and flag["reason_label"] == "Неверный факт"
    stored = list((settings.var_dir / "screenshots").iterdir())
    assert len(stored) == 1 and stored[0].name != "x.png" and stored[0].read_bytes() == PNG
    assert not list(screenshots.STATIC.rglob(stored[0].name))

    shot = operator.get(flag["screenshot_url"])
    assert shot.status_code == 200 and shot.content == PNG
    assert shot.headers["content-type"] == "image/png"
    assert shot.headers["x-content-type-options"] == "nosniff"
    assert operator.get(f"/api/v1/safety/conversations/{flag['conversation_id']}/flags").json() == [
        answer_id
    ]

    colleague = make_client()
    login(colleague, add_user(colleague))
    assert_json_error(colleague.get(flag["screenshot_url"]), 403)
    boss = make_client()
    login(boss, add_user(boss, "supervisor"))
    assert boss.get(flag["screenshot_url"]).content == PNG
    assert_json_error(make_client().get(flag["screenshot_url"]), 401)

    # the same operator again; a customer's message; a form without the CSRF token
    assert_json_error(_flag(operator, csrf, answer_id), 409, "already_flagged")
    assert_json_error(_flag(operator, csrf, question_id), 422, "not_a_bot_message")
    no_csrf = operator.post(
        "/api/v1/safety/flags", data={"message_id": str(answer_id), "reason": "other"}
    )
    assert_json_error(no_csrf, 403, "csrf")


def test_bad_screenshots_are_refused_and_nothing_is_kept(
    make_client: MakeClient, factory: sessionmaker[Session], settings: Settings
) -> None:
    client = make_client(screenshot_max_bytes=2048)
    csrf = login(client, add_user(client))
    answer_id, _q = _answer(factory)
    for name, data, kind, status in [
        ("page.png", HTML, "image/png", 422),
        ("anim.gif", b"GIF89a" + bytes(100), "image/gif", 422),
        ("photo.jpg", PNG, "image/jpeg", 422),
        ("big.png", PNG + bytes(4096), "image/png", 413),
    ]:
        response = _flag(client, csrf, answer_id, screenshot=(name, data, kind))
        assert_json_error(response, status)
    assert not (settings.var_dir / "screenshots").exists() or not list(
        (settings.var_dir / "screenshots").iterdir()
    )
    ok = _flag(client, csrf, answer_id, screenshot=("photo.jpg", JPEG, "image/jpeg"))
    assert ok.status_code == 201
    # an empty file input (the browser sends no file) flags without a screenshot
    answer2, _q = _answer(factory)
    empty = _flag(client, csrf, answer2, screenshot=("", b"", "application/octet-stream"))
    assert empty.status_code == 201 and not empty.json()["flag"]["has_screenshot"]


def test_supervisor_follows_and_sends_the_incident(
    make_client: MakeClient, factory: sessionmaker[Session]
) -> None:
    operator = make_client()
    csrf_op = login(operator, add_user(operator))
    answer_id, _q = _answer(factory)
    flag = _flag(operator, csrf_op, answer_id, screenshot=("s.png", PNG, "image/png")).json()
    incident_id = flag["incident"]["id"]
    assert_json_error(operator.get("/api/v1/safety/incidents"), 403)
    assert operator.get("/safety/incidents", headers={"accept": "text/html"}).status_code == 403

    with local_webhook() as hook, local_smtp() as (inbox, port):
        boss = make_client(
            incident_webhook_url=hook.url,
            incident_email="l2@support.test",
            smtp_host="127.0.0.1",
            smtp_port=port,
            public_url="http://desk.test",
        )
        csrf = login(boss, add_user(boss, "supervisor"))
        [listed] = boss.get("/api/v1/safety/incidents").json()
        assert listed["id"] == incident_id and listed["flags"] == 1 and listed["status"] == "open"
        page = boss.get("/safety/incidents")
        assert page.status_code == 200 and "Сроки хранения заказа" in page.text
        detail_page = boss.get(f"/safety/incidents/{incident_id}")
        assert (
            "не 30 дней" in detail_page.text and flag["flag"]["screenshot_url"] in detail_page.text
        )
        assert f"/console#conversation-{flag['flag']['conversation_id']}" in detail_page.text

        sent = boss.post(
            f"/api/v1/safety/incidents/{incident_id}/send", headers={"X-CSRF-Token": csrf}
        )
        assert sent.status_code == 200, sent.text
        assert sent.json()["incident"]["status"] == "sent"
        [received] = hook.requests
        report = received.json()
        assert report["incident"]["url"] == f"http://desk.test/safety/incidents/{incident_id}"
        assert report["counts"] == {"flags": 1, "answers": 1, "conversations": 1, "screenshots": 1}
        assert len(inbox.mails) == 1
        assert_json_error(boss.post(f"/api/v1/safety/incidents/{incident_id}/send"), 403, "csrf")

        status = boss.post(
            f"/api/v1/safety/incidents/{incident_id}/status",
            json={"status": "verified"},
            headers={"X-CSRF-Token": csrf},
        )
        assert_json_error(status, 409, "invalid_transition")
        status = boss.post(
            f"/api/v1/safety/incidents/{incident_id}/status",
            json={"status": "fixed", "note": "статья исправлена"},
            headers={"X-CSRF-Token": csrf},
        )
        assert status.status_code == 200 and status.json()["status"] == "fixed"
        detail = boss.get(f"/api/v1/safety/incidents/{incident_id}").json()
        assert [h["to_status"] for h in detail["history"]] == ["open", "sent", "fixed"]
        assert detail["next_statuses"] == ["verified", "open"] and not detail["can_send"]

        moved = boss.post(
            f"/api/v1/safety/flags/{flag['flag']['id']}/move",
            json={"incident_id": None, "title": "Отдельно"},
            headers={"X-CSRF-Token": csrf},
        )
        assert moved.status_code == 200 and moved.json()["title"] == "Отдельно"


def test_a_down_receiver_is_a_502_and_the_status_stays(
    make_client: MakeClient, factory: sessionmaker[Session]
) -> None:
    operator = make_client()
    answer_id, _q = _answer(factory)
    incident_id = _flag(operator, login(operator, add_user(operator)), answer_id).json()[
        "incident"
    ]["id"]

    unset = make_client()
    csrf = login(unset, add_user(unset, "supervisor"))
    refused = unset.post(
        f"/api/v1/safety/incidents/{incident_id}/send", headers={"X-CSRF-Token": csrf}
    )
    assert_json_error(refused, 409, "report_not_configured")

    down = make_client(incident_webhook_url=f"http://127.0.0.1:{free_port()}/hook")
    csrf = login(down, add_user(down, "supervisor"))
    failed = down.post(
        f"/api/v1/safety/incidents/{incident_id}/send", headers={"X-CSRF-Token": csrf}
    )
    error = assert_json_error(failed, 502, "report_not_delivered")
    assert "webhook" in error["message"]
    detail = down.get(f"/api/v1/safety/incidents/{incident_id}").json()
    assert detail["incident"]["status"] == "open"
    assert [(d["channel"], d["ok"]) for d in detail["deliveries"]] == [("webhook", False)]
    assert detail["deliveries"][0]["error"]


def test_the_console_has_the_flag_form_and_supervisors_the_link(
    make_client: MakeClient,
) -> None:
    client = make_client()
    login(client, add_user(client, "supervisor"))
    page = client.get("/console").text
    assert 'id="flag-form-template"' in page and "/static/js/console-flag.js" in page
    assert 'href="/safety/incidents"' in page
    operator = make_client()
    login(operator, add_user(operator))
    assert 'href="/safety/incidents"' not in operator.get("/console").text


def test_screenshots_never_go_under_static(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="static"):
        screenshots.store(screenshots.STATIC / "uploads", PNG, "image/png")


def test_a_slow_receiver_does_not_hold_up_other_requests(
    make_client: MakeClient, factory: sessionmaker[Session]
) -> None:
    """On SQLite one request at a time holds the database: the report is sent while none is
    held, so the rest of the app keeps answering while technical support takes its time."""
    operator = make_client()
    answer_id, _q = _answer(factory)
    incident_id = _flag(operator, login(operator, add_user(operator)), answer_id).json()[
        "incident"
    ]["id"]
    with local_webhook() as hook:
        hook.delay = 2.0
        boss = make_client(incident_webhook_url=hook.url)
        csrf = login(boss, add_user(boss, "supervisor"))
        outcome: list[int] = []
        sender = threading.Thread(
            target=lambda: outcome.append(
                boss.post(
                    f"/api/v1/safety/incidents/{incident_id}/send",
                    headers={"X-CSRF-Token": csrf},
                ).status_code
            )
        )
        sender.start()
        deadline = time.monotonic() + 5
        while not hook.requests and time.monotonic() < deadline:
            time.sleep(0.02)
        assert hook.requests, "the report never reached the receiver"
        assert boss.get("/api/v1/safety/incidents").status_code == 200
        assert operator.get("/api/v1/me").status_code == 200
        # both were answered while the receiver is still thinking: nobody waited for it
        assert sender.is_alive()
        sender.join(timeout=10)
    assert outcome == [200]
