"""Jinja2 pages with gettext: templates say {{ _("…") }}, catalogs give the language."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup

from wowdesk import __version__
from wowdesk.http.deps import csrf_token_of
from wowdesk.i18n import current_language, gettext, ngettext

# the pages' templates live with the web package's static files
TEMPLATES = Path(__file__).parents[1] / "web" / "templates"

env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    extensions=["jinja2.ext.i18n", "jinja2.ext.do"],
    trim_blocks=True,
    lstrip_blocks=True,
)
env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]


@pass_context
def _translated(context: Context, message: str, **params: Any) -> str:
    """`_("last {n} days", n=7)` as in Python code: jinja's newstyle gettext fills
    %(n)s-style placeholders only, so the catalogs' {n} reached pages as «{n}». The
    translation is trusted markup; the values are escaped (Markup.format)."""
    text = gettext(message)
    if context.eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704 - the catalog's own text; params escaped below
    return text.format(**params) if params else text


env.globals["_"] = env.globals["gettext"] = _translated


@pass_context
def _local(context: Context, moment: date | None, fmt: str = "%d.%m.%Y %H:%M") -> str:
    """A stored moment (UTC) on the contact center's clock (`WOWDESK_TIMEZONE`): pages
    printed UTC, three hours and sometimes a day off what Moscow's analytics call today."""
    if moment is None:
        return ""
    if not isinstance(moment, datetime):  # a day is the same day on every clock
        return moment.strftime(fmt)
    request = context.get("request")
    zone = ZoneInfo(request.app.state.settings.timezone) if request is not None else UTC
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(zone).strftime(fmt)


env.filters["local"] = _local


def js_strings(*msgids: str) -> Markup:
    """The few texts a page's script shows, translated, as a JSON object keyed by msgid."""
    data = json.dumps({m: gettext(m) for m in msgids}, ensure_ascii=False)
    return Markup(data.replace("</", "<\\/"))  # noqa: S704 - JSON with </ escaped


env.globals["js_strings"] = js_strings


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    user = getattr(request.state, "viewer", None)
    html = env.get_template(name).render(
        request=request,
        user=user,
        csrf_token=csrf_token_of(request),
        lang=current_language(),
        version=__version__,
        **context,
    )
    return HTMLResponse(html, status_code=status_code)
