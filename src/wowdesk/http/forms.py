"""The one way a page form shows a refusal: the service raised a `WowdeskError`, so the
transaction is rolled back (nothing half-written stays) and the same page is rendered again
with the translated message and the error's status, keeping what the user typed."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.responses import Response
from sqlalchemy.orm import Session

from wowdesk.errors import WowdeskError
from wowdesk.i18n import gettext


def form_error(
    db: Session, exc: WowdeskError, page: Callable[..., Response], **context: object
) -> Response:
    """`page(status_code=…, error=…, **context)` renders the form again."""
    db.rollback()
    return page(status_code=exc.status, error=gettext(exc.message, **exc.params), **context)
