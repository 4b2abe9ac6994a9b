from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from tests.helpers import PASSWORD, make_user
from wowdesk.db import utcnow
from wowdesk.errors import Conflict, Invalid, Unauthorized
from wowdesk.operators import service
from wowdesk.operators.models import Role


def test_passwords_are_hashed_with_argon2(db: Session) -> None:
    user = make_user(db)
    assert user.password_hash.startswith("$argon2")
    assert PASSWORD not in user.password_hash


@pytest.mark.parametrize(
    ("username", "name", "role", "password"),
    [
        ("a", "Имя", "operator", PASSWORD),
        ("ok_login", " ", "operator", PASSWORD),
        ("ok_login", "Имя", "boss", PASSWORD),
        ("ok_login", "Имя", "operator", "short"),
        ("with space", "Имя", "operator", PASSWORD),
    ],
)
def test_new_user_is_validated(
    db: Session, username: str, name: str, role: str, password: str
) -> None:
    with pytest.raises(Invalid):
        service.do_create_user(
            db, username=username, display_name=name, role=role, password=password
        )


def test_login_is_unique(db: Session) -> None:
    make_user(db, username="anna")
    with pytest.raises(Conflict):
        make_user(db, username="anna")


def test_login_and_session_expiry(db: Session) -> None:
    user = make_user(db)
    with pytest.raises(Unauthorized):
        service.do_login(db, user.username, "wrong-password", hours=1)
    token, login = service.do_login(db, user.username, PASSWORD, hours=1)
    assert login.token_hash != token
    assert service.check_session(db, token)[0].id == user.id
    login.expires_at = utcnow() - timedelta(seconds=1)
    with pytest.raises(Unauthorized) as exc:
        service.check_session(db, token)
    assert exc.value.code == "session_expired"


def test_deactivation_ends_sessions(db: Session) -> None:
    user = make_user(db)
    token, _login = service.do_login(db, user.username, PASSWORD, hours=1)
    service.do_update_user(db, user, is_active=False)
    with pytest.raises(Unauthorized):
        service.check_session(db, token)
    with pytest.raises(Unauthorized):
        service.do_login(db, user.username, PASSWORD, hours=1)


def test_role_ranks(db: Session) -> None:
    admin = make_user(db, "admin")
    operator = make_user(db, "operator")
    assert service.has_role(admin, Role.supervisor)
    assert not service.has_role(operator, Role.supervisor)
