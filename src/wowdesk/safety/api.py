"""REST routes for supervisors' control of the AI and operators' part in it."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from wowdesk.operators.auth import require
from wowdesk.operators.models import Role

staff = APIRouter(prefix="/api/v1/safety", tags=["safety"])
supervisors = APIRouter(
    prefix="/api/v1/safety", tags=["safety"], dependencies=[Depends(require(Role.supervisor))]
)
