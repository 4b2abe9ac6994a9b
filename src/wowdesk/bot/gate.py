"""Is the bot off for this message? Asked on every bot turn: one indexed query, no cache, so
a switch thrown in one process stops the bot in every process at its next message."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, and_, bindparam, case, or_, select
from sqlalchemy.orm import Session

from wowdesk.bot.models import BotSwitch

_SWITCHES = cast(Table, BotSwitch.__table__)
# built once: the bot asks it on every turn
_OFF = (
    select(BotSwitch)
    .where(
        _SWITCHES.c.is_off.is_(True),
        or_(
            _SWITCHES.c.scope_kind == "global",
            and_(
                _SWITCHES.c.scope_kind == "channel",
                _SWITCHES.c.scope_value == bindparam("channel"),
            ),
            and_(_SWITCHES.c.scope_kind == "topic", _SWITCHES.c.scope_value == bindparam("topic")),
        ),
    )
    .order_by(case({"global": 0, "channel": 1}, value=_SWITCHES.c.scope_kind, else_=2))
    .limit(1)
)


def bot_off_scope(db: Session, *, topic: str, channel: str) -> BotSwitch | None:
    """The switch that keeps the bot from this message (the widest one), or None."""
    return db.scalar(_OFF, {"topic": topic, "channel": channel})
