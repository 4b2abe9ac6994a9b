"""Orders and other departments' cases: imported from a shop's or CRM's CSV export, or
posted one by one through the API, and matched to customers by identity, e-mail or phone.

An import is all or nothing: every bad row is reported with its line number and nothing is
written, because half an export makes loyalty totals and cross-sell quietly wrong, while
the fixed file imports whole. Re-importing is safe: an order (or case) is known by its
source and external id, so the same file updates rows and never duplicates them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from wowdesk.customers import service
from wowdesk.customers.models import CustomerCase, CustomerOrder, OrderLine
from wowdesk.db import utcnow
from wowdesk.errors import Invalid, NotFound
from wowdesk.i18n import gettext

ORDER_STATUSES = ("new", "paid", "shipped", "completed", "cancelled", "returned")
# money that came back (or never came) is no purchase: loyalty and cross-sell skip these
NOT_COUNTED = ("cancelled", "returned")
CASE_KINDS = ("complaint", "request", "question", "other")
CASE_STATUSES = ("open", "closed")

ORDER_COLUMNS = ("order_id", "placed_at", "product", "price")
CASE_COLUMNS = ("case_id", "department", "title", "opened_at")
MONEY = re.compile(r"^\d{1,12}(?:[.,]\d{1,2})?$")
SPACES = re.compile(r"[\s\u00a0\u202f]")
DATE_FORMATS = ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y")

Outcome = Literal["created", "updated", "unchanged"]
D = TypeVar("D")
Rows = Sequence[tuple[int, Mapping[str, str]]]


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return gettext("line {line}: {problem}", line=self.line, problem=self.message)


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    customers_created: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, outcome: Outcome) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


@dataclass(frozen=True)
class CustomerRef:
    """Who the row is about, as the other system knows them (already normalised)."""

    channel: str = ""
    external_id: str = ""
    email: str = ""
    phone: str = ""
    name: str = ""
    segment: str = ""

    def key(self) -> tuple[str, str, str, str]:
        return (self.channel, self.external_id, self.email, self.phone)


@dataclass(frozen=True)
class LineData:
    product: str
    price_kopecks: int
    quantity: int = 1
    sku: str = ""
    category: str = ""

    @property
    def item(self) -> str:
        """What cross-sell reasons about: the category, else the product."""
        return self.category or self.product


@dataclass
class OrderData:
    source: str
    external_id: str
    placed_at: datetime
    status: str = "completed"
    channel: str = ""
    lines: list[LineData] = field(default_factory=list)

    @property
    def total_kopecks(self) -> int:
        return sum(line.quantity * line.price_kopecks for line in self.lines)


@dataclass(frozen=True)
class CaseData:
    source: str
    external_id: str
    department: str
    title: str
    opened_at: datetime
    kind: str = "request"
    status: str = "open"


@dataclass(frozen=True)
class OrderView:
    id: int
    source: str
    external_id: str
    placed_at: datetime
    status: str
    channel: str
    total_kopecks: int
    lines: tuple[LineData, ...]

    @property
    def products(self) -> list[str]:
        return [line.product for line in self.lines]


# --- reading files ----------------------------------------------------------------------


def read_csv(data: bytes | str, required: Sequence[str]) -> tuple[Rows, list[RowError]]:
    """Rows with their line numbers. UTF-8 (with or without BOM) or Windows-1251, the two
    encodings Excel saves; comma or semicolon separated (Russian Excel writes semicolons)."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1251")
    else:
        text = data.removeprefix("\ufeff")
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    names = [n.strip().lower() for n in next(reader, [])]
    missing = [c for c in required if c not in names]
    if missing:
        message = gettext("missing columns: {columns}", columns=", ".join(missing))
        return [], [RowError(1, message)]
    rows: list[tuple[int, Mapping[str, str]]] = []
    errors: list[RowError] = []
    start = reader.line_num + 1
    for values in reader:
        if not any(v.strip() for v in values):
            start = reader.line_num + 1
            continue
        if len(values) > len(names):
            errors.append(RowError(start, gettext("more values than columns")))
        rows.append((start, {k: v.strip() for k, v in zip(names, values, strict=False)}))
        start = reader.line_num + 1
    return rows, errors


def parse_money(text: str) -> int:
    """Rubles as written ("1 234,50", "1234.5") to kopecks, exactly."""
    value = SPACES.sub("", text)
    if not MONEY.match(value):
        raise Invalid("Not an amount in rubles: {value}", code="invalid_amount", value=text)
    rubles, _, kopecks = value.replace(",", ".").partition(".")
    return int(rubles) * 100 + int(kopecks.ljust(2, "0"))


def parse_when(text: str, timezone: str) -> datetime:
    """ISO 8601 or Russian dd.mm.yyyy; a time without an offset is the contact center's."""
    value = text.strip()
    moment: datetime | None = None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        for fmt in DATE_FORMATS:
            try:
                moment = datetime.strptime(value, fmt)
                break
            except ValueError:
                continue
    if moment is None:
        raise Invalid("Not a date: {value}", code="invalid_date", value=text)
    return aware(moment, timezone)


def aware(moment: datetime, timezone: str) -> datetime:
    """UTC; a time without an offset is read in the contact center's time zone."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(timezone))
    return moment.astimezone(UTC)


def _text(row: Mapping[str, str], key: str, limit: int, *, required: bool = False) -> str:
    value = (row.get(key) or "").strip()
    if required and not value:
        raise Invalid("{column} is empty", code="empty", column=key)
    if len(value) > limit:
        raise Invalid(
            "{column} is longer than {limit} characters", code="too_long", column=key, limit=limit
        )
    return value


def _choice(row: Mapping[str, str], key: str, allowed: Sequence[str], default: str) -> str:
    value = (row.get(key) or "").strip().lower() or default
    if value not in allowed:
        raise Invalid(
            "{column} must be one of: {allowed}",
            code="invalid_choice",
            column=key,
            allowed=", ".join(allowed),
        )
    return value


def _customer_ref(row: Mapping[str, str], source: str) -> CustomerRef:
    identity = _text(row, "customer_ref", 200)
    email = _text(row, "customer_email", 320)
    phone = _text(row, "customer_phone", 32)
    if not (identity or email or phone):
        raise Invalid(
            "the customer is unknown: fill customer_ref, customer_email or customer_phone",
            code="no_customer",
        )
    return CustomerRef(
        # an id in the shop's system is an identity on the channel named after the source
        channel=(_text(row, "customer_channel", 32) or source) if identity else "",
        external_id=identity,
        email=service.normalize_email(email) if email else "",
        phone=service.normalize_phone(phone) if phone else "",
        name=_text(row, "customer_name", 200),
        segment=_text(row, "customer_segment", 64),
    )


def _row_error(line: int, exc: Invalid) -> RowError:
    return RowError(line, gettext(exc.message, **exc.params))


def parse_orders(
    rows: Rows, *, default_source: str = "shop", timezone: str = "Europe/Moscow"
) -> tuple[list[tuple[OrderData, CustomerRef]], list[RowError]]:
    """One row per order line; the rows of one order must agree on the order's fields."""
    orders: dict[tuple[str, str], tuple[OrderData, CustomerRef]] = {}
    errors: list[RowError] = []
    for line, row in rows:
        try:
            source = _text(row, "source", 32) or default_source
            order = OrderData(
                source=source,
                external_id=_text(row, "order_id", 100, required=True),
                placed_at=parse_when(_text(row, "placed_at", 40, required=True), timezone),
                status=_choice(row, "status", ORDER_STATUSES, "completed"),
                channel=_text(row, "channel", 32),
            )
            ref = _customer_ref(row, source)
            quantity_text = _text(row, "quantity", 9) or "1"
            if not quantity_text.isdigit() or int(quantity_text) < 1:
                raise Invalid(
                    "quantity must be a whole number from 1: {value}",
                    code="invalid_quantity",
                    value=quantity_text,
                )
            item = LineData(
                product=_text(row, "product", 200, required=True),
                price_kopecks=parse_money(_text(row, "price", 40, required=True)),
                quantity=int(quantity_text),
                sku=_text(row, "sku", 64),
                category=_text(row, "category", 100).lower(),
            )
        except Invalid as exc:
            errors.append(_row_error(line, exc))
            continue
        key = (order.source, order.external_id)
        if key not in orders:
            orders[key] = (order, ref)
        first, first_ref = orders[key]
        same = (first.placed_at, first.status, first.channel, first_ref.key()) == (
            order.placed_at,
            order.status,
            order.channel,
            ref.key(),
        )
        if not same:
            errors.append(
                RowError(
                    line,
                    gettext(
                        "order {order} has other date, status, channel or customer than "
                        "on its first line",
                        order=order.external_id,
                    ),
                )
            )
            continue
        first.lines.append(item)
    return list(orders.values()), errors


def parse_cases(
    rows: Rows, *, default_source: str = "crm", timezone: str = "Europe/Moscow"
) -> tuple[list[tuple[CaseData, CustomerRef]], list[RowError]]:
    cases: dict[tuple[str, str], tuple[CaseData, CustomerRef]] = {}
    errors: list[RowError] = []
    for line, row in rows:
        try:
            source = _text(row, "source", 32) or default_source
            case = CaseData(
                source=source,
                external_id=_text(row, "case_id", 100, required=True),
                department=_text(row, "department", 100, required=True),
                title=_text(row, "title", 300, required=True),
                opened_at=parse_when(_text(row, "opened_at", 40, required=True), timezone),
                kind=_choice(row, "kind", CASE_KINDS, "request"),
                status=_choice(row, "status", CASE_STATUSES, "open"),
            )
            ref = _customer_ref(row, source)
        except Invalid as exc:
            errors.append(_row_error(line, exc))
            continue
        if (case.source, case.external_id) in cases:
            errors.append(RowError(line, gettext("case {case} is repeated", case=case.external_id)))
            continue
        cases[(case.source, case.external_id)] = (case, ref)
    return list(cases.values()), errors


# --- writing ----------------------------------------------------------------------------


def _customer_id(
    db: Session, ref: CustomerRef, seen: dict[tuple[str, str, str, str], int], report: ImportReport
) -> int:
    if ref.key() not in seen:
        customer, created = service.do_match_customer(
            db,
            channel=ref.channel,
            external_id=ref.external_id,
            email=ref.email,
            phone=ref.phone,
            name=ref.name,
            segment=ref.segment,
        )
        report.customers_created += created
        seen[ref.key()] = customer.id
    return seen[ref.key()]


def _lines_of(db: Session, order_id: int) -> list[OrderLine]:
    return list(
        db.scalars(
            select(OrderLine).where(OrderLine.order_id == order_id).order_by(OrderLine.position)
        )
    )


def _as_data(line: OrderLine) -> LineData:
    return LineData(line.product, line.price_kopecks, line.quantity, line.sku, line.category)


def do_save_order(db: Session, customer_id: int, data: OrderData) -> tuple[CustomerOrder, Outcome]:
    """Creates the order, or brings the stored one (same source and id) up to date."""
    if not data.lines:
        raise Invalid("An order needs at least one line", code="no_lines")
    order = db.scalar(
        select(CustomerOrder).where(
            CustomerOrder.source == data.source, CustomerOrder.external_id == data.external_id
        )
    )
    fields = {
        "customer_id": customer_id,
        "placed_at": data.placed_at,
        "status": data.status,
        "channel": data.channel,
        "total_kopecks": data.total_kopecks,
    }
    outcome: Outcome = "created"
    if order is None:
        order = CustomerOrder(source=data.source, external_id=data.external_id, **fields)
        db.add(order)
        db.flush()
    else:
        stored = {k: getattr(order, k) for k in fields}
        if stored == fields and [_as_data(x) for x in _lines_of(db, order.id)] == data.lines:
            return order, "unchanged"
        outcome = "updated"
        for key, value in fields.items():
            setattr(order, key, value)
        order.updated_at = utcnow()
        db.execute(delete(OrderLine).where(OrderLine.order_id == order.id))
    db.add_all(
        OrderLine(
            order_id=order.id,
            position=n,
            sku=x.sku,
            product=x.product,
            category=x.category,
            quantity=x.quantity,
            price_kopecks=x.price_kopecks,
        )
        for n, x in enumerate(data.lines)
    )
    db.flush()
    return order, outcome


def do_save_case(db: Session, customer_id: int, data: CaseData) -> tuple[CustomerCase, Outcome]:
    case = db.scalar(
        select(CustomerCase).where(
            CustomerCase.source == data.source, CustomerCase.external_id == data.external_id
        )
    )
    fields = {
        "customer_id": customer_id,
        "department": data.department,
        "title": data.title,
        "kind": data.kind,
        "status": data.status,
        "opened_at": data.opened_at,
    }
    if case is None:
        case = CustomerCase(source=data.source, external_id=data.external_id, **fields)
        db.add(case)
        db.flush()
        return case, "created"
    if {k: getattr(case, k) for k in fields} == fields:
        return case, "unchanged"
    for key, value in fields.items():
        setattr(case, key, value)
    case.updated_at = utcnow()
    db.flush()
    return case, "updated"


def import_orders(
    db: Session,
    rows: Rows,
    *,
    default_source: str = "shop",
    timezone: str = "Europe/Moscow",
    read_errors: Iterable[RowError] = (),
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """All rows or none: with any bad row the report lists them all and nothing is written."""
    orders, errors = parse_orders(rows, default_source=default_source, timezone=timezone)
    weights = [len(data.lines) for data, _ref in orders]
    return _save_all(
        db, len(rows), [*read_errors, *errors], orders, do_save_order, weights, progress
    )


def import_cases(
    db: Session,
    rows: Rows,
    *,
    default_source: str = "crm",
    timezone: str = "Europe/Moscow",
    read_errors: Iterable[RowError] = (),
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """All rows or none, as orders."""
    cases, errors = parse_cases(rows, default_source=default_source, timezone=timezone)
    weights = [1] * len(cases)
    return _save_all(db, len(rows), [*read_errors, *errors], cases, do_save_case, weights, progress)


def _save_all(
    db: Session,
    rows: int,
    errors: list[RowError],
    records: Sequence[tuple[D, CustomerRef]],
    save: Callable[[Session, int, D], tuple[Any, Outcome]],
    weights: Sequence[int],
    progress: Callable[[int], None] | None,
) -> ImportReport:
    """Writes nothing while any row is wrong; else each record for its customer (found or
    made once per import), with the outcome counted and `progress` told the rows done."""
    report = ImportReport(rows=rows, errors=sorted(errors, key=lambda e: e.line))
    if report.errors:
        return report
    seen: dict[tuple[str, str, str, str], int] = {}
    for (data, ref), weight in zip(records, weights, strict=True):
        _record, outcome = save(db, _customer_id(db, ref, seen, report), data)
        report.count(outcome)
        if progress:
            progress(weight)
    return report


# --- reading ----------------------------------------------------------------------------


def _views(db: Session, orders: Sequence[CustomerOrder]) -> list[OrderView]:
    lines: dict[int, list[LineData]] = {o.id: [] for o in orders}
    if orders:
        for line in db.scalars(
            select(OrderLine)
            .where(OrderLine.order_id.in_(lines))
            .order_by(OrderLine.order_id, OrderLine.position)
        ):
            lines[line.order_id].append(_as_data(line))
    return [
        OrderView(
            o.id,
            o.source,
            o.external_id,
            o.placed_at,
            o.status,
            o.channel,
            o.total_kopecks,
            tuple(lines[o.id]),
        )
        for o in orders
    ]


def list_orders(db: Session, customer_id: int, limit: int = 20) -> list[OrderView]:
    """Newest first."""
    orders = db.scalars(
        select(CustomerOrder)
        .where(CustomerOrder.customer_id == customer_id)
        .order_by(CustomerOrder.placed_at.desc(), CustomerOrder.id.desc())
        .limit(limit)
    )
    return _views(db, list(orders))


def get_order(db: Session, order_id: int) -> OrderView:
    order = db.get(CustomerOrder, order_id)
    if order is None:
        raise NotFound("Order not found")
    return _views(db, [order])[0]


def last_order(db: Session, customer_id: int) -> OrderView | None:
    """The customer's most recent order (any status) with its product names, or None:
    a question only the real customer answers easily."""
    found = list_orders(db, customer_id, limit=1)
    return found[0] if found else None


def order_stats(db: Session, customer_id: int) -> tuple[int, int]:
    """(orders that count, their total in kopecks): cancelled and returned ones do not."""
    count, total = db.execute(
        select(
            func.count(CustomerOrder.id), func.coalesce(func.sum(CustomerOrder.total_kopecks), 0)
        )
        .where(CustomerOrder.customer_id == customer_id)
        .where(CustomerOrder.status.not_in(NOT_COUNTED))
    ).one()
    return int(count), int(total)


def customer_since(db: Session, customer_id: int) -> datetime:
    """Since when we know the customer: their record, or an older order or case that an
    import brought (the panel read «Клиент с 07.12.2026» above a purchase of 10.11.2026)."""
    created = service.get_customer(db, customer_id).created_at
    earlier = [
        db.scalar(
            select(func.min(CustomerOrder.placed_at)).where(
                CustomerOrder.customer_id == customer_id
            )
        ),
        db.scalar(
            select(func.min(CustomerCase.opened_at)).where(CustomerCase.customer_id == customer_id)
        ),
    ]
    return min([created, *(moment for moment in earlier if moment is not None)])


def bought_items(db: Session, customer_id: int) -> set[str]:
    """Everything the customer has bought (and kept), as cross-sell names it."""
    rows = db.execute(
        select(OrderLine.category, OrderLine.product)
        .join(CustomerOrder, CustomerOrder.id == OrderLine.order_id)
        .where(CustomerOrder.customer_id == customer_id)
        .where(CustomerOrder.status.not_in(NOT_COUNTED))
    )
    return {category or product for category, product in rows}


def order_baskets(db: Session) -> list[set[str]]:
    """Every counted order as the set of items in it: the transactions rules are mined from."""
    baskets: dict[int, set[str]] = {}
    rows = db.execute(
        select(OrderLine.order_id, OrderLine.category, OrderLine.product)
        .join(CustomerOrder, CustomerOrder.id == OrderLine.order_id)
        .where(CustomerOrder.status.not_in(NOT_COUNTED))
    )
    for order_id, category, product in rows:
        baskets.setdefault(order_id, set()).add(category or product)
    return list(baskets.values())


def list_cases(db: Session, customer_id: int, *, open_only: bool = True) -> list[CustomerCase]:
    stmt = select(CustomerCase).where(CustomerCase.customer_id == customer_id)
    if open_only:
        stmt = stmt.where(CustomerCase.status == "open")
    return list(db.scalars(stmt.order_by(CustomerCase.opened_at.desc())))
