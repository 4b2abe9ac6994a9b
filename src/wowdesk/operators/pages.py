"""The supervisors' broadcasts page: send a warning to every operator or a team and see who
has acknowledged it."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from wowdesk.errors import WowdeskError
from wowdesk.http.deps import DbSession
from wowdesk.http.forms import form_error
from wowdesk.http.routes import Routes
from wowdesk.http.templating import render
from wowdesk.i18n import N_, gettext
from wowdesk.operators import broadcasts
from wowdesk.operators import service as operators
from wowdesk.operators.auth import CurrentUser, require
from wowdesk.operators.models import BroadcastLevel, Role

supervisors = APIRouter(include_in_schema=False, dependencies=[Depends(require(Role.supervisor))])

LEVEL_LABELS = {
    BroadcastLevel.info: N_("Information"),
    BroadcastLevel.warning: N_("Warning"),
    BroadcastLevel.critical: N_("Critical"),
    BroadcastLevel.positive: N_("Recognition"),
}


# the newest broadcasts are shown with who has and has not acknowledged them
DETAILED = 20


def _broadcasts_page(
    request: Request, db: DbSession, status_code: int = 200, **ctx: object
) -> Response:
    sent = broadcasts.list_broadcasts(db)
    levels = [(lvl.value, gettext(LEVEL_LABELS[lvl])) for lvl in BroadcastLevel]
    return render(
        request,
        "operators/broadcasts.html",
        status_code=status_code,
        teams=operators.list_teams(db),
        levels=levels,
        level_names=dict(levels),
        broadcasts=broadcasts.broadcast_out(db, sent),
        acks={b.id: broadcasts.acknowledgements(db, b.id) for b in sent[:DETAILED]},
        **ctx,
    )


@supervisors.get("/safety/broadcasts")
def broadcasts_page(request: Request, db: DbSession, sent: int = 0) -> Response:
    return _broadcasts_page(request, db, sent=bool(sent))


@supervisors.post("/safety/broadcasts")
def broadcasts_send(
    request: Request,
    user: CurrentUser,
    db: DbSession,
    text: Annotated[str, Form(max_length=broadcasts.MAX_TEXT)],
    level: Annotated[str, Form()] = "warning",
    team_id: Annotated[str, Form()] = "",
) -> Response:
    try:
        team = int(team_id) if team_id else None
        broadcasts.do_broadcast(db, author_id=user.id, text=text, team_id=team, level=level)
    except ValueError:
        return _broadcasts_page(
            request, db, status_code=422, error=gettext("Unknown team"), text=text
        )
    except WowdeskError as exc:
        return form_error(db, exc, partial(_broadcasts_page, request, db), text=text)
    return RedirectResponse("/safety/broadcasts?sent=1", status_code=303)


@supervisors.post("/safety/broadcasts/{broadcast_id}/close")
def broadcasts_close(broadcast_id: int, db: DbSession) -> Response:
    broadcasts.do_close(db, broadcast_id)
    return RedirectResponse("/safety/broadcasts", status_code=303)


routes = Routes(supervisors=(supervisors,))
