"""The OpenAPI document says what the API really answers: every operation may fail with the
one JSON error shape, `{"error": {"code", "message"}}`, under the statuses the app uses
(400 body not JSON, 401 not logged in, 403 role or CSRF, 404 unknown or not yours, 409
state conflict, 413 body too large, 422 invalid input, 503 database unavailable). The
schemathesis run in the suite (tests/web/test_openapi_fuzz.py) holds the app to it."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

ERROR_STATUSES = {
    "400": "The request body is not valid JSON",
    "401": "Not logged in, or the session expired",
    "403": "The role does not allow it, or the CSRF token is missing",
    "404": "Unknown, or not yours",
    "409": "The object is not in a state that allows it",
    "413": "The request body is too large",
    "422": "Invalid input",
    "503": "The database is briefly unavailable; retry after Retry-After seconds",
}
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        }
    },
}


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        ref = {"$ref": "#/components/schemas/Error"}
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                responses = operation.setdefault("responses", {})
                for status, description in ERROR_STATUSES.items():
                    responses[status] = {
                        "description": description,
                        "content": {"application/json": {"schema": ref}},
                    }
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
