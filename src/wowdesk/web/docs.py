"""`/docs`: the REST API in Swagger UI, working offline. The Swagger UI files come from the
`swagger-ui-py` wheel (served under /vendor/swagger-ui/), not a CDN, and the page starts it
from a static script, so it also works under the Content-Security-Policy that forbids
inline script."""

from __future__ import annotations

from pathlib import Path

import swagger_ui  # type: ignore[import-untyped]
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from wowdesk.http.routes import Routes
from wowdesk.http.templating import render

SWAGGER_STATIC = Path(swagger_ui.__file__).parent / "static"

public = APIRouter(include_in_schema=False)


@public.get("/docs")
def docs(request: Request) -> Response:
    return render(request, "web/docs.html")


def mount_assets(app: FastAPI) -> None:
    app.mount("/vendor/swagger-ui", StaticFiles(directory=SWAGGER_STATIC), name="swagger-ui")


routes = Routes(public=(public,))
