"""Incidents and flags as the API and the pages show them: names, titles, labels and
durations looked up once per batch."""

from __future__ import annotations

from sqlalchemy.orm import Session

from wowdesk.db import utcnow
from wowdesk.operators import service as operators
from wowdesk.quality.models import Flag, Incident
from wowdesk.quality.schemas import (
    DeliveryOut,
    FlagOut,
    IncidentChangeOut,
    IncidentDetailOut,
    IncidentOut,
    SourceOut,
)
from wowdesk.quality.service import (
    SENDABLE,
    article_titles,
    duration,
    get_incident,
    list_deliveries,
    list_flags,
    list_history,
    next_statuses,
    reason_label,
    status_label,
)


def flags_out(db: Session, flags: list[Flag]) -> list[FlagOut]:
    names = operators.user_names(db, {f.flagged_by for f in flags if f.flagged_by})
    titles = article_titles(db, {s["article_id"] for f in flags for s in f.sources})
    out = []
    for f in flags:
        item = FlagOut.model_validate(f, from_attributes=True).model_copy(
            update={
                "flagged_by_name": names.get(f.flagged_by, "") if f.flagged_by else "",
                "reason_label": reason_label(f.reason),
                "sources": [
                    SourceOut(article_id=s["article_id"], title=titles.get(s["article_id"], ""))
                    for s in f.sources
                ],
                "has_screenshot": bool(f.screenshot_name),
                "screenshot_url": (
                    f"/api/v1/safety/flags/{f.id}/screenshot" if f.screenshot_name else ""
                ),
            }
        )
        out.append(item)
    return out


def incidents_out(db: Session, rows: list[tuple[Incident, int, int]]) -> list[IncidentOut]:
    titles = article_titles(db, {i.article_id for i, _f, _c in rows if i.article_id})
    now = utcnow()
    return [
        IncidentOut.model_validate(i, from_attributes=True).model_copy(
            update={
                "article_title": titles.get(i.article_id, "") if i.article_id else "",
                "status_label": status_label(i.status),
                "duration_seconds": int(duration(i, now).total_seconds()),
                "flags": n_flags,
                "conversations": n_convs,
            }
        )
        for i, n_flags, n_convs in rows
    ]


def incident_out(db: Session, incident: Incident) -> IncidentOut:
    flags = list_flags(db, incident.id)
    convs = len({f.conversation_id for f in flags})
    return incidents_out(db, [(incident, len(flags), convs)])[0]


def incident_detail(db: Session, incident_id: int) -> IncidentDetailOut:
    incident = get_incident(db, incident_id)
    flags = list_flags(db, incident.id)
    convs = sorted({f.conversation_id for f in flags})
    return IncidentDetailOut(
        incident=incidents_out(db, [(incident, len(flags), len(convs))])[0],
        flags=flags_out(db, flags),
        conversation_ids=convs,
        history=[IncidentChangeOut.model_validate(c) for c in list_history(db, incident.id)],
        deliveries=[DeliveryOut.model_validate(d) for d in list_deliveries(db, incident.id)],
        next_statuses=next_statuses(incident),
        can_send=incident.status in SENDABLE,
    )
