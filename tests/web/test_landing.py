"""The public landing page as staff meet it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.helpers import add_user, login


def test_the_landing_page_greets_staff_who_are_logged_in(client: TestClient) -> None:
    """It offered «Вход для сотрудников» to someone logged in, and operators an
    «Администрирование» tile that answers 403."""
    anonymous = client.get("/").text
    assert "Вход для сотрудников" in anonymous and 'href="/admin"' in anonymous
    login(client, add_user(client))
    page = client.get("/")
    assert page.status_code == 200
    assert "Вход для сотрудников" not in page.text and 'href="/admin"' not in page.text
    assert "Выйти" in page.text
    for url in ("/chat", "/help/1"):  # the customer's pages too, for staff trying them
        shown = client.get(url)
        assert shown.status_code in (200, 404) and "Вход для сотрудников" not in shown.text, url
    client.cookies.set("wowdesk_session", "forged")
    assert "Вход для сотрудников" in client.get("/").text  # a bad session is nobody


def test_a_mistyped_address_keeps_the_staff_header(client: TestClient) -> None:
    """No route answers «/kbb»: its 404 page showed a logged-in operator the customers'
    header («Вход для сотрудников») as if they had been logged out."""
    html = {"Accept": "text/html"}
    anonymous = client.get("/kbb", headers=html)
    assert anonymous.status_code == 404 and "Вход для сотрудников" in anonymous.text
    login(client, add_user(client))
    page = client.get("/kbb", headers=html)
    assert page.status_code == 404 and "Не найдено" in page.text
    assert "Вход для сотрудников" not in page.text and "Выйти" in page.text
    assert client.get("/api/v1/no-such-thing").json()["error"]["code"] == "http_404"
