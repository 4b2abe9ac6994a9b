"""REST routes for customers: staff read profiles and orders; supervisors and admins (and
the integrations they run) add orders and import the shop's and the CRM's exports."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, UploadFile
from fastapi.responses import JSONResponse

from wowdesk.config import Settings
from wowdesk.customers import links, orders, personal_data, service, views
from wowdesk.customers.orders import ImportReport
from wowdesk.customers.schemas import (
    CustomerDetail,
    CustomerNameIn,
    CustomerOut,
    IdentityOut,
    ImportReportOut,
    LinkDecisionIn,
    LinkOut,
    OrderIn,
    OrderOut,
    OrderSaved,
    RowErrorOut,
)
from wowdesk.errors import Invalid
from wowdesk.http.deps import AppSettings, DbSession
from wowdesk.http.routes import Routes
from wowdesk.i18n import gettext
from wowdesk.operators.auth import CurrentUser, require
from wowdesk.operators.models import Role, User

staff = APIRouter(
    prefix="/api/v1", tags=["customers"], dependencies=[Depends(require(Role.operator))]
)
supervisors = APIRouter(
    prefix="/api/v1", tags=["customers"], dependencies=[Depends(require(Role.supervisor))]
)
MAX_UPLOAD_BYTES = 50 << 20
Source = Annotated[str, Query(min_length=1, max_length=32, description="for rows without one")]


def _visible(user: User, customer: CustomerOut, settings: Settings) -> CustomerOut:
    roles = settings.raw_text_role_set()
    customer.email = views.visible_contact(user, customer.email, roles)
    customer.phone = views.visible_contact(user, customer.phone, roles)
    return customer


@staff.get("/customers")
def search(
    user: CurrentUser,
    db: DbSession,
    settings: AppSettings,
    q: Annotated[str, Query(max_length=200)] = "",
) -> list[CustomerOut]:
    """Contacts are masked for roles without raw access to personal data."""
    found = service.search_customers(db, q)
    return [_visible(user, CustomerOut.model_validate(c), settings) for c in found]


@staff.get("/customers/{customer_id:int}")
def detail(
    customer_id: int, user: CurrentUser, db: DbSession, settings: AppSettings
) -> CustomerDetail:
    found = service.get_customer(db, customer_id)
    customer = _visible(user, CustomerOut.model_validate(found), settings)
    known = service.list_identities(db, customer_id)
    raw = views.sees_raw_contacts(user, settings.raw_text_role_set())
    if raw and personal_data.shows_contacts(
        found.email, found.phone, [i.external_id for i in known]
    ):
        personal_data.audit_contacts(db, user, customer_id, place="api")
    identities = [
        IdentityOut(
            channel=i.channel,
            external_id=views.visible_contact(user, i.external_id, settings.raw_text_role_set())
            or "",
        )
        for i in known
    ]
    return CustomerDetail(**customer.model_dump(), identities=identities)


@staff.patch("/customers/{customer_id:int}")
def rename(
    customer_id: int, body: CustomerNameIn, user: CurrentUser, db: DbSession, settings: AppSettings
) -> CustomerOut:
    """The name an operator heard or corrected («Ольга», not «#3007»), for every channel."""
    customer = service.do_set_name(db, customer_id, body.display_name)
    return _visible(user, CustomerOut.model_validate(customer), settings)


@staff.get("/customers/{customer_id}/orders")
def customer_orders(
    customer_id: int, db: DbSession, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> list[OrderOut]:
    service.get_customer(db, customer_id)
    return [views.order_out(v) for v in orders.list_orders(db, customer_id, limit)]


@supervisors.post("/customers/{customer_id}/orders")
def add_order(customer_id: int, body: OrderIn, db: DbSession, settings: AppSettings) -> OrderSaved:
    """Creates the order or updates the one with the same source and order_id."""
    customer = service.get_customer(db, customer_id)
    data = orders.OrderData(
        source=body.source,
        external_id=body.order_id,
        placed_at=orders.aware(body.placed_at, settings.timezone),
        status=body.status,
        channel=body.channel,
        lines=[
            orders.LineData(
                product=x.product,
                price_kopecks=int(x.price * 100),
                quantity=x.quantity,
                sku=x.sku,
                category=x.category.strip().lower(),
            )
            for x in body.lines
        ],
    )
    order, outcome = orders.do_save_order(db, customer.id, data)
    return OrderSaved(order=views.order_out(orders.get_order(db, order.id)), outcome=outcome)


def _report(report: ImportReport) -> ImportReportOut | JSONResponse:
    out = ImportReportOut(
        rows=report.rows,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        customers_created=report.customers_created,
        errors=[RowErrorOut(line=e.line, message=e.message) for e in report.errors],
    )
    if report.ok:
        return out
    message = gettext("Nothing imported: {n} rows need fixing", n=len(report.errors))
    body = {"code": "invalid_rows", "message": message, "rows": out.model_dump()["errors"]}
    return JSONResponse({"error": body}, status_code=422)


def _upload(file: UploadFile) -> bytes:
    data = file.file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise Invalid("The file is larger than 50 MB", code="too_large")
    return data


@supervisors.post("/customers/import", response_model=ImportReportOut)
def import_orders(
    file: UploadFile, db: DbSession, settings: AppSettings, source: Source = "shop"
) -> ImportReportOut | JSONResponse:
    """The shop's orders as CSV (columns in the README); all rows or, with errors, none."""
    rows, errors = orders.read_csv(_upload(file), orders.ORDER_COLUMNS)
    report = orders.import_orders(
        db, rows, default_source=source, timezone=settings.timezone, read_errors=errors
    )
    return _report(report)


@supervisors.post("/customers/cases/import", response_model=ImportReportOut)
def import_cases(
    file: UploadFile, db: DbSession, settings: AppSettings, source: Source = "crm"
) -> ImportReportOut | JSONResponse:
    """Other departments' cases as CSV (columns in the README); all rows or none."""
    rows, errors = orders.read_csv(_upload(file), orders.CASE_COLUMNS)
    report = orders.import_cases(
        db, rows, default_source=source, timezone=settings.timezone, read_errors=errors
    )
    return _report(report)


@staff.post("/customers/links/{link_id}/decide")
def decide_link(link_id: int, body: LinkDecisionIn, user: CurrentUser, db: DbSession) -> LinkOut:
    """An operator confirms that two records are one person (their channels and history
    show together from then on) or says they are not."""
    link = links.do_decide(db, link_id, user.id, confirm=body.confirm)
    return LinkOut.model_validate(link)


routes = Routes(staff=(staff,), supervisors=(supervisors,))
