"""The /kb drafts queue: draft articles with where they came from, told by a layer above
through kb's registry; edited and published from the queue."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.helpers import add_user, assert_json_error, form_csrf, login
from wowdesk.kb import drafts
from wowdesk.kb import service as kb


@pytest.fixture
def no_sources(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(drafts, "_sources", {})
    yield


def test_the_queue_holds_drafts_with_their_provenance(db: Session, no_sources: None) -> None:
    small = kb.do_create_article(
        db, title="Как скрыть номер", body="Настройки → Номер.", author=None
    )
    big = kb.do_create_article(
        db, title="Как удалить профиль", body="Профиль → Настройки.", author=None
    )
    kb.do_create_article(db, title="Опубликована", body="Текст.", author=None, publish=True)
    # without a registered source: the drafts, newest first, no provenance
    queue = drafts.queue(db)
    assert [d.article.id for d in queue] == [big.id, small.id]
    assert all(d.provenance is None and d.size == 0 for d in queue)
    assert drafts.registered() == [] and drafts.actions() == []

    def source(_db: Session, ids: list[int]) -> list[drafts.Provenance]:
        return [drafts.Provenance(a, "Пробелы", {small.id: 5, big.id: 2}[a], [7, 8]) for a in ids]

    drafts.register("test.source", source, drafts.Action("/somewhere", "Mine"))
    drafts.register("test.source", source, drafts.Action("/somewhere", "Mine"))  # idempotent
    assert drafts.registered() == ["test.source"]
    queue = drafts.queue(db)
    assert [(d.article.id, d.size) for d in queue] == [(small.id, 5), (big.id, 2)]
    assert queue[0].provenance is not None and queue[0].provenance.conversation_ids == [7, 8]
    assert [a.url for a in drafts.actions()] == ["/somewhere"]


def test_drafts_tab_and_publishing_from_it(client: TestClient) -> None:
    headers = {"X-CSRF-Token": login(client, add_user(client, "supervisor"))}
    made = client.post(
        "/api/v1/kb/articles",
        json={"title": "Как удалить профиль", "body": "Профиль → Настройки → «Удалить профиль»."},
        headers=headers,
    ).json()
    queue = client.get("/api/v1/kb/drafts").json()
    mine = [d for d in queue if d["article"]["id"] == made["id"]]
    assert mine and mine[0]["article"]["status"] == "draft" and mine[0]["size"] == 0

    page = client.get("/kb", params={"view": "drafts"})
    assert page.status_code == 200
    assert 'data-testid="kb-draft-row"' in page.text and "Как удалить профиль" in page.text
    assert 'data-testid="kb-tab-drafts"' in client.get("/kb").text
    published = client.post(
        f"/kb/{made['id']}/publish",
        data={"csrf_token": form_csrf(page.text), "back": "drafts"},
        follow_redirects=False,
    )
    assert published.status_code == 303
    assert published.headers["location"] == "/kb?view=drafts&done=publish"
    assert client.get(f"/api/v1/kb/articles/{made['id']}").json()["status"] == "published"
    after = client.get(published.headers["location"])
    assert 'data-testid="kb-drafts-done"' in after.text and "Как удалить профиль" not in after.text
    assert all(d["article"]["id"] != made["id"] for d in client.get("/api/v1/kb/drafts").json())
    # from the editor, as before: back to the article
    edited = client.post(
        f"/kb/{made['id']}/unpublish",
        data={"csrf_token": form_csrf(page.text)},
        follow_redirects=False,
    )
    assert edited.headers["location"] == f"/kb/{made['id']}?saved=1"

    login(client, add_user(client))
    assert_json_error(client.get("/api/v1/kb/drafts"), 403)
    assert client.get("/kb?view=drafts", follow_redirects=False).status_code in (303, 403)
