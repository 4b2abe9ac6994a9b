"""Regression cases: every flagged bot answer becomes a question the bot must stop getting
wrong before it is switched back on.

`run_cases` replays each active case through the bot's own decision and answer code
(`bot.service.replay`: the live turn minus writes and switches) and fails it when the bot
still answers from the same unchanged article version, repeats the flagged answer, breaks a
supervisor's must / must-not phrase, or says something unsafe. Handing the question to a
person is a pass: it is safe.
"""

from __future__ import annotations

import contextlib
import functools
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wowdesk.bot import service as bot_service
from wowdesk.bot import switch
from wowdesk.bot.engine import BotEngine, engine_from_settings
from wowdesk.bot.models import BotSwitchChange
from wowdesk.config import get_settings
from wowdesk.conversations import service as conversations
from wowdesk.db import utcnow
from wowdesk.errors import Conflict, Invalid, NotFound, WowdeskError
from wowdesk.i18n import N_, gettext
from wowdesk.kb import service as kb
from wowdesk.operators.models import User
from wowdesk.quality.models import RegressionCase

MAX_QUESTION = 4000
MAX_PHRASES = 20

FAIL_REASONS = {
    "same_article": N_("still answers from the same unchanged article (version {version})"),
    "same_answer": N_("the answer is the same as the flagged one"),
    "missing_phrase": N_("the answer lacks «{phrase}»"),
    "forbidden_phrase": N_("the answer contains «{phrase}»"),
    "ungrounded": N_("the generated answer was not supported by the knowledge base"),
    "not_checked": N_("could not be checked: the language model did not answer"),
}


# --- cases -----------------------------------------------------------------------------


def _phrases(values: list[str] | None) -> list[str]:
    clean = [v.strip() for v in values or [] if v and v.strip()]
    if len(clean) > MAX_PHRASES or any(len(v) > 200 for v in clean):
        raise Invalid("At most {n} phrases of up to 200 characters", n=MAX_PHRASES)
    return clean


def _version_at(db: Session, article_id: int, message_id: int | None) -> int | None:
    """The article's version when the flagged answer was sent (its version now if the
    answer's time is unknown); None when the article is gone."""
    try:
        article = kb.get_article(db, article_id)
    except NotFound:
        return None
    if message_id is None:
        return article.version
    try:
        sent = conversations.get_message(db, message_id).created_at
    except NotFound:
        return article.version
    earlier = [v.version for v in kb.list_versions(db, article) if v.created_at <= sent]
    return max(earlier) if earlier else article.version


def _from_message(db: Session, message_id: int) -> dict[str, Any]:
    """What a flagged bot message tells about itself: its text, article, conversation and
    the customer's question it answered (its client id names it: `bot-<message id>`)."""
    try:
        msg = conversations.get_message(db, message_id)
    except NotFound:
        return {}
    found: dict[str, Any] = {"bad_answer": msg.text, "conversation_id": msg.conversation_id}
    if isinstance(msg.meta, dict) and msg.meta.get("article_id") is not None:
        found["article_id"] = int(msg.meta["article_id"])
    if msg.client_id.startswith("bot-") and msg.client_id[4:].isdigit():
        with contextlib.suppress(NotFound):
            found["question"] = conversations.get_message(db, int(msg.client_id[4:])).text
    return found


def do_add_case(
    db: Session,
    *,
    question: str,
    topic: str = "",
    channel: str = "web",
    bad_answer: str = "",
    article_id: int | None = None,
    reason: str = "",
    conversation_id: int | None = None,
    message_id: int | None = None,
    created_by: int | None = None,
    must_contain: list[str] | None = None,
    must_not_contain: list[str] | None = None,
) -> RegressionCase:
    """One case per flagged message (flagging it again returns the same case); blanks are
    filled from the flagged message when there is one."""
    if message_id is not None:
        existing = db.scalar(select(RegressionCase).where(RegressionCase.message_id == message_id))
        if existing is not None:
            return existing
        known = _from_message(db, message_id)
        question = question or known.get("question", "")
        bad_answer = bad_answer or known.get("bad_answer", "")
        article_id = article_id if article_id is not None else known.get("article_id")
        conversation_id = conversation_id or known.get("conversation_id")
    question = (question or "").strip()
    if not question:
        raise Invalid("The case needs the customer's question", code="question_required")
    if len(question) > MAX_QUESTION:
        raise Invalid("The question is too long: at most {n} characters", n=MAX_QUESTION)
    if len(topic) > 100 or len(channel) > 32 or not channel.strip():
        raise Invalid("Topic up to 100 and channel 1 to 32 characters")
    case = RegressionCase(
        question=question,
        topic=topic.strip(),
        channel=channel.strip(),
        bad_answer=(bad_answer or "").strip(),
        article_id=article_id,
        article_version=_version_at(db, article_id, message_id) if article_id else None,
        reason=(reason or "").strip()[:2000],
        must_contain=_phrases(must_contain),
        must_not_contain=_phrases(must_not_contain),
        conversation_id=conversation_id,
        message_id=message_id,
        created_by=created_by,
        created_at=utcnow(),
        active=True,
    )
    db.add(case)
    db.flush()
    return case


def get_case(db: Session, case_id: int) -> RegressionCase:
    case = db.get(RegressionCase, case_id)
    if case is None:
        raise NotFound("Regression case not found")
    return case


def list_cases(db: Session, *, active_only: bool = False) -> list[RegressionCase]:
    stmt = select(RegressionCase).order_by(RegressionCase.id.desc())
    if active_only:
        stmt = stmt.where(RegressionCase.active.is_(True))
    return list(db.scalars(stmt))


def do_update_case(
    db: Session,
    case_id: int,
    *,
    must_contain: list[str] | None = None,
    must_not_contain: list[str] | None = None,
    active: bool | None = None,
) -> RegressionCase:
    """A supervisor says what a right answer must (not) say, or retires a case."""
    case = get_case(db, case_id)
    if must_contain is not None:
        case.must_contain = _phrases(must_contain)
    if must_not_contain is not None:
        case.must_not_contain = _phrases(must_not_contain)
    if active is not None:
        case.active = active
    db.flush()
    return case


# --- the report ------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseResult:
    id: int
    question: str
    status: str  # pass | fail
    reasons: list[str]
    answer: str | None
    action: str  # answer | handoff
    article_id: int | None
    topic: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "question": self.question,
            "status": self.status,
            "reasons": self.reasons,
            "answer": self.answer,
            "action": self.action,
            "article_id": self.article_id,
        }


@dataclass(frozen=True)
class RegressReport:
    results: list[CaseResult] = field(default_factory=list)

    @property
    def cases(self) -> int:
        return len(self.results)

    @property
    def failed(self) -> int:
        return sum(1 for r in self.results if r.status == "fail")

    @property
    def passed(self) -> int:
        return self.cases - self.failed

    def to_json(self) -> dict[str, Any]:
        return {
            "cases": self.cases,
            "passed": self.passed,
            "failed": self.failed,
            "results": [r.to_json() for r in self.results],
        }

    def summary(self) -> dict[str, Any]:
        """What the audit keeps of it."""
        return {
            "cases": self.cases,
            "passed": self.passed,
            "failed": self.failed,
            "failed_ids": [r.id for r in self.results if r.status == "fail"],
        }


_URL = re.compile(r"https?://\S+")


def _normal(text: str) -> str:
    return " ".join(_URL.sub(" ", text).casefold().split())


def same_text(a: str, b: str) -> bool:
    """The same words, links and spacing aside. Exact on purpose: the usual fix of a wrong
    answer changes one fact («7 дней» to «5 дней»), so a near-copy is often the corrected
    answer; a wrong fact worded anew is what must-not phrases are for."""
    return _normal(a) == _normal(b)


def _reason(code: str, **params: Any) -> str:
    return gettext(FAIL_REASONS[code], **params)


def check_case(db: Session, case: RegressionCase, turn: bot_service.Turn) -> CaseResult:
    """Pass or fail one replayed case, with every reason it fails."""
    reasons: list[str] = []
    if turn.action != "answer" or turn.reply is None:
        if "hallucination" in turn.reasons:
            reasons.append(_reason("ungrounded"))
        elif "llm_down" in turn.reasons:
            reasons.append(_reason("not_checked"))
        return CaseResult(
            case.id,
            case.question,
            "fail" if reasons else "pass",
            reasons,
            None,
            "handoff",
            turn.article_id,
            turn.topic,
        )
    reply = turn.reply
    if case.article_id is not None and turn.article_id == case.article_id:
        try:
            article = kb.get_article(db, case.article_id)
        except NotFound:
            article = None
        if article is not None:
            unchanged = (
                article.version == case.article_version
                if case.article_version is not None
                else article.updated_at <= case.created_at
            )
            if unchanged:
                reasons.append(_reason("same_article", version=article.version))
    if case.bad_answer and same_text(reply, case.bad_answer):
        reasons.append(_reason("same_answer"))
    folded = reply.casefold()
    for phrase in case.must_contain or []:
        if str(phrase).casefold() not in folded:
            reasons.append(_reason("missing_phrase", phrase=phrase))
    for phrase in case.must_not_contain or []:
        if str(phrase).casefold() in folded:
            reasons.append(_reason("forbidden_phrase", phrase=phrase))
    if not turn.meta.get("grounded", False):
        reasons.append(_reason("ungrounded"))
    return CaseResult(
        case.id,
        case.question,
        "fail" if reasons else "pass",
        reasons,
        reply,
        "answer",
        turn.article_id,
        turn.topic,
    )


@functools.cache
def _default_engine() -> BotEngine:
    """The CLI's bot: the same settings, topic model and knowledge base as the server's."""
    return engine_from_settings(get_settings())


def run_cases(
    db: Session, engine: BotEngine | None = None, *, topic: str | None = None
) -> RegressReport:
    """Replays every active case (with `topic`, only those of that topic, by the case or by
    the bot's classification now). Nothing is stored and nothing is published."""
    engine = engine or _default_engine()
    results = []
    for case in sorted(list_cases(db, active_only=True), key=lambda c: c.id):
        try:
            turn = bot_service.replay(db, engine, case.question, case.channel)
        except WowdeskError as exc:
            message = gettext(exc.message, **exc.params)
            results.append(
                CaseResult(case.id, case.question, "fail", [message], None, "handoff", None)
            )
            continue
        if topic is not None and topic not in (case.topic, turn.topic):
            continue
        results.append(check_case(db, case, turn))
    return RegressReport(results)


def do_switch_on(
    db: Session,
    user: User,
    *,
    scope_kind: str,
    scope_value: str,
    reason: str,
    override: bool = False,
    engine: BotEngine | None = None,
) -> tuple[BotSwitchChange, RegressReport]:
    """Back on only when the regression cases that concern the scope pass; otherwise a 409
    carrying the failing cases, unless `override` (which is audited with the report)."""
    scope_kind, scope_value, reason = switch.check_switched_off(
        db, user, scope_kind, scope_value, reason
    )
    report = run_cases(db, engine, topic=scope_value if scope_kind == "topic" else None)
    if report.failed and not override:
        error = Conflict(
            "{failed} of {cases} regression cases still fail: fix the knowledge base or "
            "turn the bot on with an override",
            code="regression_failed",
            failed=report.failed,
            cases=report.cases,
        )
        error.extra = {"regression": report.to_json()}
        raise error
    change = switch.do_switch_on(
        db,
        user,
        scope_kind=scope_kind,
        scope_value=scope_value,
        reason=reason,
        overridden=bool(override and report.failed),
        regression=report.summary(),
    )
    return change, report
