"""Supervisors' pages of the AI's control: manual mode with its regression cases, and the
incidents made of flagged bot answers."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from wowdesk.bot import switch
from wowdesk.bot.models import BotSwitch
from wowdesk.conversations import topics
from wowdesk.conversations.service import CHANNELS
from wowdesk.errors import WowdeskError
from wowdesk.http.deps import AppSettings, DbSession
from wowdesk.http.forms import form_error
from wowdesk.http.routes import Routes
from wowdesk.http.templating import render
from wowdesk.i18n import gettext
from wowdesk.operators.auth import CurrentUser, require
from wowdesk.operators.models import Role
from wowdesk.quality import incident_views, library_pages, regression, review_pages
from wowdesk.quality import service as incidents
from wowdesk.quality.models import IncidentStatus

supervisors = APIRouter(include_in_schema=False, dependencies=[Depends(require(Role.supervisor))])


# --- manual mode and regression cases ---------------------------------------------------


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _scopes(db: DbSession) -> list[tuple[str, str, BotSwitch | None]]:
    """Every scope a supervisor can switch: everything, each topic, each channel."""
    known = {(s.scope_kind, s.scope_value): s for s in switch.list_switches(db)}
    scopes: list[tuple[str, str]] = [("global", "")]
    scopes += [("topic", t.name) for t in topics.list_topics(db, active_only=True)]
    scopes += [("channel", c) for c in CHANNELS]
    return [(kind, value, known.get((kind, value))) for kind, value in scopes]


def _page(request: Request, db: DbSession, status_code: int = 200, **ctx: object) -> Response:
    changes = switch.list_changes(db, 50)
    pending = switch.list_requests(db, status="pending")
    decided = [r for r in switch.list_requests(db, limit=30) if r.status != "pending"]
    names = switch.user_names(db, {r.requested_by for r in pending + decided})
    names |= switch.user_names(db, {r.decided_by for r in decided})
    return render(
        request,
        "quality/switch.html",
        status_code=status_code,
        scopes=_scopes(db),
        changes=changes,
        pending=pending,
        decided=decided,
        names=names,
        cases=regression.list_cases(db),
        topics=[t.name for t in topics.list_topics(db, active_only=True)],
        channels=CHANNELS,
        **ctx,
    )


@supervisors.get("/safety")
def safety_page(request: Request, db: DbSession, done: str = "") -> Response:
    return _page(request, db, done=done)


@supervisors.post("/safety/off")
def switch_off(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    scope_kind: Annotated[str, Form(max_length=16)],
    reason: Annotated[str, Form(max_length=2000)] = "",
    scope_value: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    try:
        switch.do_switch_off(
            db, user, scope_kind=scope_kind, scope_value=scope_value, reason=reason
        )
    except WowdeskError as exc:
        return form_error(db, exc, partial(_page, request, db))
    return RedirectResponse("/safety?done=off", status_code=303)


def _on_page(
    request: Request,
    db: DbSession,
    scope_kind: str,
    scope_value: str,
    status_code: int = 200,
    **ctx: object,
) -> Response:
    """Turning the bot on starts here: the regression report first, then the form."""
    current = switch.get_switch(db, scope_kind, scope_value)
    if current is None or not current.is_off:
        return RedirectResponse("/safety", status_code=303)
    report = regression.run_cases(
        db, request.app.state.bot, topic=scope_value if scope_kind == "topic" else None
    )
    return render(
        request,
        "quality/switch_on.html",
        status_code=status_code,
        scope_kind=scope_kind,
        scope_value=scope_value,
        current=current,
        report=report,
        summary=gettext(
            "{passed} of {cases} cases pass, {failed} fail",
            passed=report.passed,
            cases=report.cases,
            failed=report.failed,
        ),
        **ctx,
    )


@supervisors.get("/safety/on")
def switch_on_page(
    request: Request, db: DbSession, scope_kind: str = "global", scope_value: str = ""
) -> Response:
    return _on_page(request, db, scope_kind, scope_value)


@supervisors.post("/safety/on")
def switch_on(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    scope_kind: Annotated[str, Form(max_length=16)],
    reason: Annotated[str, Form(max_length=2000)] = "",
    scope_value: Annotated[str, Form(max_length=100)] = "",
    override: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    try:
        regression.do_switch_on(
            db,
            user,
            scope_kind=scope_kind,
            scope_value=scope_value,
            reason=reason,
            override=bool(override),
            engine=request.app.state.bot,
        )
    except WowdeskError as exc:
        return form_error(db, exc, partial(_on_page, request, db, scope_kind, scope_value))
    return RedirectResponse("/safety?done=on", status_code=303)


@supervisors.post("/safety/requests/{request_id}/decide")
def decide(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    request_id: int,
    approve: Annotated[str, Form(max_length=8)],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    try:
        switch.do_decide(db, user, request_id, approve == "1", note)
    except WowdeskError as exc:
        return form_error(db, exc, partial(_page, request, db))
    return RedirectResponse("/safety?done=decided", status_code=303)


@supervisors.post("/safety/cases")
def add_case(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    question: Annotated[str, Form(max_length=4000)],
    topic: Annotated[str, Form(max_length=100)] = "",
    bad_answer: Annotated[str, Form(max_length=20000)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
    must_contain: Annotated[str, Form(max_length=4000)] = "",
    must_not_contain: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    try:
        regression.do_add_case(
            db,
            question=question,
            topic=topic,
            bad_answer=bad_answer,
            reason=reason,
            created_by=user.id,
            must_contain=_lines(must_contain),
            must_not_contain=_lines(must_not_contain),
        )
    except WowdeskError as exc:
        return form_error(db, exc, partial(_page, request, db))
    return RedirectResponse("/safety?done=case#cases", status_code=303)


@supervisors.post("/safety/cases/{case_id}/active")
def set_case_active(
    request: Request,
    db: DbSession,
    case_id: int,
    active: Annotated[str, Form(max_length=8)],
) -> Response:
    try:
        regression.do_update_case(db, case_id, active=active == "1")
    except WowdeskError as exc:
        return form_error(db, exc, partial(_page, request, db))
    return RedirectResponse("/safety#cases", status_code=303)


# --- incidents -------------------------------------------------------------------------


def duration_text(seconds: int) -> str:
    """The same words the page's script keeps ticking with (incidents.js)."""
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if days:
        return gettext("{d} d {h} h", d=days, h=hours % 24)
    if hours:
        return gettext("{h} h {m} min", h=hours, m=minutes % 60)
    if minutes:
        return gettext("{m} min", m=minutes)
    return gettext("{s} s", s=seconds)


def _statuses() -> list[tuple[str, str]]:
    return [(s.value, incidents.status_label(s)) for s in IncidentStatus]


@supervisors.get("/safety/incidents")
def incidents_page(request: Request, db: DbSession, status: str = "") -> Response:
    rows = incidents.list_incidents(db, status or None)
    return render(
        request,
        "quality/incidents.html",
        incidents=incident_views.incidents_out(db, rows),
        status=status,
        statuses=_statuses(),
        duration_text=duration_text,
    )


@supervisors.get("/safety/incidents/{incident_id}")
def incident_page(
    request: Request, incident_id: int, db: DbSession, settings: AppSettings
) -> Response:
    detail = incident_views.incident_detail(db, incident_id)
    options = incidents.options_from(settings)
    others = [
        i
        for i in incident_views.incidents_out(db, incidents.list_incidents(db))
        if i.id != incident_id and i.status != IncidentStatus.verified
    ]
    return render(
        request,
        "quality/incidents_detail.html",
        d=detail,
        inc=detail.incident,
        panels=incident_views.panels(db, incident_id),
        others=others,
        statuses=dict(_statuses()),
        duration_text=duration_text,
        webhook=options.webhook_url,
        emails=", ".join(options.emails),
        smtp_ready=options.smtp is not None,
    )


routes = Routes(
    staff=(review_pages.staff, library_pages.staff),
    supervisors=(supervisors, review_pages.supervisors, library_pages.supervisors),
)
