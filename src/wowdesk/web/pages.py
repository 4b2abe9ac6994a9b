"""HTML pages: landing, login, the customer's chat (and its embeddable widget), the console."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from wowdesk.conversations import topics
from wowdesk.errors import Unauthorized
from wowdesk.http.deps import AppSettings, DbSession
from wowdesk.http.routes import Routes
from wowdesk.http.templating import env, render
from wowdesk.i18n import N_, gettext
from wowdesk.nlp.gender import gender_of
from wowdesk.operators import service as operators
from wowdesk.operators.auth import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    CurrentUser,
    MaybeUser,
    check_login_form,
    client_address,
    login_form_token,
    require,
)
from wowdesk.operators.models import OperatorStatus, Role
from wowdesk.operators.throttle import TooManyAttempts

public = APIRouter(include_in_schema=False)
staff = APIRouter(include_in_schema=False, dependencies=[Depends(require(Role.operator))])


def _safe_next(target: str) -> str:
    """Only local paths: a login link must not bounce the user to another site."""
    return target if target.startswith("/") and not target.startswith("//") else "/console"


@public.get("/")
def landing(request: Request, _user: MaybeUser) -> Response:
    """Staff who are logged in see their own menu and no «Staff login»."""
    return render(request, "web/landing.html")


FAVICON = (Path(__file__).parent / "static" / "img" / "favicon.svg").read_bytes()


@public.get("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for it on every page: the logo as SVG, cached for a day."""
    return Response(
        FAVICON, media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"}
    )


@public.get("/login")
def login_page(request: Request, next: str = "/console", expired: int = 0) -> Response:
    token = login_form_token(request)
    response = render(
        request, "web/login.html", form_token=token, next=_safe_next(next), expired=bool(expired)
    )
    response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", path="/login")
    return response


@public.post("/login", dependencies=[Depends(check_login_form)])
def login(
    request: Request,
    db: DbSession,
    settings: AppSettings,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    next: Annotated[str, Form()] = "/console",
) -> Response:
    try:
        token, login = operators.do_login(
            db, username, password, settings.session_hours, client_address(request)
        )
    except (Unauthorized, TooManyAttempts) as exc:
        form_token = login_form_token(request)
        return render(
            request,
            "web/login.html",
            status_code=exc.status,
            form_token=form_token,
            next=_safe_next(next),
            error=gettext(exc.message, **exc.params),
            username=username,
        )
    user = operators.get_user(db, login.user_id)
    target = _safe_next(next)
    if target == "/console" and user.role == Role.admin:
        target = "/admin"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        max_age=int(settings.session_hours * 3600),
    )
    response.delete_cookie(CSRF_COOKIE, path="/login")
    return response


@staff.post("/logout")
def logout(request: Request, db: DbSession) -> Response:
    operators.do_logout(db, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@public.get("/chat")
def chat(request: Request, settings: AppSettings, _user: MaybeUser, embed: int = 0) -> Response:
    """Staff trying the chat see their own menu (a customer has no session cookie: no
    query is made for them)."""
    return render(
        request, "chat/chat.html", embed=bool(embed), max_chars=settings.max_message_chars
    )


@public.get("/widget.js")
def widget(request: Request, settings: AppSettings) -> Response:
    """One <script> tag embeds the chat in any site: a button that opens /chat in a frame."""
    origin = settings.public_url.rstrip("/") or str(request.base_url).rstrip("/")
    body = env.get_template("chat/widget.js").render(origin=origin)
    return Response(body, media_type="text/javascript; charset=utf-8")


STATUS_LABELS = {
    OperatorStatus.online: N_("Online"),
    OperatorStatus.on_break: N_("Break"),
    OperatorStatus.training: N_("Training"),
    OperatorStatus.offline: N_("Offline"),
}


@staff.get("/console")
def console(request: Request, user: CurrentUser, db: DbSession, settings: AppSettings) -> Response:
    return render(
        request,
        "console/console.html",
        topics=topics.list_topics(db, active_only=True),
        max_chars=settings.max_message_chars,
        # the heartbeat comes well within the grace after which routing takes work away
        ping_seconds=max(1.0, min(20.0, settings.routing_grace_seconds / 3)),
        grace_seconds=round(settings.routing_grace_seconds),
        statuses=[(s.value, gettext(STATUS_LABELS[s])) for s in OperatorStatus],
        # «Ознакомлена» / «Ознакомлен»: the operator's own gender, for the console's labels
        gender=gender_of(user.display_name, user.gender) or "",
    )


def login_redirect(request: Request, expired: bool) -> RedirectResponse:
    target = quote(request.url.path)
    suffix = "&expired=1" if expired else ""
    return RedirectResponse(f"/login?next={target}{suffix}", status_code=303)


routes = Routes(public=(public,), staff=(staff,))
