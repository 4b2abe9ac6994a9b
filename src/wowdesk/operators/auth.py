"""Who is calling and what they may do: the one place where staff auth, roles and CSRF live.

Every staff route depends on `require(role)`. It resolves the session cookie, checks the role
and, for any state-changing method, the CSRF token (header `X-CSRF-Token` or form field
`csrf_token`). Customer routes authenticate with the conversation token instead, which a
browser never sends on its own, so they need no CSRF token. Before login, the login form is
protected by a double-submit cookie.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, WebSocket
from sqlalchemy.orm import Session

from wowdesk.db import run_unit
from wowdesk.errors import Forbidden, WowdeskError
from wowdesk.http.deps import DbSession
from wowdesk.operators import service
from wowdesk.operators.models import LoginSession, Role, User
from wowdesk.security import new_token, same

SESSION_COOKIE = "wowdesk_session"
CSRF_COOKIE = "wowdesk_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


async def _csrf_from_request(request: Request) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf_token")
        return value if isinstance(value, str) else ""
    return ""


def _session(request: Request, db: DbSession) -> tuple[User, LoginSession]:
    """Sync on purpose: FastAPI runs it in the thread pool. A database call on the event
    loop would block the loop while it waits for SQLite's single pooled connection, and the
    request holding that connection needs the loop to finish: the server froze for the
    pool's 60 s timeout."""
    return service.check_session(db, request.cookies.get(SESSION_COOKIE, ""))


async def _current(
    request: Request, found: Annotated[tuple[User, LoginSession], Depends(_session)]
) -> User:
    user, login = found
    if request.method not in SAFE_METHODS:
        sent = await _csrf_from_request(request)
        if not sent or not same(sent, login.csrf_token):
            raise Forbidden("Missing or wrong CSRF token; reload the page", code="csrf")
    _remember(request, user, login.csrf_token)
    request.state.login_session_id = login.id  # kept when the user changes the password
    return user


def _remember(request: Request, user: User, csrf_token: str) -> None:
    """Who the page is for, as plain copies: pages rendered after a rollback must not touch
    expired ORM objects."""
    request.state.viewer = Viewer(user.id, user.username, user.display_name, user.role)
    request.state.csrf_token = csrf_token


async def _session_briefly(request: Request, token: str) -> tuple[User, str]:
    """The session checked in a unit of work of its own that ends at once: the request then
    holds no database connection (nor, on SQLite, the one request slot)."""

    def check(db: Session) -> tuple[User, str]:
        user, login = service.check_session(db, token)
        return user, login.csrf_token

    state = request.app.state
    found: tuple[User, str] = await run_unit(state.sessionmaker, state.db_executor, check)
    return found


@dataclass(frozen=True)
class Viewer:
    id: int
    username: str
    display_name: str
    role: str


CurrentUser = Annotated[User, Depends(_current)]


async def _maybe(request: Request) -> User | None:
    """For public pages that greet staff differently: whoever is logged in, else nobody;
    never an error (GET only, so no CSRF check is needed). A customer has no session cookie
    and costs nothing here: no database session, no admission slot."""
    token = request.cookies.get(SESSION_COOKIE, "")
    if not token:
        return None
    try:
        user, csrf = await _session_briefly(request, token)
    except WowdeskError:
        return None
    _remember(request, user, csrf)
    return user


MaybeUser = Annotated[User | None, Depends(_maybe)]


async def recall_viewer(request: Request) -> None:
    """Who is logged in, for a page no route answered (a mistyped address): its error page
    showed a logged-in operator the customers' header («Вход для сотрудников»)."""
    if getattr(request.state, "viewer", None) is None:
        await _maybe(request)


def require(role: Role) -> Callable[..., object]:
    async def _check(user: CurrentUser) -> User:
        if not service.has_role(user, role):
            raise Forbidden("You do not have access to this page", code="role")
        return user

    _check.__name__ = f"require_{role.value}"
    _check.wowdesk_role = role  # type: ignore[attr-defined]
    return _check


def require_briefly(role: Role) -> Callable[..., object]:
    """`require(role)` for routes that wait on the network (a webhook, an SMTP server): the
    session is checked briefly (`_session_briefly`), so the request holds no database
    connection while it waits. Such a route is async and runs its database work with
    `db.run_unit`."""

    async def _check(request: Request) -> User:
        user, csrf = await _session_briefly(request, request.cookies.get(SESSION_COOKIE, ""))
        if request.method not in SAFE_METHODS:
            sent = await _csrf_from_request(request)
            if not sent or not same(sent, csrf):
                raise Forbidden("Missing or wrong CSRF token; reload the page", code="csrf")
        _remember(request, user, csrf)
        if not service.has_role(user, role):
            raise Forbidden("You do not have access to this page", code="role")
        return user

    _check.__name__ = f"require_{role.value}_briefly"
    _check.wowdesk_role = role  # type: ignore[attr-defined]
    return _check


def login_session_id(request: Request) -> int | None:
    """The caller's own session, the one a password change keeps."""
    value = getattr(request.state, "login_session_id", None)
    return value if isinstance(value, int) else None


def client_address(request: Request) -> str:
    """Where a login comes from, for throttling per address (behind a proxy: its address,
    unless uvicorn is told to trust X-Forwarded-For with --forwarded-allow-ips)."""
    return request.client.host if request.client else ""


def login_form_token(request: Request) -> str:
    """Pre-login CSRF: the form carries the same random value as a cookie set with it."""
    existing = request.cookies.get(CSRF_COOKIE)
    return existing or new_token()


async def check_login_form(request: Request) -> None:
    sent = await _csrf_from_request(request)
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not sent or not cookie or not same(sent, cookie):
        raise Forbidden("Missing or wrong CSRF token; reload the page", code="csrf")


def socket_user(db: Session, websocket: WebSocket, allowed_origins: set[str]) -> User:
    """WebSockets carry the cookie but no CSRF header: the Origin check stops other sites."""
    origin = websocket.headers.get("origin")
    if origin and origin not in allowed_origins:
        raise Forbidden("Cross-site WebSocket refused", code="origin")
    user, _login = service.check_session(db, websocket.cookies.get(SESSION_COOKIE, ""))
    if not service.has_role(user, Role.operator):
        raise Forbidden("You do not have access to this page", code="role")
    return user
