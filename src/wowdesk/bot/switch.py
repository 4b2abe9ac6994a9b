"""Manual mode: a supervisor switches the bot off for everything, one topic or one channel.

While it is off, customers' messages go to people with a human greeting and the
conversations the bot held are handed over at once with their cards. It comes back on only
when the regression cases pass, or with an explicit override; every change, with who asked,
who approved and the report at re-enable, is kept in an append-only audit.

The bot asks `bot.gate.bot_off_scope` on every turn.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wowdesk import events
from wowdesk.bot import service as bot_service
from wowdesk.bot.models import (
    SCOPE_KINDS,
    BotSwitch,
    BotSwitchChange,
    BotSwitchRequest,
    RequestStatus,
)
from wowdesk.bot.schemas import SwitchChanged, SwitchRequestChanged
from wowdesk.conversations import service as conversations
from wowdesk.conversations import topics
from wowdesk.conversations.service import CHANNELS
from wowdesk.db import utcnow
from wowdesk.errors import Conflict, Forbidden, Invalid, NotFound
from wowdesk.operators import service as operators
from wowdesk.operators.models import Role, User

MAX_REASON = 2000


# --- validation ------------------------------------------------------------------------


def check_scope(db: Session, scope_kind: str, scope_value: str) -> tuple[str, str]:
    if scope_kind not in SCOPE_KINDS:
        raise Invalid(
            "Scope must be global, topic or channel, not {kind}",
            code="invalid_scope",
            kind=scope_kind,
        )
    value = (scope_value or "").strip()
    if scope_kind == "global":
        return scope_kind, ""
    if scope_kind == "topic":
        if value not in {t.name for t in topics.list_topics(db)}:
            raise Invalid("Unknown topic: {topic}", code="unknown_topic", topic=value)
    elif value not in CHANNELS:
        raise Invalid(
            "Unknown channel: {channel}; one of {known}",
            code="unknown_channel",
            channel=value,
            known=", ".join(CHANNELS),
        )
    return scope_kind, value


def check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("Say why: a reason is required", code="reason_required")
    if len(reason) > MAX_REASON:
        raise Invalid("The reason is too long: at most {n} characters", n=MAX_REASON)
    return reason


def check_supervisor(user: User) -> None:
    if not operators.has_role(user, Role.supervisor):
        raise Forbidden("Only a supervisor can switch the bot", code="supervisor_only")


# --- reading ---------------------------------------------------------------------------


def get_switch(db: Session, scope_kind: str, scope_value: str) -> BotSwitch | None:
    return db.scalar(
        select(BotSwitch).where(
            BotSwitch.scope_kind == scope_kind, BotSwitch.scope_value == scope_value
        )
    )


def list_switches(db: Session, *, only_off: bool = False) -> list[BotSwitch]:
    stmt = select(BotSwitch).order_by(BotSwitch.scope_kind, BotSwitch.scope_value)
    if only_off:
        stmt = stmt.where(BotSwitch.is_off.is_(True))
    return list(db.scalars(stmt))


def list_changes(db: Session, limit: int = 100) -> list[BotSwitchChange]:
    return list(
        db.scalars(select(BotSwitchChange).order_by(BotSwitchChange.id.desc()).limit(limit))
    )


def list_requests(
    db: Session, *, status: str | None = None, requested_by: int | None = None, limit: int = 100
) -> list[BotSwitchRequest]:
    stmt = select(BotSwitchRequest).order_by(BotSwitchRequest.id.desc()).limit(limit)
    if status is not None:
        stmt = stmt.where(BotSwitchRequest.status == status)
    if requested_by is not None:
        stmt = stmt.where(BotSwitchRequest.requested_by == requested_by)
    return list(db.scalars(stmt))


def get_request(db: Session, request_id: int) -> BotSwitchRequest:
    request = db.get(BotSwitchRequest, request_id)
    if request is None:
        raise NotFound("Request not found")
    return request


def user_names(db: Session, ids: set[int | None]) -> dict[int, str]:
    """Display names for the audit and request lists (users may be renamed later; the audit
    keeps the name at the time too)."""
    names = {}
    for user_id in ids:
        if user_id is not None:
            try:
                names[user_id] = operators.get_user(db, user_id).display_name
            except NotFound:
                names[user_id] = f"#{user_id}"
    return names


# --- writing ---------------------------------------------------------------------------


def _publish(db: Session, event: events.Event, *extra: str) -> None:
    """Consoles (queue channel) show the indicator; supervisors' pages (routing channel)
    reload their lists; an operator hears about their own request on their channel."""
    events.publish_on_commit(
        db,
        [events.QUEUE_CHANNEL, events.ROUTING_CHANNEL, *extra],
        event,
    )


def _set(db: Session, scope_kind: str, scope_value: str, off: bool, reason: str, by: int) -> None:
    row = get_switch(db, scope_kind, scope_value)
    if row is None:
        row = BotSwitch(scope_kind=scope_kind, scope_value=scope_value)
        db.add(row)
    row.is_off = off
    row.reason = reason
    row.changed_by = by
    row.changed_at = utcnow()


def do_switch_off(
    db: Session,
    user: User,
    *,
    scope_kind: str,
    scope_value: str,
    reason: str,
    request_id: int | None = None,
) -> BotSwitchChange:
    """Off now: conversations the bot holds in the scope go to people at once with their
    cards. With `request_id`, the operator who asked is recorded as the author and `user`
    as the supervisor who approved."""
    check_supervisor(user)
    scope_kind, scope_value = check_scope(db, scope_kind, scope_value)
    reason = check_reason(reason)
    current = get_switch(db, scope_kind, scope_value)
    if current is not None and current.is_off:
        raise Conflict("The bot is already off there", code="already_off")
    author, approver = user, None
    if request_id is not None:
        request = get_request(db, request_id)
        if request.requested_by is not None:
            author, approver = operators.get_user(db, request.requested_by), user
    _set(db, scope_kind, scope_value, True, reason, user.id)
    held = bot_service.list_held(
        db,
        topic=scope_value if scope_kind == "topic" else None,
        channel=scope_value if scope_kind == "channel" else None,
    )
    handed = sum(1 for cid in held if bot_service.do_hand_over(db, cid))
    change = BotSwitchChange(
        scope_kind=scope_kind,
        scope_value=scope_value,
        action="off",
        reason=reason,
        changed_by=author.id,
        changed_by_name=author.display_name,
        approved_by=approver.id if approver else None,
        approved_by_name=approver.display_name if approver else "",
        request_id=request_id,
        regression={},
        handed_over=handed,
    )
    db.add(change)
    db.flush()
    _publish(db, _switch_event(change))
    return change


def check_switched_off(
    db: Session, user: User, scope_kind: str, scope_value: str, reason: str
) -> tuple[str, str, str]:
    """The scope, normalised, where a supervisor may turn the bot back on (it is off there)."""
    check_supervisor(user)
    scope_kind, scope_value = check_scope(db, scope_kind, scope_value)
    reason = check_reason(reason)
    current = get_switch(db, scope_kind, scope_value)
    if current is None or not current.is_off:
        raise Conflict("The bot is not off there", code="not_off")
    return scope_kind, scope_value, reason


def do_switch_on(
    db: Session,
    user: User,
    *,
    scope_kind: str,
    scope_value: str,
    reason: str,
    overridden: bool,
    regression: dict[str, Any],
) -> BotSwitchChange:
    """Records the bot back on. Only `quality.regression.do_switch_on` calls it: the cases
    are replayed there first (quality sits above the bot), and their summary is audited."""
    _set(db, scope_kind, scope_value, False, reason, user.id)
    change = BotSwitchChange(
        scope_kind=scope_kind,
        scope_value=scope_value,
        action="on",
        reason=reason,
        changed_by=user.id,
        changed_by_name=user.display_name,
        override=overridden,
        regression=regression,
    )
    db.add(change)
    db.flush()
    _publish(db, _switch_event(change))
    return change


def do_request(
    db: Session,
    operator: User,
    *,
    scope_kind: str,
    scope_value: str,
    reason: str,
    conversation_id: int | None = None,
) -> BotSwitchRequest:
    """Any staff member may ask; asking twice for the same scope returns the pending request."""
    scope_kind, scope_value = check_scope(db, scope_kind, scope_value)
    reason = check_reason(reason)
    if conversation_id is not None:
        conversations.get_conversation(db, conversation_id)  # 404, not a broken reference
    current = get_switch(db, scope_kind, scope_value)
    if current is not None and current.is_off:
        raise Conflict("The bot is already off there", code="already_off")
    pending = db.scalar(
        select(BotSwitchRequest).where(
            BotSwitchRequest.status == RequestStatus.pending,
            BotSwitchRequest.requested_by == operator.id,
            BotSwitchRequest.scope_kind == scope_kind,
            BotSwitchRequest.scope_value == scope_value,
        )
    )
    if pending is not None:
        return pending
    request = BotSwitchRequest(
        scope_kind=scope_kind,
        scope_value=scope_value,
        reason=reason,
        conversation_id=conversation_id,
        requested_by=operator.id,
        status=RequestStatus.pending,
        decision_note="",
        created_at=utcnow(),
    )
    db.add(request)
    db.flush()
    _publish(db, _request_event(request), events.operator_channel(operator.id))
    return request


def do_decide(
    db: Session, supervisor: User, request_id: int, approve: bool, note: str = ""
) -> BotSwitchRequest:
    """Approve (the switch goes off, audited with who asked and who approved) or decline
    (kept on the request with the note)."""
    check_supervisor(supervisor)
    request = get_request(db, request_id)
    if request.status != RequestStatus.pending:
        raise Conflict("This request was already decided", code="already_decided")
    note = (note or "").strip()[:MAX_REASON]
    request.status = RequestStatus.approved if approve else RequestStatus.declined
    request.decided_by = supervisor.id
    request.decided_at = utcnow()
    request.decision_note = note
    current = get_switch(db, request.scope_kind, request.scope_value)
    if approve and not (current is not None and current.is_off):
        reason = request.reason + (f" — {note}" if note else "")
        do_switch_off(
            db,
            supervisor,
            scope_kind=request.scope_kind,
            scope_value=request.scope_value,
            reason=reason[:MAX_REASON],
            request_id=request.id,
        )
    db.flush()
    extra = [events.operator_channel(request.requested_by)] if request.requested_by else []
    _publish(db, _request_event(request), *extra)
    return request


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _switch_event(change: BotSwitchChange) -> SwitchChanged:
    return SwitchChanged(
        id=change.id,
        scope_kind=change.scope_kind,
        scope_value=change.scope_value,
        action=change.action,
    )


def _request_event(request: BotSwitchRequest) -> SwitchRequestChanged:
    return SwitchRequestChanged(
        id=request.id,
        scope_kind=request.scope_kind,
        scope_value=request.scope_value,
        status=request.status,
        requested_by=request.requested_by,
    )
