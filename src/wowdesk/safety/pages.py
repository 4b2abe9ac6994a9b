"""Safety pages for supervisors."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from wowdesk.operators.auth import require
from wowdesk.operators.models import Role

supervisors = APIRouter(include_in_schema=False, dependencies=[Depends(require(Role.supervisor))])
