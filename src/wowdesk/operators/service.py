"""Accounts, teams and login sessions."""

from __future__ import annotations

import re
from datetime import timedelta
from functools import cache

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from wowdesk.db import utcnow
from wowdesk.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from wowdesk.operators import presence, throttle
from wowdesk.operators.models import ROLE_RANK, LoginSession, OperatorStatus, Role, Team, User
from wowdesk.security import hash_password, new_token, token_hash, verify_password

USERNAME = re.compile(r"^[a-zA-Z0-9_.-]{2,64}$")
MIN_PASSWORD = 8


def has_role(user: User, role: Role) -> bool:
    return ROLE_RANK[Role(user.role)] >= ROLE_RANK[role]


def check_new_user(username: str, display_name: str, role: str, password: str) -> None:
    if not USERNAME.match(username):
        raise Invalid("Login must be 2-64 latin letters, digits, dots, dashes or underscores")
    if not display_name.strip():
        raise Invalid("Name must not be empty")
    if role not in Role.__members__:
        raise Invalid("Unknown role {role}", role=role)
    if len(password) < MIN_PASSWORD:
        raise Invalid("Password must have at least {n} characters", n=MIN_PASSWORD)


def do_create_user(
    db: Session,
    *,
    username: str,
    display_name: str,
    role: str,
    password: str,
    team_id: int | None = None,
) -> User:
    check_new_user(username, display_name, role, password)
    if team_id is not None and db.get(Team, team_id) is None:
        raise Invalid("Unknown team")
    if db.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict("Login {username} is already taken", username=username)
    user = User(
        username=username,
        display_name=display_name.strip(),
        role=role,
        password_hash=hash_password(password),
        team_id=team_id,
    )
    db.add(user)
    try:
        with db.begin_nested():
            db.flush()
    except IntegrityError as exc:
        raise Conflict("Login {username} is already taken", username=username) from exc
    return user


def do_update_user(
    db: Session,
    user: User,
    *,
    role: str | None = None,
    team_id: int | None = None,
    is_active: bool | None = None,
    password: str | None = None,
    gender: str | None = None,
    actor: User | None = None,
    keep_session_id: int | None = None,
) -> User:
    """An admin edits a colleague (or the user their own password). Nobody demotes or
    deactivates themselves, and the last active admin stays one: otherwise nobody could
    manage staff any more. A new password ends the user's other sessions (whoever knew the
    old one is logged out), keeping only `keep_session_id`, the caller's own."""
    if role is not None and role not in Role.__members__:
        raise Invalid("Unknown role {role}", role=role)
    loses_admin = (
        user.role == Role.admin
        and user.is_active
        and ((role is not None and role != Role.admin) or is_active is False)
    )
    if (
        actor is not None
        and actor.id == user.id
        and (is_active is False or (role is not None and role != user.role))
    ):
        raise Conflict("You cannot change your own role or deactivate yourself", code="self_change")
    if loses_admin and not _other_active_admins(db, user.id):
        raise Conflict("The last active admin must stay an active admin", code="last_admin")
    if gender is not None:
        if gender not in ("m", "f", ""):
            raise Invalid("Gender is m, f or empty", code="invalid_gender")
        user.gender = gender or None
    if role is not None:
        user.role = role
    if team_id is not None:
        if team_id and db.get(Team, team_id) is None:
            raise Invalid("Unknown team")
        user.team_id = team_id or None
    if is_active is not None:
        user.is_active = is_active
        if not is_active:
            db.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    if password is not None:
        if len(password) < MIN_PASSWORD:
            raise Invalid("Password must have at least {n} characters", n=MIN_PASSWORD)
        user.password_hash = hash_password(password)
        ended = delete(LoginSession).where(LoginSession.user_id == user.id)
        if keep_session_id is not None:
            ended = ended.where(LoginSession.id != keep_session_id)
        db.execute(ended)
    db.flush()
    return user


def do_change_own_password(
    db: Session, user: User, current: str, new: str, keep_session_id: int | None
) -> User:
    if not verify_password(user.password_hash, current):
        raise Forbidden("The current password is wrong", code="wrong_password")
    return do_update_user(db, user, password=new, keep_session_id=keep_session_id)


def _other_active_admins(db: Session, user_id: int) -> int:
    return len(
        db.scalars(
            select(User.id).where(
                User.role == Role.admin, User.is_active.is_(True), User.id != user_id
            )
        ).all()
    )


def get_user(db: Session, user_id: int) -> User:
    user = db.get(User, user_id)
    if user is None:
        raise NotFound("User not found")
    return user


def find_user(db: Session, username: str) -> User | None:
    return db.scalar(select(User).where(User.username == username))


def list_users(db: Session) -> list[User]:
    return list(db.scalars(select(User).order_by(User.role, User.display_name)))


def users_by_id(db: Session, user_ids: set[int]) -> dict[int, User]:
    if not user_ids:
        return {}
    return {u.id: u for u in db.scalars(select(User).where(User.id.in_(user_ids)))}


def user_names(db: Session, user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    rows = db.execute(select(User.id, User.display_name).where(User.id.in_(user_ids)))
    return {uid: name for uid, name in rows}


def do_create_team(db: Session, name: str) -> Team:
    name = name.strip()
    if not name:
        raise Invalid("Name must not be empty")
    if db.scalar(select(Team.id).where(Team.name == name)) is not None:
        raise Conflict("Team {name} already exists", name=name)
    team = Team(name=name)
    db.add(team)
    db.flush()
    return team


def list_teams(db: Session) -> list[Team]:
    return list(db.scalars(select(Team).order_by(Team.name)))


def do_login(
    db: Session, username: str, password: str, hours: float, address: str = ""
) -> tuple[str, LoginSession]:
    """A failed login takes the same time whether the login exists or not (a password is
    checked against a stand-in hash), so timing tells nobody which logins exist; repeated
    failures are throttled per account and per address (`throttle`)."""
    throttle.check_allowed(db, username, address)
    user = db.scalar(select(User).where(User.username == username))
    checked = verify_password(user.password_hash if user else _stand_in_hash(), password)
    if user is None or not user.is_active or not checked:
        throttle.do_record_failure(db, username, address)
        raise Unauthorized("Wrong login or password", code="bad_credentials")
    throttle.do_record_success(db, username)
    token = new_token()
    now = utcnow()
    session = LoginSession(
        token_hash=token_hash(token),
        user_id=user.id,
        csrf_token=new_token(),
        created_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    user.last_login_at = now
    db.add(session)
    db.flush()
    # an operator starts offline ("Не в сети") and goes on the line with one click in the
    # console: logging in is not being ready for three chats at once
    presence.get_state(db, user.id)
    return token, session


@cache
def _stand_in_hash() -> str:
    return hash_password(new_token())


def check_session(db: Session, token: str) -> tuple[User, LoginSession]:
    """Resolves a cookie to its user; an expired or unknown session is a 401, never a guess."""
    session = db.scalar(select(LoginSession).where(LoginSession.token_hash == token_hash(token)))
    if session is None:
        raise Unauthorized("Please log in", code="not_logged_in")
    if session.expires_at <= utcnow():
        raise Unauthorized("Your session has expired, please log in again", code="session_expired")
    user = db.get(User, session.user_id)
    if user is None or not user.is_active:
        raise Unauthorized("Please log in", code="not_logged_in")
    return user, session


def do_logout(db: Session, token: str) -> None:
    """Logging out is going offline: after the grace period the operator's conversations
    return to the queue."""
    session = db.scalar(select(LoginSession).where(LoginSession.token_hash == token_hash(token)))
    if session is None:
        return
    user = db.get(User, session.user_id)
    db.execute(delete(LoginSession).where(LoginSession.id == session.id))
    others = db.scalar(select(LoginSession.id).where(LoginSession.user_id == session.user_id))
    if user is not None and others is None:
        presence.do_set_status(db, user, OperatorStatus.offline, reason="logout")


def may_see_raw(role: str, roles: frozenset[str]) -> bool:
    """Whether a role may ask for raw text outside the conversation it serves."""
    return role in roles
