from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class IdentityOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    channel: str
    external_id: str
    verified: bool = True


class CustomerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    display_name: str
    email: str | None
    phone: str | None
    created_at: datetime


class CustomerDetail(CustomerOut):
    identities: list[IdentityOut]


class CustomerNameIn(BaseModel):
    display_name: str = Field(min_length=1, max_length=200, description="what to call them")


# --- orders, cases, the profile panel ---------------------------------------------------


class OrderLineIn(BaseModel):
    product: str = Field(min_length=1, max_length=200)
    price: Decimal = Field(ge=0, max_digits=14, decimal_places=2, description="rubles per unit")
    quantity: int = Field(default=1, ge=1, le=1_000_000)
    sku: str = Field(default="", max_length=64)
    category: str = Field(default="", max_length=100)


class OrderIn(BaseModel):
    order_id: str = Field(min_length=1, max_length=100, description="the id in the source system")
    source: str = Field(default="api", min_length=1, max_length=32)
    placed_at: datetime = Field(description="without an offset: the contact center's time zone")
    status: Literal["new", "paid", "shipped", "completed", "cancelled", "returned"] = "completed"
    channel: str = Field(default="", max_length=32)
    lines: list[OrderLineIn] = Field(min_length=1, max_length=1000)


class OrderLineOut(BaseModel):
    sku: str
    product: str
    category: str
    quantity: int
    price_kopecks: int


class OrderOut(BaseModel):
    id: int
    source: str
    order_id: str
    placed_at: datetime
    status: str
    status_label: str
    channel: str
    total_kopecks: int
    total_text: str
    products: list[str]
    lines: list[OrderLineOut]


class OrderSaved(BaseModel):
    order: OrderOut
    outcome: Literal["created", "updated", "unchanged"]


class RowErrorOut(BaseModel):
    line: int
    message: str


class ImportReportOut(BaseModel):
    rows: int
    created: int
    updated: int
    unchanged: int
    customers_created: int
    errors: list[RowErrorOut]


class CaseOut(BaseModel):
    id: int
    source: str
    case_id: str
    department: str
    title: str
    kind: str
    status: str
    opened_at: datetime


class LoyaltyOut(BaseModel):
    total_rub: int
    threshold_rub: int
    percent: Decimal
    remaining_rub: int
    reached: bool
    label: str


class OfferOut(BaseModel):
    item: str
    reason: str
    confidence: float


class EarlierOut(BaseModel):
    id: int
    created_at: datetime
    channel: str
    status: str
    subject: str
    topic: str
    csat: int | None
    operator_name: str


class ProfileCustomer(BaseModel):
    id: int
    display_name: str
    segment: str
    tier: int
    tier_label: str
    email: str | None
    phone: str | None
    contacts_masked: bool
    # False: the customer came with an id nobody signed; who they are is only their word
    verified: bool = True
    created_at: datetime
    since: datetime  # the record, or an older imported order or case


class LinkDecisionIn(BaseModel):
    confirm: bool


class LinkOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    customer_id: int
    other_id: int
    status: str
    reason: str


class LinkProposalOut(BaseModel):
    """Another record that may be this person: the operator confirms or rejects it."""

    id: int
    other_id: int
    other_name: str
    reason: str
    reason_label: str


class ProfileOut(BaseModel):
    customer: ProfileCustomer
    identities: list[IdentityOut]
    # other records confirmed to be this person (their identities and history are shown)
    linked_ids: list[int] = Field(default_factory=list)
    proposals: list[LinkProposalOut] = Field(default_factory=list)
    loyalty: LoyaltyOut
    orders: list[OrderOut]
    orders_count: int
    orders_total_text: str
    cases: list[CaseOut]
    conversations: list[EarlierOut]
    calm: bool
    quiet_reasons: list[str]
    offers: list[OfferOut]
