"""Logins and sessions (issue 16, items 9-10): guessing is throttled per account and per
address, a failed login costs the same whether the login exists, a new password ends the
user's other sessions, and the last admin cannot be demoted or deactivated."""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from tests.helpers import PASSWORD, add_user, assert_json_error, form_csrf, login, make_user
from wowdesk.errors import Conflict, Unauthorized
from wowdesk.operators import service, throttle
from wowdesk.operators.models import LoginThrottle, Role
from wowdesk.operators.throttle import TooManyAttempts


def _try(client: TestClient, username: str, password: str) -> httpx.Response:
    page = client.get("/login")
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": form_csrf(page.text)},
        follow_redirects=False,
    )


def test_guessing_locks_the_account_even_for_the_right_password(client: TestClient) -> None:
    victim = add_user(client)
    for _ in range(throttle.FREE_FAILURES):
        assert _try(client, victim, "wrong-guess").status_code == 401
    assert _try(client, victim, "wrong-guess").status_code == 401  # this one locks it
    refused = _try(client, victim, PASSWORD)
    assert refused.status_code == 429 and "Попробуйте" in refused.text, refused.text
    # the address is locked too now; from another address another account logs in
    elsewhere = TestClient(client.app, client=("198.51.100.7", 50000))
    assert login(elsewhere, add_user(client, "admin"))
    assert _try(elsewhere, victim, PASSWORD).status_code == 429  # the account is locked
    factory = client.app.state.sessionmaker  # type: ignore[attr-defined]
    with factory() as db:
        user = service.find_user(db, victim)
        assert user is not None
        kinds = [e.kind for e in throttle.list_events(db) if e.username == victim]
        assert {"failed", "locked", "refused"} <= set(kinds)
        # by time: once the lock has passed, the right password works
        db.execute(update(LoginThrottle).values(locked_until=None, failures=0))
        db.commit()
    assert _try(client, victim, PASSWORD).status_code == 303


def test_an_admin_unlocks_and_the_unlock_is_audited(client: TestClient) -> None:
    victim = add_user(client)
    for _ in range(throttle.FREE_FAILURES + 2):
        _try(client, victim, "wrong-guess")
    admin = TestClient(client.app, client=("198.51.100.8", 50000))
    csrf = login(admin, add_user(admin, "admin"))
    users = admin.get("/api/v1/users").json()
    victim_id = next(u["id"] for u in users if u["username"] == victim)
    done = admin.post(f"/api/v1/users/{victim_id}/unlock", headers={"X-CSRF-Token": csrf})
    assert done.status_code == 200, done.text
    events = admin.get("/api/v1/login-events").json()
    assert events[0]["kind"] == "unlocked" and events[0]["username"] == victim
    assert_json_error(client.post(f"/api/v1/users/{victim_id}/unlock"), 401)


def test_many_accounts_from_one_address_lock_the_address(db: Session) -> None:
    for n in range(throttle.FREE_FAILURES + 1):
        throttle.do_record_failure(db, f"nobody-{n}", "203.0.113.9")
    with pytest.raises(TooManyAttempts) as refused:
        service.do_login(db, "someone-new", "x", 1, address="203.0.113.9")
    assert refused.value.extra["retry_after"] >= 1
    # another address is not affected
    with pytest.raises(Unauthorized):
        service.do_login(db, "someone-new", "x", 1, address="198.51.100.7")


def test_an_unknown_login_costs_a_password_check_like_a_known_one(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str] = []
    real = service.verify_password

    def counting(password_hash: str, password: str) -> bool:
        checked.append(password_hash[:9])
        return real(password_hash, password)

    monkeypatch.setattr(service, "verify_password", counting)
    make_user(db, username="known-one")
    for name in ("known-one", "no-such-login"):
        with pytest.raises(Unauthorized):
            service.do_login(db, name, "wrong", 1)
    assert len(checked) == 2 and all(h.startswith("$argon2") for h in checked)


def test_a_new_password_ends_the_users_other_sessions(client: TestClient) -> None:
    name = add_user(client)
    laptop, phone = TestClient(client.app), TestClient(client.app)
    csrf = login(laptop, name)
    login(phone, name)
    changed = laptop.post(
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": "brand-new-pass-2"},
        headers={"X-CSRF-Token": csrf},
    )
    assert changed.status_code == 200, changed.text
    assert laptop.get("/api/v1/me").status_code == 200  # this session stays
    assert_json_error(phone.get("/api/v1/me"), 401)
    wrong = laptop.post(
        "/api/v1/me/password",
        json={"current_password": "not-it", "new_password": "another-pass-3"},
        headers={"X-CSRF-Token": csrf},
    )
    assert_json_error(wrong, 403, "wrong_password")
    # an admin sets a new password: every session of that user ends
    admin = TestClient(client.app)
    admin_csrf = login(admin, add_user(admin, "admin"))
    user_id = laptop.get("/api/v1/me").json()["id"]
    reset = admin.patch(
        f"/api/v1/users/{user_id}",
        json={"password": "set-by-admin-4"},
        headers={"X-CSRF-Token": admin_csrf},
    )
    assert reset.status_code == 200, reset.text
    assert_json_error(laptop.get("/api/v1/me"), 401)


def test_the_last_admin_stays_and_nobody_demotes_themselves(db: Session) -> None:
    for other in service.list_users(db):
        if other.role == Role.admin:
            service.do_update_user(db, other, is_active=False)
    boss = make_user(db, "admin")
    with pytest.raises(Conflict) as last:
        service.do_update_user(db, boss, role="operator")
    assert last.value.code == "last_admin"
    with pytest.raises(Conflict):
        service.do_update_user(db, boss, is_active=False)
    second = make_user(db, "admin")
    with pytest.raises(Conflict) as self_change:
        service.do_update_user(db, second, role="operator", actor=second)
    assert self_change.value.code == "self_change"
    service.do_update_user(db, second, role="operator", actor=boss)  # another admin may
    assert second.role == "operator"
