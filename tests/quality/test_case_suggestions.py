"""The assistant suggests from the case library: a library case close to the customer's
words offers its operator's good answer, badged and linked to the case; an unrelated case,
a removed one and an operator's private one are never offered; without quality's
registration assist has no such source at all."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conversations.test_sockets import until
from tests.helpers import (
    add_user,
    assert_json_error,
    form_csrf,
    login,
    make_user,
    new_conversation,
    start,
)
from tests.quality.factories import dialogue
from wowdesk.app import create_app
from wowdesk.assist import service as assist
from wowdesk.assist import sources
from wowdesk.assist.indexes import Assistant
from wowdesk.config import Settings
from wowdesk.conversations import service as conversations
from wowdesk.kb.knowledge import Knowledge
from wowdesk.operators import presence
from wowdesk.operators.models import User
from wowdesk.quality import case_suggestions, cases
from wowdesk.quality.models import LibraryCase

DOUBT = [
    ("customer", "Мне звонят и говорят, что из банка, просят код из смс. Это правда вы?"),
    (
        "operator",
        "Понимаю вашу тревогу. Мы никогда не звоним и не просим коды из смс. Положите трубку "
        "и не называйте код: это мошенники. Давайте проверим, что с вашим аккаунтом всё в порядке.",
    ),
    ("customer", "Спасибо, успокоили"),
]
PICKUP = [
    ("customer", "Сколько дней заказ лежит в пункте выдачи?"),
    (
        "operator",
        "Заказ ждёт вас в пункте выдачи 7 дней, а в карточке заказа можно продлить хранение "
        "ещё на 3 дня кнопкой «Продлить срок».",
    ),
]
ASKED = "Звонили якобы из банка и просят код из смс, это вы звонили?"


@pytest.fixture
def registered() -> Iterator[None]:
    """Quality's source as `create_app` registers it; the registry as it was afterwards."""
    before = dict(sources._sources)
    case_suggestions.register()
    yield
    sources._sources.clear()
    sources._sources.update(before)


def library_case(
    db: Session, turns: list[tuple[str, str]], title: str, source: str = "mentor"
) -> LibraryCase:
    mentor = make_user(db, "supervisor")
    conv = dialogue(db, turns, csat=5)
    return cases.do_create_from_conversation(
        db, mentor, conv, source=source, title=title, what_good="Сняла тревогу, объяснила риски"
    )


def test_a_similar_case_is_suggested_with_its_source(db: Session, registered: None) -> None:
    case = library_case(db, DOUBT, "Сомневается, что звонит банк")
    library_case(db, PICKUP, "Срок хранения в пункте выдачи")
    found = case_suggestions.suggest(db, ASKED)
    assert [f.ref["case_id"] for f in found] == [case.id]
    assert found[0].source == "case" and found[0].ref["url"] == f"/quality/cases/{case.id}"
    assert "никогда не звоним" in found[0].answer
    assert "Сомневается, что звонит банк" in found[0].why and "Сняла тревогу" in found[0].why
    # an unrelated question finds nothing
    assert case_suggestions.suggest(db, "Как поменять фото в объявлении?") == []


def test_a_removed_or_private_case_is_not_suggested(db: Session, registered: None) -> None:
    case = library_case(db, DOUBT, "Сомневается, что звонит банк")
    assert case_suggestions.suggest(db, ASKED)
    boss = make_user(db, "supervisor")
    cases.do_delete(db, boss, case)
    assert case_suggestions.suggest(db, ASKED) == []
    # an operator's own saved case is theirs, not the assistant's
    library_case(db, DOUBT, "Мой кейс", source="operator")
    assert case_suggestions.suggest(db, ASKED) == []


def _held(db: Session, operator: User, text: str) -> int:
    """Assigned to `operator`, whose console opens it (suggestions are pushed for that one)."""
    conv = new_conversation(db, text, name="Мария Кузнецова")
    conversations.do_assign(db, conv.id, operator)
    presence.do_note_watching(db, operator.id, conv.id)
    return conv.id


def test_the_console_suggestion_comes_from_the_case(db: Session, registered: None) -> None:
    case = library_case(db, DOUBT, "Сомневается, что звонит банк")
    anna = make_user(db, name="Анна Смирнова")
    conv_id = _held(db, anna, ASKED)
    log = assist.do_suggest(db, Assistant(Knowledge()), conv_id, publish=False)
    assert log is not None
    offered = [s for s in log.suggestions if s["source"] == "case"]
    assert offered and offered[0]["ref"] == {"case_id": case.id, "url": f"/quality/cases/{case.id}"}
    assert "никогда не звоним" in offered[0]["text"]
    assert offered[0]["title"] == "Сомневается, что звонит банк"


def test_without_quality_the_registry_is_empty(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sources, "_sources", {})
    assert sources.registered() == []
    library_case(db, DOUBT, "Сомневается, что звонит банк")
    assert sources.gather(db, ASKED) == []
    anna = make_user(db)
    log = assist.do_suggest(db, Assistant(Knowledge()), _held(db, anna, ASKED), publish=False)
    assert log is not None and all(s["source"] != "case" for s in log.suggestions)


def test_apps_register_once_and_a_failing_source_costs_its_own_hints(
    db: Session, settings: Settings, registered: None
) -> None:
    create_app(settings)
    create_app(settings)
    assert sources.registered().count(case_suggestions.KEY) == 1

    def broken(_db: Session, _query: str, _k: int) -> list[sources.Found]:
        raise RuntimeError("down")

    sources.register("test.broken", broken)
    library_case(db, DOUBT, "Сомневается, что звонит банк")
    assert [f.source for f in sources.gather(db, ASKED)] == ["case"]


def test_the_case_is_pushed_live_and_removed_by_a_supervisor(client: TestClient) -> None:
    boss = {"X-CSRF-Token": login(client, add_user(client, "supervisor"))}
    conv_id, _token = start(client, DOUBT[0][1])
    client.post(f"/api/v1/conversations/{conv_id}/assign", headers=boss)
    client.post(
        f"/api/v1/conversations/{conv_id}/messages",
        json={"client_id": uuid.uuid4().hex, "text": DOUBT[1][1]},
        headers=boss,
    )
    client.post(f"/api/v1/conversations/{conv_id}/close", headers=boss)
    created = client.post(
        "/api/v1/quality/cases",
        json={"conversation_id": conv_id, "source": "mentor", "title": "Звонок «из банка»"},
        headers=boss,
    )
    assert created.status_code == 201, created.text
    case_id = created.json()["id"]

    operator = add_user(client)
    headers = {"X-CSRF-Token": login(client, operator)}
    second, token = start(client, "Добрый день")
    client.post(f"/api/v1/conversations/{second}/assign", headers=headers)
    with client.websocket_connect("/ws/console") as console:
        assert console.receive_json()["type"] == "ready"
        console.send_json({"type": "watch", "conversation_id": second})  # the console opens it
        until(console, "watching")
        client.post(
            f"/api/v1/chat/conversations/{second}/messages",
            json={"client_id": "c-2", "text": ASKED},
            headers={"X-Conversation-Token": token},
        )
        pushed = until(console, "assist", limit=30)
    offered = [s for s in pushed["suggestions"] if s["source"] == "case"]
    assert offered and offered[0]["ref"]["url"] == f"/quality/cases/{case_id}"
    assert "никогда не звоним" in offered[0]["text"]

    # operators may not remove a case; a supervisor does, and it is not suggested any more
    assert_json_error(client.delete(f"/api/v1/quality/cases/{case_id}", headers=headers), 403)
    boss = {"X-CSRF-Token": login(client, add_user(client, "supervisor"))}
    assert client.delete(f"/api/v1/quality/cases/{case_id}", headers=boss).status_code == 204
    assert_json_error(client.get(f"/api/v1/quality/cases/{case_id}"), 404)
    headers = {"X-CSRF-Token": login(client, operator)}
    third, _token = start(client, ASKED)
    client.post(f"/api/v1/conversations/{third}/assign", headers=headers)
    data = client.get(f"/api/v1/assist/conversations/{third}/suggestions").json()
    assert all(s["source"] != "case" for s in data["suggestions"])


def test_a_supervisor_removes_a_case_on_its_page(client: TestClient) -> None:
    boss = {"X-CSRF-Token": login(client, add_user(client, "supervisor"))}
    conv_id, _token = start(client, DOUBT[0][1])
    client.post(f"/api/v1/conversations/{conv_id}/assign", headers=boss)
    client.post(f"/api/v1/conversations/{conv_id}/close", headers=boss)
    case_id = client.post(
        "/api/v1/quality/cases",
        json={"conversation_id": conv_id, "source": "mentor", "title": "Звонок «из банка»"},
        headers=boss,
    ).json()["id"]
    page = client.get(f"/quality/cases/{case_id}")
    assert 'data-testid="qa-case-delete"' in page.text
    token = form_csrf(page.text)
    gone = client.post(
        f"/quality/cases/{case_id}/delete", data={"csrf_token": token}, follow_redirects=False
    )
    assert gone.status_code == 303 and gone.headers["location"] == "/quality/cases?done=deleted"
    assert client.get(f"/quality/cases/{case_id}").status_code == 404
