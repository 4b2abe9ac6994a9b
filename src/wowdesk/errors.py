"""Domain errors: services raise them, the app turns each into JSON with the right status.

`message` is a gettext msgid (English); it is translated when rendered, so the same error
reads in the user's language without services knowing about requests.
"""

from __future__ import annotations

from typing import Any


class WowdeskError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, code: str | None = None, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = params
        # more for the client than the message: e.g. the failing cases behind a refusal
        self.extra: dict[str, Any] = {}
        if code:
            self.code = code


class Invalid(WowdeskError):
    status = 422
    code = "invalid"


class Unauthorized(WowdeskError):
    status = 401
    code = "unauthorized"


class Forbidden(WowdeskError):
    status = 403
    code = "forbidden"


class NotFound(WowdeskError):
    status = 404
    code = "not_found"


class Conflict(WowdeskError):
    status = 409
    code = "conflict"
