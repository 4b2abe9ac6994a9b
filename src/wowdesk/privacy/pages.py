"""`/admin/privacy`: the audit of personal-data reads (search, CSV) and the erasure form."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from wowdesk.errors import WowdeskError
from wowdesk.http.deps import AppSettings, DbSession
from wowdesk.http.forms import form_error
from wowdesk.http.routes import Routes
from wowdesk.http.templating import render
from wowdesk.operators.auth import CurrentUser, require
from wowdesk.operators.models import Role
from wowdesk.privacy import service
from wowdesk.privacy.api import audit_csv, audit_rows
from wowdesk.privacy.retention import Policy

router = APIRouter(include_in_schema=False, dependencies=[Depends(require(Role.admin))])


def _page(
    request: Request,
    db: DbSession,
    settings: AppSettings,
    *,
    q: str = "",
    customer_id: int | None = None,
    status_code: int = 200,
    **ctx: object,
) -> Response:
    return render(
        request,
        "privacy/privacy.html",
        status_code=status_code,
        rows=audit_rows(db, q, customer_id, None, None),
        q=q,
        customer_id=customer_id or "",
        policy=Policy.from_settings(settings),
        actions=service.ACTION_LABELS,
        **ctx,
    )


@router.get("/admin/privacy")
def privacy_page(
    request: Request,
    db: DbSession,
    settings: AppSettings,
    q: Annotated[str, Query(max_length=200)] = "",
    customer: Annotated[str, Query(max_length=12)] = "",
    format: str = "html",
    erased: str = "",
) -> Response:
    customer_id = int(customer) if customer.isdigit() else None
    if format == "csv":
        return audit_csv(audit_rows(db, q, customer_id, None, None))
    return _page(request, db, settings, q=q, customer_id=customer_id, erased=erased)


@router.post("/admin/privacy/erase")
def erase_form(
    request: Request,
    user: CurrentUser,
    db: DbSession,
    settings: AppSettings,
    customer_id: Annotated[int, Form(ge=1)],
    reference: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    try:
        service.do_erase_customer(
            db,
            service.Actor.of(user),
            customer_id,
            reference=reference,
            var_dir=settings.var_dir,
            place="admin",
        )
    except WowdeskError as exc:
        return form_error(db, exc, partial(_page, request, db, settings))
    return RedirectResponse(f"/admin/privacy?erased={customer_id}", status_code=303)


routes = Routes(admin=(router,))
