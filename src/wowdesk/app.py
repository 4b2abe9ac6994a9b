"""The FastAPI application: routers of every domain, one error format, the event bus."""

from __future__ import annotations

import asyncio
import collections
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException

from wowdesk import __version__, events, heap, jobs, logformat, telemetry
from wowdesk.analytics import api as analytics_api
from wowdesk.analytics import pages as analytics_pages
from wowdesk.analytics import service as analytics_service
from wowdesk.assist import api as assist_api
from wowdesk.assist import pages as assist_pages
from wowdesk.assist.indexes import Assistant
from wowdesk.bot import api as bot_api
from wowdesk.bot import pages as bot_pages
from wowdesk.bot.engine import engine_from_settings
from wowdesk.channels import api as channels_api
from wowdesk.channels import imap, telegram_runner
from wowdesk.channels import pages as channels_pages
from wowdesk.config import Settings, get_settings
from wowdesk.conversations import api as conversations_api
from wowdesk.conversations import notes_api, sockets
from wowdesk.customers import api as customers_api
from wowdesk.db import make_engine, make_sessionmaker, request_slots, writer_executor
from wowdesk.errors import Forbidden, Unauthorized, WowdeskError
from wowdesk.http import hardening, headers, openapi, per_request, route_index
from wowdesk.http.templating import render
from wowdesk.i18n import activate, gettext
from wowdesk.kb import api as kb_api
from wowdesk.kb import pages as kb_pages
from wowdesk.nlp import secret_model
from wowdesk.operators import api as operators_api
from wowdesk.operators import auth
from wowdesk.operators import pages as operators_pages
from wowdesk.privacy import api as privacy_api
from wowdesk.privacy import pages as privacy_pages
from wowdesk.quality import api as quality_api
from wowdesk.quality import case_suggestions, gap_drafts, incident_views
from wowdesk.quality import pages as quality_pages
from wowdesk.quality import review as quality_review
from wowdesk.routing import api as routing_api
from wowdesk.routing import pages as routing_pages
from wowdesk.safety import api as safety_api
from wowdesk.safety import logs as pii_logs
from wowdesk.training import api as training_api
from wowdesk.training import kpi_source as training_kpis
from wowdesk.training import mentors as training_mentors
from wowdesk.training import micro as training_micro
from wowdesk.training import pages as training_pages
from wowdesk.training import people_api as training_people_api
from wowdesk.web import admin, docs, observability, pages
from wowdesk.workforce import api as workforce_api
from wowdesk.workforce import pages as workforce_pages

# every module with routes, lowest layer first; each ends with `routes = Routes(...)`
ROUTE_MODULES = (
    pages,
    docs,
    admin,
    operators_api,
    operators_pages,
    conversations_api,
    notes_api,
    sockets,
    customers_api,
    kb_api,
    kb_pages,
    bot_api,
    bot_pages,
    routing_api,
    routing_pages,
    assist_api,
    assist_pages,
    safety_api,
    quality_api,
    quality_pages,
    training_api,
    training_people_api,
    training_pages,
    analytics_api,
    analytics_pages,
    workforce_api,
    workforce_pages,
    channels_api,
    channels_pages,
    privacy_api,
    privacy_pages,
    observability,
)

STATIC = Path(__file__).parent / "web" / "static"


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get(
        "accept", ""
    )


def _json_error(status: int, code: str, message: str, **extra: object) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, **extra}}, status_code=status)


def _install_http_handlers(app: FastAPI, settings: Settings) -> None:
    """One error format: JSON `{"error": {code, message}}` for the API, the error page (or
    the login) for a browser. The language of each request is set by http.per_request."""

    @app.exception_handler(WowdeskError)
    async def domain_error(request: Request, exc: WowdeskError) -> Response:
        message = gettext(exc.message, **exc.params)
        if _wants_html(request):
            if isinstance(exc, Unauthorized):
                return pages.login_redirect(request, expired=exc.code == "session_expired")
            if isinstance(exc, Forbidden | WowdeskError):
                return render(request, "web/error.html", status_code=exc.status, message=message)
        return _json_error(exc.status, exc.code, message, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
            problems.append({"field": where, "problem": err.get("msg", "")})
        summary = "; ".join(f"{p['field']}: {p['problem']}" for p in problems)
        return _json_error(
            422, "invalid", gettext("Invalid request: {details}", details=summary), fields=problems
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = {
            404: gettext("Not found"),
            405: gettext("Method not allowed"),
        }.get(exc.status_code, str(exc.detail))
        if exc.status_code == 400 and "parsing the body" in str(exc.detail):
            message = gettext("The request body is not valid JSON in UTF-8")
        if _wants_html(request):
            await auth.recall_viewer(request)
            return render(request, "web/error.html", status_code=exc.status_code, message=message)
        response = _json_error(exc.status_code, f"http_{exc.status_code}", message)
        response.headers.update(exc.headers or {})  # 405 says which methods are allowed
        return response


def _warm_up() -> threading.Thread:
    """Every message, the customer's and the operator's, is checked for a request for a
    secret. Loaded on first use, that model made the first message of a process wait
    inside the writer thread every other write queues behind (routing and presence stalled
    with it; it was trained then). It is small, so it is read beside start-up instead; the
    big models (NER, the encoder) stay lazy so an idle process stays small."""

    def warm_up() -> None:
        secret_model.default_model()
        heap.settle()  # the app and its imports stay: later collections skip them

    thread = threading.Thread(target=warm_up, name="warm-up", daemon=True)
    thread.start()
    return thread


def create_app(
    settings: Settings | None = None, factory: sessionmaker[Session] | None = None
) -> FastAPI:
    settings = settings or get_settings()
    activate(settings.language)
    pii_logs.install()  # no log line carries a customer's personal data
    logformat.configure(settings.log_format)
    if factory is None:
        factory = make_sessionmaker(make_engine(settings.resolved_database_url()))
    bus = events.make_bus(settings.redis_url)
    events.attach_bus(factory.kw.setdefault("info", {}), bus)
    bot = engine_from_settings(settings)
    knowledge = bot.knowledge
    assistant = Assistant(knowledge)  # the bot's knowledge index, not a second one
    telegram = telegram_runner.from_settings(settings, factory)
    mail = imap.MailChannel(settings, factory)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.warming = _warm_up()
        await events.start_bus(bus)
        executor = app.state.db_executor = writer_executor(factory)
        tasks = jobs.start_app_tasks(settings, bus, factory, bot, executor, assistant)
        if telegram is not None:
            tasks.extend(telegram.start(executor))
        tasks.extend(mail.start(executor))
        try:
            yield
        finally:
            await jobs.stop_tasks(tasks)
            if telegram is not None:
                await telegram.stop()
            await events.stop_bus(bus)
            app.state.db_executor = None
            if executor is not None:
                executor.shutdown(wait=True)
            telemetry.process_exit()

    app = FastAPI(
        docs_url=None,  # web.docs serves /docs from a package, offline
        redoc_url=None,
        title="wowdesk",
        version=__version__,
        description="Contact-center platform API. Errors are JSON: "
        '`{"error": {"code": …, "message": …}}`.',
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.sessionmaker = factory
    # fewer requests than pooled connections at once: see http/deps.py _db
    app.state.db_admission = asyncio.Semaphore(request_slots(factory))
    app.state.bus = bus
    app.state.open_consoles = collections.Counter()  # this process's console sockets
    app.state.db_executor = None
    app.state.knowledge = knowledge
    app.state.bot = bot
    app.state.assistant = assistant
    app.state.telegram = telegram

    hardening.install(app, settings.max_request_bytes)
    app.add_middleware(headers.SecurityHeaders)
    openapi.install(app)

    # layers add to lower ones through callbacks registered here, never by being imported:
    # quality's library cases to the assistant's suggestions, its mined drafts to /kb
    case_suggestions.register()
    gap_drafts.register()
    incident_views.register_panel("training.micro", training_micro.incident_panel)
    training_kpis.register(analytics_service.operator_kpis, analytics_service.kpi_labels())
    quality_review.register_reader(training_mentors.mentors)  # trainees' scored conversations
    _install_http_handlers(app, settings)

    # the language, fallback headers and the origin learnt (WOWDESK_PUBLIC_URL unset)
    app.add_middleware(
        per_request.PerRequest,
        language=settings.language,
        origin_known=lambda: bool(bot.public_url),
        learn_origin=bot.learn_public_url,
    )
    app.add_middleware(observability.Observe, access_log=settings.log_format == "json")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    docs.mount_assets(app)
    for module in ROUTE_MODULES:
        for router in module.routes:
            app.include_router(router)
    route_index.install(app)  # ~400 routes: try only those whose literal start fits the path
    return app
