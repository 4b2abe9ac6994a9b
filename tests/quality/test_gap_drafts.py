"""Quality's mined drafts in the /kb drafts queue: size and source conversations through
kb's registry, the «mine now» action, and /quality/gaps leading to the queue."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.helpers import add_user, form_csrf, login
from wowdesk.kb import drafts
from wowdesk.quality import gap_drafts, gaps


@pytest.fixture
def registered() -> Iterator[None]:
    before = dict(drafts._sources)
    gap_drafts.register()
    yield
    drafts._sources.clear()
    drafts._sources.update(before)


def mined(title: str, size: int, conversation_ids: list[int]) -> gaps.Draft:
    body = "Удалить профиль можно в разделе Профиль → Настройки."
    return gaps.Draft(title, body, size, f"sig-{title}", conversation_ids, [title])


def test_mined_drafts_come_with_size_and_sources(db: Session, registered: None) -> None:
    stored = gaps.do_store(
        db, [mined("Как удалить профиль", 3, [11, 12, 13]), mined("Как скрыть номер", 5, [21])]
    )
    queue = [d for d in drafts.queue(db) if d.provenance is not None]
    assert [(d.article.title, d.size) for d in queue] == [
        ("Как скрыть номер", 5),
        ("Как удалить профиль", 3),
    ]
    p = queue[1].provenance
    assert p is not None and p.conversation_ids == [11, 12, 13]
    assert p.article_id == stored[0].article_id and p.origin == "Пробелы в знаниях"
    assert drafts.actions() == [gap_drafts.MINE]


def test_quality_gaps_lead_to_the_kb_drafts_queue(client: TestClient) -> None:
    login(client, add_user(client, "supervisor"))
    moved = client.get("/quality/gaps", follow_redirects=False)
    assert moved.status_code == 303 and moved.headers["location"] == "/kb?view=drafts"
    page = client.get("/kb?view=drafts")
    assert 'action="/quality/gaps"' in page.text  # quality's «mine now», registered
    token = form_csrf(page.text)
    done = client.post("/quality/gaps", data={"csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/kb?view=drafts&done=mined"
