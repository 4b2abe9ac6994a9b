"""The knowledge-base API: supervisors edit and publish, and the bot's index follows at once."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.helpers import add_user, assert_json_error, login


def test_publish_makes_an_article_searchable_without_a_restart(client: TestClient) -> None:
    csrf = login(client, add_user(client, "supervisor"))
    headers = {"X-CSRF-Token": csrf}
    created = client.post(
        "/api/v1/kb/articles",
        json={"title": "Как подарить сертификат", "body": "Сертификат дарят в разделе Подарки."},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    article = created.json()
    assert article["status"] == "draft"
    assert client.get("/api/v1/kb/search", params={"q": "подарить сертификат"}).json() == []

    published = client.post(f"/api/v1/kb/articles/{article['id']}/publish", headers=headers)
    assert published.status_code == 200
    hits = client.get("/api/v1/kb/search", params={"q": "как подарить сертификат"}).json()
    assert hits[0]["article_id"] == article["id"]
    assert hits[0]["text"] == "Сертификат дарят в разделе Подарки."

    edited = client.patch(
        f"/api/v1/kb/articles/{article['id']}",
        json={"body": "Сертификат дарят в разделе Подарки → Сертификаты."},
        headers=headers,
    )
    assert edited.json()["version"] == published.json()["version"] + 1
    versions = client.get(f"/api/v1/kb/articles/{article['id']}/versions").json()
    assert len(versions) == edited.json()["version"]
    hits = client.get("/api/v1/kb/search", params={"q": "подарить сертификат"}).json()
    assert "Сертификаты" in hits[0]["text"]

    client.post(f"/api/v1/kb/articles/{article['id']}/unpublish", headers=headers)
    assert client.get("/api/v1/kb/search", params={"q": "подарить сертификат"}).json() == []


def test_operators_read_but_cannot_edit(client: TestClient) -> None:
    csrf = login(client, add_user(client, "operator"))
    response = client.post(
        "/api/v1/kb/articles", json={"title": "x", "body": "y"}, headers={"X-CSRF-Token": csrf}
    )
    assert_json_error(response, 403)
    assert client.get("/api/v1/kb/articles").status_code == 200


def test_bad_articles_are_refused(client: TestClient) -> None:
    csrf = login(client, add_user(client, "supervisor"))
    headers = {"X-CSRF-Token": csrf}
    assert_json_error(
        client.post("/api/v1/kb/articles", json={"title": "", "body": "y"}, headers=headers), 422
    )
    assert_json_error(
        client.post(
            "/api/v1/kb/articles",
            json={"title": "t", "body": "b", "slug": "Плохой"},
            headers=headers,
        ),
        422,
    )
    assert_json_error(client.get("/api/v1/kb/articles/999999"), 404)


def test_example_questions_are_stored_versioned_and_searched(client: TestClient) -> None:
    csrf = login(client, add_user(client, "supervisor"))
    headers = {"X-CSRF-Token": csrf}
    created = client.post(
        "/api/v1/kb/articles",
        json={
            "title": "Программа лояльности",
            "body": "Скидка 2,5 % после покупок на 100 000 ₽.",
            "questions": ["где мой кешбэк", "  где мой кешбэк ", "кэшбек за покупки"],
            "publish": True,
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    article = created.json()
    assert article["questions"] == ["где мой кешбэк", "кэшбек за покупки"]
    client.post(
        "/api/v1/kb/articles",
        json={"title": "Доставка", "body": "Курьер привозит заказ.", "publish": True},
        headers=headers,
    )
    hits = client.get("/api/v1/kb/search", params={"q": "а кешбэк где?"}).json()
    assert hits[0]["article_id"] == article["id"]
    edited = client.patch(
        f"/api/v1/kb/articles/{article['id']}",
        json={"questions": ["бонусные рубли"]},
        headers=headers,
    )
    assert edited.json()["version"] == 2 and edited.json()["questions"] == ["бонусные рубли"]
    too_many = client.patch(
        f"/api/v1/kb/articles/{article['id']}", json={"questions": ["x"] * 21}, headers=headers
    )
    assert_json_error(too_many, 422)


def test_example_questions_are_edited_on_the_kb_page(client: TestClient) -> None:
    csrf = login(client, add_user(client, "supervisor"))
    response = client.post(
        "/kb/new",
        data={
            "csrf_token": csrf,
            "title": "Пункт выдачи",
            "body": "Заказ хранится 7 дней.",
            "questions": "сколько лежит посылка\nпродлить хранение\n\n",
            "publish": "1",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    page = client.get(response.headers["location"])
    assert "сколько лежит посылка\nпродлить хранение" in page.text
