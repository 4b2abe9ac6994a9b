"""Admin routes for personal data: erase or export one customer, read the audit (JSON or
CSV). Admins only: these are the data-protection officer's tools."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from wowdesk.http.deps import AppSettings, DbSession, IsoDateTime
from wowdesk.http.routes import Routes
from wowdesk.http.tables import csv_response, to_csv
from wowdesk.operators.auth import CurrentUser, require
from wowdesk.operators.models import Role
from wowdesk.privacy import service
from wowdesk.privacy.schemas import AuditRowOut, ErasureIn, ErasureOut

admin = APIRouter(
    prefix="/api/v1/privacy", tags=["privacy"], dependencies=[Depends(require(Role.admin))]
)


@admin.post("/customers/{customer_id}/erase")
def erase(
    customer_id: int, body: ErasureIn, user: CurrentUser, db: DbSession, settings: AppSettings
) -> ErasureOut:
    """Erases the customer's personal data everywhere; statistics stay. Audited."""
    done = service.do_erase_customer(
        db,
        service.Actor.of(user),
        customer_id,
        reference=body.reference,
        var_dir=settings.var_dir,
        place="api",
    )
    return ErasureOut(**asdict(done))


@admin.get("/customers/{customer_id}/export")
def export(
    customer_id: int,
    user: CurrentUser,
    db: DbSession,
    reference: Annotated[str, Query(max_length=200)] = "",
) -> dict[str, Any]:
    """Everything held about the customer, for an access request. Audited."""
    return service.do_export_customer(
        db, service.Actor.of(user), customer_id, place="api", reference=reference
    )


def audit_rows(
    db: DbSession,
    q: str,
    customer_id: int | None,
    since: datetime | None,
    until: datetime | None,
) -> list[service.AuditRow]:
    return service.audit(db, query=q, customer_id=customer_id, since=since, until=until)


def audit_csv(rows: list[service.AuditRow]) -> Response:
    records = [[getattr(r, c) for c in service.AUDIT_COLUMNS] for r in rows]
    for record in records:
        record[0] = record[0].isoformat()
    return csv_response("personal-data-audit", to_csv(service.AUDIT_COLUMNS, records))


@admin.get(
    "/audit",
    response_model=list[AuditRowOut],
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def audit(
    db: DbSession,
    q: Annotated[str, Query(max_length=200)] = "",
    customer_id: Annotated[int | None, Query(ge=1)] = None,
    since: IsoDateTime | None = None,
    until: IsoDateTime | None = None,
    format: Literal["json", "csv"] = "json",
) -> list[AuditRowOut] | Response:
    """Every read of raw personal data (raw text, contacts, exports) and every erasure."""
    rows = audit_rows(db, q, customer_id, since, until)
    if format == "csv":
        return audit_csv(rows)
    return [AuditRowOut(**asdict(r)) for r in rows]


routes = Routes(admin=(admin,))
