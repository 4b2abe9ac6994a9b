from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import update

from tests.helpers import PASSWORD, add_user, assert_json_error, form_csrf, login
from wowdesk.db import utcnow
from wowdesk.operators.models import LoginSession

HTML = {"accept": "text/html"}


def test_login_form_needs_its_csrf_cookie(client: TestClient) -> None:
    username = add_user(client)
    refused = client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": "x"}
    )
    assert refused.status_code == 403
    page = client.get("/login")
    token = form_csrf(page.text)
    wrong = client.post(
        "/login", data={"username": username, "password": "nope-nope", "csrf_token": token}
    )
    assert wrong.status_code == 401 and "Неверный логин или пароль" in wrong.text


def test_session_cookie_is_httponly_and_samesite(client: TestClient) -> None:
    username = add_user(client)
    page = client.get("/login")
    token = form_csrf(page.text)
    response = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"]
    assert "wowdesk_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie


def test_pages_redirect_to_login_and_roles_are_enforced(client: TestClient) -> None:
    anonymous = client.get("/console", headers=HTML, follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith(
        "/login?next=/console"
    )
    login(client, add_user(client, "operator"))
    assert client.get("/console", headers=HTML).status_code == 200
    forbidden = client.get("/admin", headers=HTML)
    assert forbidden.status_code == 403 and "нет доступа" in forbidden.text
    assert_json_error(client.get("/api/v1/users"), 403, "role")


def test_admin_creates_staff_through_the_form(client: TestClient) -> None:
    csrf = login(client, add_user(client, "admin"))
    page = client.get("/admin", headers=HTML)
    assert page.status_code == 200 and "Сотрудники" in page.text
    created = client.post(
        "/admin/users",
        data={
            "username": "olga",
            "display_name": "Ольга",
            "role": "supervisor",
            "password": "olga-pass-1",
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    duplicate = client.post(
        "/admin/users",
        data={
            "username": "olga",
            "display_name": "Ольга",
            "role": "supervisor",
            "password": "olga-pass-1",
            "csrf_token": csrf,
        },
    )
    assert duplicate.status_code == 409 and "уже занят" in duplicate.text
    no_csrf = client.post("/admin/teams", data={"name": "Вторая линия"})
    assert no_csrf.status_code == 403
    client.post("/admin/teams", data={"name": "Вторая линия", "csrf_token": csrf})
    client.post("/admin/topics", data={"name": "Доставка", "csrf_token": csrf})
    page = client.get("/admin", headers=HTML).text
    assert "olga" in page and "Вторая линия" in page and "Доставка" in page
    assert login(client, "olga", "olga-pass-1")


def test_expired_session_is_refused_with_a_clear_error(client: TestClient) -> None:
    login(client, add_user(client))
    factory = client.app.state.sessionmaker  # type: ignore[attr-defined]
    with factory() as db:
        db.execute(update(LoginSession).values(expires_at=utcnow() - timedelta(minutes=1)))
        db.commit()
    error = assert_json_error(client.get("/api/v1/me"), 401, "session_expired")
    assert "истекла" in error["message"]
    page = client.get("/console", headers=HTML, follow_redirects=False)
    assert page.status_code == 303 and "expired=1" in page.headers["location"]


def test_logout_ends_the_session(client: TestClient) -> None:
    csrf = login(client, add_user(client))
    assert (
        client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    )
    assert_json_error(client.get("/api/v1/me"), 401)


def test_login_next_is_local_only(client: TestClient) -> None:
    page = client.get("/login?next=https://evil.example/")
    assert 'name="next" value="/console"' in page.text
