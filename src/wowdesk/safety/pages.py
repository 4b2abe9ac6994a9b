"""Safety pages for supervisors."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from wowdesk.i18n import gettext
from wowdesk.operators.auth import require
from wowdesk.operators.models import Role
from wowdesk.safety import incident_views, incidents
from wowdesk.safety.models import IncidentStatus
from wowdesk.web.deps import AppSettings, DbSession
from wowdesk.web.templating import render

supervisors = APIRouter(include_in_schema=False, dependencies=[Depends(require(Role.supervisor))])

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
        "safety/incidents.html",
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
        "safety/incidents_detail.html",
        d=detail,
        inc=detail.incident,
        others=others,
        statuses=dict(_statuses()),
        duration_text=duration_text,
        webhook=options.webhook_url,
        emails=", ".join(options.emails),
        smtp_ready=options.smtp is not None,
    )
