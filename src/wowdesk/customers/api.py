"""REST routes for customers (staff only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from wowdesk.customers import service
from wowdesk.customers.schemas import CustomerDetail, CustomerOut, IdentityOut
from wowdesk.operators.auth import require
from wowdesk.operators.models import Role
from wowdesk.web.deps import DbSession

router = APIRouter(
    prefix="/api/v1", tags=["customers"], dependencies=[Depends(require(Role.operator))]
)


@router.get("/customers")
def search(db: DbSession, q: Annotated[str, Query(max_length=200)] = "") -> list[CustomerOut]:
    return [CustomerOut.model_validate(c) for c in service.search_customers(db, q)]


@router.get("/customers/{customer_id}")
def detail(customer_id: int, db: DbSession) -> CustomerDetail:
    customer = service.get_customer(db, customer_id)
    identities = [IdentityOut.model_validate(i) for i in service.list_identities(db, customer.id)]
    return CustomerDetail(
        **CustomerOut.model_validate(customer).model_dump(), identities=identities
    )
