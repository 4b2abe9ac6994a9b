"""Orders and cases for the customers tests, written through the domain's own services."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from wowdesk.customers import orders
from wowdesk.customers.models import Customer

WHEN = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)


def add_order(
    db: Session,
    customer: Customer,
    *items: tuple[str, int],
    status: str = "completed",
    order_id: str | None = None,
    when: datetime = WHEN,
) -> int:
    """items: (category, price in rubles); the product is named after the category."""
    data = orders.OrderData(
        source="shop",
        external_id=order_id or uuid.uuid4().hex[:12],
        placed_at=when,
        status=status,
        lines=[
            orders.LineData(product=f"{c.capitalize()} X", price_kopecks=rub * 100, category=c)
            for c, rub in items
        ],
    )
    order, _outcome = orders.do_save_order(db, customer.id, data)
    return order.id


def add_case(
    db: Session, customer: Customer, *, kind: str = "complaint", status: str = "open"
) -> int:
    data = orders.CaseData(
        source="crm",
        external_id=uuid.uuid4().hex[:12],
        department="Претензионный отдел",
        title="Возврат за повреждённый товар",
        opened_at=WHEN,
        kind=kind,
        status=status,
    )
    case, _outcome = orders.do_save_case(db, customer.id, data)
    return case.id
