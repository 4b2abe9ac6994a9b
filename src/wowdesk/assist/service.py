"""Operator assist: templates (supervisors keep them), suggested replies for the customer
message in focus (computed off the request path and pushed to the console), the
operator's choice (the signal for improving suggestions), and the summary a colleague
receives with a transferred conversation."""

from __future__ import annotations

import difflib
import re
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from wowdesk import events
from wowdesk.assist import sources, suggest
from wowdesk.assist import transfer_card as handoff
from wowdesk.assist.indexes import Assistant
from wowdesk.assist.models import Category, Outcome, SuggestionLog, Template
from wowdesk.assist.schemas import SuggestionsReady, TemplateChanged
from wowdesk.assist.variables import VARIABLES, Deferred, Rendered, placeholders, render_template
from wowdesk.bot import service as bot
from wowdesk.conversations import service as conversations
from wowdesk.conversations import topics
from wowdesk.conversations.models import AuthorKind, Conversation, Status
from wowdesk.customers import loyalty as customer_loyalty
from wowdesk.customers import service as customers
from wowdesk.db import insert_missing, utcnow
from wowdesk.errors import Forbidden, Invalid, NotFound
from wowdesk.i18n import N_, gettext
from wowdesk.kb import service as kb
from wowdesk.kb import verdicts
from wowdesk.nlp.gender import gender_of
from wowdesk.nlp.introduced import INTRODUCTION_MESSAGES, introduced_name
from wowdesk.nlp.text import stem, words
from wowdesk.operators import presence
from wowdesk.operators import service as operators
from wowdesk.operators.models import User
from wowdesk.routing import service as routing

CATEGORY_LABELS = {
    Category.greeting: N_("Greeting"),
    Category.clarification: N_("Clarification"),
    Category.empathy: N_("Empathy"),
    Category.transfer: N_("Transfer to colleagues"),
    Category.closing: N_("Closing"),
    Category.objection: N_("Objections"),
    Category.other: N_("Other"),
}
LANGUAGES = ("ru", "en")
MAX_TEMPLATE_CHARS = 4000
# a reply this close to the suggestion (difflib ratio) was the suggestion, edited;
# further away, the operator wrote their own
EDITED_MIN_SIMILARITY = 0.5
WINDOW = 60  # the latest messages a suggestion looks at
# A suggestion answers what the customer says now: of a long run of unanswered messages
# only the latest few are its question; the operator reads the rest. Encoding the whole run
# made a suggestion's cost grow with it (the encoder reads 4 500 characters in 54 ms, 450 in
# 6 ms; measured on this machine).
TURN_MESSAGES = 5
NAME = re.compile(r"^[A-Za-zА-Яа-яЁё][A-Za-zА-Яа-яЁё'-]*$")
HELP_LINK = re.compile(r"/help/(\d{1,9})\b")  # an article's public page, as replies link it


# a template's new text: training teaches it (micro-lessons)
TEMPLATES_CHANNEL = "templates"


# --- templates --------------------------------------------------------------------------


def category_label(category: str) -> str:
    return gettext(CATEGORY_LABELS.get(Category(category), category))


def check_template(title: str, category: str, text: str, language: str) -> tuple[str, str]:
    title, text = title.strip(), text.strip()
    if not title or len(title) > 200:
        raise Invalid("A template needs a title of 1-200 characters", code="invalid_title")
    if category not in set(Category):
        raise Invalid("Unknown template category {category}", category=category)
    if not text or len(text) > MAX_TEMPLATE_CHARS:
        raise Invalid(
            "A template needs a text of 1-{limit} characters",
            code="invalid_text",
            limit=MAX_TEMPLATE_CHARS,
        )
    if language not in LANGUAGES:
        raise Invalid("Unknown language {language}", language=language)
    unknown = [name for name in placeholders(text) if name not in VARIABLES]
    if unknown:
        raise Invalid(
            "Unknown variable {{{name}}}; the known ones: {known}",
            code="unknown_variable",
            name=unknown[0],
            known=", ".join(f"{{{v}}}" for v in VARIABLES),
        )
    return title, text


def list_templates(
    db: Session, *, category: str | None = None, active_only: bool = False
) -> list[Template]:
    stmt = select(Template).order_by(Template.category, Template.title, Template.id)
    if category:
        stmt = stmt.where(Template.category == category)
    if active_only:
        stmt = stmt.where(Template.active.is_(True))
    return list(db.scalars(stmt))


def get_template(db: Session, template_id: int) -> Template:
    template = db.get(Template, template_id)
    if template is None:
        raise NotFound("Template not found")
    return template


def do_create_template(
    db: Session,
    user: User | None,
    *,
    title: str,
    category: str,
    text: str,
    language: str = "ru",
    active: bool = True,
) -> Template:
    title, text = check_template(title, category, text, language)
    now = utcnow()
    template = Template(
        title=title,
        category=category,
        text=text,
        language=language,
        active=active,
        updated_by=user.id if user else None,
        created_at=now,
        updated_at=now,
    )
    db.add(template)
    db.flush()
    return template


def do_update_template(
    db: Session,
    template: Template,
    user: User,
    *,
    title: str,
    category: str,
    text: str,
    language: str,
    active: bool,
) -> Template:
    previous = template.text
    template.title, template.text = check_template(title, category, text, language)
    if active and template.text.strip() != previous.strip():
        events.publish_on_commit(
            db, [TEMPLATES_CHANNEL], TemplateChanged(id=template.id, previous=previous)
        )
    template.category = category
    template.language = language
    template.active = active
    template.updated_by = user.id
    template.updated_at = utcnow()
    db.flush()
    return template


def do_delete_template(db: Session, template: Template) -> None:
    db.delete(template)
    db.flush()


def do_load_templates(db: Session, items: list[tuple[str, str, str]]) -> int:
    """(category, title, text) rows, skipping titles that exist: a re-run adds nothing."""
    known = {t.title for t in list_templates(db)}
    added = 0
    for category, title, text in items:
        if title not in known:
            do_create_template(db, None, title=title, category=category, text=text)
            known.add(title)
            added += 1
    return added


def _close(word: str, hay: list[str], stems: set[str]) -> bool:
    """Russian endings change the word's end: «повторяя» finds «повторять» (its stem starts
    the word), «уточнение» finds «уточните» (that word's stem starts the query word)."""
    root = stem(word)
    return any(h.startswith(root) for h in hay) or any(
        len(s) >= 4 and word.startswith(s) for s in stems
    )


def search_templates(db: Session, query: str, limit: int = 8) -> list[Template]:
    """What `/` in the reply box finds: every word of the query must start a word of the
    template (title, text or category), or match it up to its ending, so «/уточн»,
    «/извинения» and «/приветствие» all find theirs; title matches first."""
    rows = list_templates(db, active_only=True)
    wanted = words(query)
    if not wanted:
        return rows[:limit]
    scored: list[tuple[int, Template]] = []
    for t in rows:
        title = words(t.title)
        body = words(f"{t.text} {category_label(t.category)} {t.category}")
        title_stems = {stem(w) for w in title}
        body_stems = {stem(w) for w in body}
        score = 0
        for w in wanted:
            if any(h.startswith(w) for h in title):
                score += 3
            elif _close(w, title, title_stems):
                score += 2
            elif any(h.startswith(w) for h in body) or _close(w, body, body_stems):
                score += 1
            else:
                score = 0
                break
        if score:
            scored.append((score, t))
    scored.sort(key=lambda st: -st[0])
    return [t for _s, t in scored[:limit]]


# --- variables ---------------------------------------------------------------------------


def loyalty_variables(state: customer_loyalty.Loyalty | None) -> dict[str, str | None]:
    if state is None:
        return {}
    rubles = customer_loyalty.rubles
    return {
        "loyalty.total": rubles(state.total_rub),
        "loyalty.threshold": rubles(state.threshold_rub),
        "loyalty.percent": customer_loyalty.percent_text(state.percent),
        # once reached nothing is «left»: a template saying so must not go out as «0 ₽»
        "loyalty.remaining": None
        if state.reached
        else customer_loyalty.rubles(state.remaining_rub),
    }


def _loyalty(db: Session, customer_id: int) -> dict[str, str | None]:
    """`{loyalty.*}` from the customers domain's loyalty programme."""
    return loyalty_variables(customer_loyalty.loyalty_of(db, customer_id))


def first_name(full: str) -> str | None:
    """The first word when it looks like a name: «Клиент 1042» or «tg:12345» is not one."""
    parts = full.split()
    if not parts or any(ch.isdigit() for ch in full) or not NAME.match(parts[0]):
        return None
    return parts[0]


def template_context(db: Session, conversation_id: int, operator: User) -> dict[str, str | None]:
    """Every variable a template may use, for this conversation and operator; None where
    this conversation has no value (the placeholder then stays visible). A customer with
    no name on record is called what they called themselves in this conversation."""
    conv = conversations.get_conversation(db, conversation_id)
    customer_name = customers.customer_names(db, {conv.customer_id}).get(conv.customer_id, "")
    customer_name = customer_name.strip()
    if not first_name(customer_name):
        said = conversations.list_messages(db, conv, 0, INTRODUCTION_MESSAGES)
        customer_name = (
            introduced_name([m.text for m in said if m.author_kind == AuthorKind.customer])
            or customer_name
        )
    topic = topics.get_topic(db, conv.topic_id).name if conv.topic_id else ""
    if not topic:
        topic = bot.routing_hints(db, {conv.id}).get(conv.id, ("", []))[0]
    values: dict[str, str | None] = {
        "customer.name": customer_name if first_name(customer_name) else None,
        "customer.first_name": first_name(customer_name),
        "operator.name": operator.display_name.strip() or None,
        "operator.first_name": first_name(operator.display_name),
        "conversation.id": str(conv.id),
        "conversation.topic": topic or None,
    }
    values.update(_loyalty(db, conv.customer_id))
    return values


def render_for(db: Session, template: Template, conversation_id: int, operator: User) -> Rendered:
    return render_template(template.text, template_context(db, conversation_id, operator))


# --- suggestions ------------------------------------------------------------------------


def current_turn(db: Session, conv: Conversation) -> tuple[int, suggest.Turn] | None:
    """The customer's latest unanswered message and what to look up for it; None when an
    operator has answered it already."""
    recent = conversations.list_messages(db, conv, max(0, conv.last_seq - WINDOW), WINDOW + 1)
    spoken = [m for m in recent if m.author_kind != AuthorKind.system]
    if not spoken or spoken[-1].author_kind != AuthorKind.customer:
        return None
    message_id = spoken[-1].id
    turn: list[str] = []
    for m in reversed(spoken):
        if m.author_kind != AuthorKind.customer or len(turn) == TURN_MESSAGES:
            break
        turn.insert(0, m.masked_text)
    # «не помогло» says little: earlier questions of the customer say what it is about
    query = list(turn)
    earlier = [m.masked_text for m in spoken[: -len(turn)] if m.author_kind == AuthorKind.customer]
    while earlier and len(words(" ".join(query))) < suggest.VAGUE_TERMS * 2 and len(query) < 3:
        query.insert(0, earlier.pop())
    offered = {
        int(m.meta["article_id"])
        for m in recent
        if m.author_kind == AuthorKind.bot and isinstance(m.meta.get("article_id"), int)
    }
    flags = bot.routing_hints(db, {conv.id}).get(conv.id, ("", []))[1]
    return message_id, suggest.Turn(
        text=" ".join(turn),
        query=" ".join(query),
        operator_wrote=conv.first_human_reply_at is not None,
        flags=frozenset(flags),
        offered_articles=frozenset(offered),
        after_bot=conv.first_bot_reply_at is not None or conv.handed_off_at is not None,
    )


def compute(
    db: Session, assistant: Assistant, conv: Conversation, turn: suggest.Turn, operator: User
) -> list[suggest.Suggestion]:
    assistant.ensure_loaded(db)
    templates = [
        suggest.TemplateRow(t.id, t.title, t.category, t.text)
        for t in list_templates(db, active_only=True)
    ]
    hits = assistant.search_kb(db, turn.query, k=3)
    matches = assistant.colleagues.search(turn.query, k=3)
    found = sources.gather(db, turn.query or turn.text)
    variables = Deferred(lambda: template_context(db, conv.id, operator))
    return suggest.rank(turn, hits, templates, matches, variables, found)


def _log_for(db: Session, conversation_id: int, message_id: int) -> SuggestionLog | None:
    return db.scalar(
        select(SuggestionLog).where(
            SuggestionLog.conversation_id == conversation_id,
            SuggestionLog.message_id == message_id,
        )
    )


def _publish(db: Session, conv: Conversation, log: SuggestionLog) -> None:
    if conv.operator_id is None or conv.status != Status.assigned:
        return
    events.publish_on_commit(
        db,
        [events.operator_channel(conv.operator_id)],
        SuggestionsReady(
            id=conv.id,
            conversation_id=conv.id,
            message_id=log.message_id,
            log_id=log.id,
            suggestions=log.suggestions,
        ),
    )


def do_suggest(
    db: Session,
    assistant: Assistant,
    conversation_id: int,
    message_id: int | None = None,
    *,
    viewer: User | None = None,
    publish: bool = True,
) -> SuggestionLog | None:
    """Suggestions for the customer's latest message, computed once per message (a second
    call returns the stored ones) and pushed to the operator holding the conversation.
    With `message_id`, nothing is done when a newer message or a reply came meanwhile.
    Pushed (no `viewer`) only for the conversation the holder's console shows: the others'
    are computed when opened, and most would be stale by then (measured: suggesting for
    every customer message was 37 % of the chat server's CPU)."""
    conv = conversations.get_conversation(db, conversation_id)
    if viewer is None and (
        conv.operator_id is None or not presence.watches(db, conv.operator_id, conv.id)
    ):
        return None
    found = current_turn(db, conv)
    if found is None:
        return None
    latest, turn = found
    if message_id is not None and message_id != latest:
        return None
    log = _log_for(db, conv.id, latest)
    if conv.operator_id is None:
        # nobody holds it (a colleague looks at the queue): shown, never stored, since the
        # operator who takes it gets suggestions in their own name
        if viewer is None:
            return None
        shown = compute(db, assistant, conv, turn, viewer)
        return log or SuggestionLog(
            conversation_id=conv.id,
            message_id=latest,
            suggestions=[s.as_dict(rank) for rank, s in enumerate(shown)],
            query=turn.query,
        )
    holder = operators.get_user(db, conv.operator_id)
    if log is None:
        shown = compute(db, assistant, conv, turn, holder)
        row = {
            "conversation_id": conv.id,
            "message_id": latest,
            "operator_id": holder.id,
            "suggestions": [s.as_dict(rank) for rank, s in enumerate(shown)],
            "query": turn.query,
            "created_at": utcnow(),
        }
        # the job and a console asking at once: one of them stores, both read the same
        insert_missing(
            db, cast(Table, SuggestionLog.__table__), [row], ["conversation_id", "message_id"]
        )
        log = _log_for(db, conv.id, latest)
        assert log is not None
    elif log.outcome is None and log.operator_id != holder.id:
        # passed to a colleague before anyone answered: the suggestions speak in their name
        shown = compute(db, assistant, conv, turn, holder)
        log.suggestions = [s.as_dict(rank) for rank, s in enumerate(shown)]
        log.query = turn.query
        log.operator_id = holder.id
        db.flush()
    elif log.outcome is None:
        _refill_templates(db, conv, log, holder)
    if publish:
        _publish(db, conv, log)
    return log


def _refill_templates(db: Session, conv: Conversation, log: SuggestionLog, holder: User) -> None:
    """A template suggested with a blank is filled again when asked for: the operator may
    have named the customer since, and the card kept showing «{customer.first_name}»."""
    refilled = []
    for s in log.suggestions:
        template = db.get(Template, s["ref"]["template_id"]) if s["source"] == "template" else None
        if template is not None and s.get("missing"):
            rendered = render_for(db, template, conv.id, holder)
            s = {**s, "text": rendered.text, "missing": rendered.missing}
        refilled.append(s)
    if refilled != log.suggestions:
        log.suggestions = refilled
        db.flush()


def access_suggestions(
    db: Session, assistant: Assistant, user: User, conversation_id: int
) -> SuggestionLog | None:
    """For the console: whoever may read the conversation may see its suggestions."""
    conv = conversations.access_conversation(db, user, conversation_id)
    return do_suggest(db, assistant, conv.id, viewer=user, publish=False)


def outcome_of(chosen: str | None, sent: str) -> tuple[Outcome, float | None]:
    """used: sent as suggested; edited: changed but still recognisably it; ignored: none
    was inserted, or the operator replaced it with their own words."""
    if chosen is None:
        return Outcome.ignored, None
    a, b = " ".join(chosen.split()), " ".join(sent.split())
    if a == b:
        return Outcome.used, 1.0
    ratio = round(difflib.SequenceMatcher(None, a, b, autojunk=False).ratio(), 4)
    return (Outcome.edited if ratio >= EDITED_MIN_SIMILARITY else Outcome.ignored), ratio


def do_record_choice(
    db: Session,
    user: User,
    conversation_id: int,
    *,
    message_id: int,
    log_id: int | None = None,
    rank: int | None = None,
    template_id: int | None = None,
) -> SuggestionLog:
    """What the operator did with the suggestions, judged from the reply as stored (not as
    the browser says it was); the first reply after a customer message decides."""
    if rank is not None and template_id is not None:
        raise Invalid("Report either a suggestion or a template, not both", code="two_choices")
    conv = conversations.access_conversation(db, user, conversation_id)
    reply = conversations.get_message(db, message_id)
    if reply.conversation_id != conv.id or reply.author_kind != AuthorKind.operator:
        raise Invalid("That message is not a reply in this conversation", code="not_a_reply")
    if reply.author_id != user.id:
        raise Forbidden("Only the author of a reply reports what they chose", code="not_yours")
    if log_id is not None:
        log = db.get(SuggestionLog, log_id)
        if log is None or log.conversation_id != conv.id:
            raise NotFound("Suggestions not found")
    else:
        earlier = conversations.list_messages(db, conv, max(0, reply.seq - WINDOW), WINDOW)
        asked = [m for m in earlier if m.seq < reply.seq and m.author_kind == AuthorKind.customer]
        if not asked:
            raise Invalid("There is no customer message before this reply", code="no_question")
        row = {
            "conversation_id": conv.id,
            "message_id": asked[-1].id,
            "operator_id": user.id,
            "suggestions": [],
            "query": asked[-1].masked_text,
            "created_at": utcnow(),
        }
        insert_missing(
            db, cast(Table, SuggestionLog.__table__), [row], ["conversation_id", "message_id"]
        )
        log = _log_for(db, conv.id, asked[-1].id)
        assert log is not None
    if log.outcome is not None:
        return log
    chosen: dict[str, Any] | None = None
    if rank is not None:
        shown = {int(s["rank"]): s for s in log.suggestions}
        if rank not in shown:
            raise Invalid(
                "There is no suggestion number {rank}", code="unknown_suggestion", rank=rank
            )
        s = shown[rank]
        chosen = {k: s[k] for k in ("rank", "source", "ref", "title", "text")}
    elif template_id is not None:
        template = get_template(db, template_id)
        rendered = render_for(db, template, conv.id, user)
        chosen = {
            "source": "template",
            "ref": {"template_id": template.id, "category": template.category},
            "title": template.title,
            "text": rendered.text,
        }
    if chosen is None and not log.suggestions:
        return log  # nothing was offered and nothing taken: no signal either way
    outcome, similarity = outcome_of(chosen["text"] if chosen else None, reply.text)
    log.chosen = chosen
    log.outcome = outcome
    log.similarity = similarity
    log.operator_id = user.id
    log.sent_message_id = reply.id
    log.sent_text = reply.masked_text
    log.decided_at = utcnow()
    db.flush()
    article_id = answered_from(chosen, outcome, reply.text)
    if article_id is not None:
        # the article answered the customer's words: a verdict for the search to learn
        # from, as a supervisor's in /kb is
        verdicts.do_note_use(db, user, log.query or "", article_id)
    return log


def answered_from(chosen: dict[str, Any] | None, outcome: Outcome, sent: str) -> int | None:
    """The article a reply answered from: a knowledge-base suggestion sent (as it was or
    edited), else the one article the reply links to (`/help/{id}`: what the console's own
    knowledge-base search inserts, where the suggestions missed it)."""
    if chosen is not None and chosen["source"] == "kb" and outcome != Outcome.ignored:
        return int(chosen["ref"]["article_id"])
    linked = {int(n) for n in HELP_LINK.findall(sent)}
    return linked.pop() if len(linked) == 1 else None


def outcome_counts(db: Session, days: int = 30) -> dict[str, dict[str, int]]:
    """Per source (kb, template, colleague, none): how often suggestions were used, edited,
    ignored: what supervisors look at to improve templates and articles."""
    since = utcnow() - timedelta(days=days)
    counts: dict[str, dict[str, int]] = {}
    rows = db.execute(
        select(SuggestionLog.chosen, SuggestionLog.outcome).where(
            SuggestionLog.decided_at >= since, SuggestionLog.outcome.is_not(None)
        )
    )
    for chosen, outcome in rows:
        source = str(chosen.get("source", "")) if isinstance(chosen, dict) else ""
        bucket = counts.setdefault(source or "none", dict.fromkeys(Outcome, 0))
        bucket[outcome] = bucket.get(outcome, 0) + 1
    return counts


def count_logs(db: Session) -> int:
    return int(db.scalar(select(func.count(SuggestionLog.id))) or 0)


# --- handoff between colleagues -----------------------------------------------------------


def do_transfer_summary(
    db: Session, conv: Conversation, by: User, *, target: str, note: str
) -> None:
    """A card for whoever receives the conversation: the request, the facts, what was
    tried (answers of the bot and of operators, articles offered) and the note."""
    recent = conversations.list_messages(db, conv, max(0, conv.last_seq - 200), 200)
    names = operators.user_names(db, {m.author_id for m in recent if m.author_id})
    lines = []
    articles: list[int] = []
    for m in recent:
        if m.author_kind == AuthorKind.customer:
            lines.append(handoff.Line("customer", "", m.masked_text))
        elif m.author_kind == AuthorKind.operator:
            name = names.get(m.author_id, "") if m.author_id else ""
            lines.append(handoff.Line("operator", name or gettext("Operator"), m.masked_text))
        elif m.author_kind == AuthorKind.bot and m.meta.get("kind") == "answer":
            lines.append(handoff.Line("bot", gettext("Bot"), m.masked_text))
            if isinstance(m.meta.get("article_id"), int):
                articles.append(int(m.meta["article_id"]))
    for log in db.scalars(
        select(SuggestionLog).where(
            SuggestionLog.conversation_id == conv.id,
            SuggestionLog.outcome.in_((Outcome.used, Outcome.edited)),
        )
    ):
        ref = (log.chosen or {}).get("ref") or {}
        if (log.chosen or {}).get("source") == "kb" and isinstance(ref.get("article_id"), int):
            articles.append(int(ref["article_id"]))
    titles = []
    for article_id in dict.fromkeys(articles):
        try:
            titles.append(kb.get_article(db, article_id).title)
        except NotFound:
            continue
    summary = handoff.build_summary(lines, titles)
    reasons = [
        gettext("Passed on by {name} to {target} [f]", name=by.display_name, target=target)
        if gender_of(by.display_name, by.gender) == "f"
        else gettext("Passed on by {name} to {target}", name=by.display_name, target=target)
    ]
    if note.strip():
        reasons.append(gettext("Note: {note}", note=note.strip()))
    bot.do_add_card(
        db,
        conv.id,
        summary=summary.request,
        facts=summary.facts,
        answers=summary.tried,
        reasons=reasons,
    )


# --- transfers with their card ------------------------------------------------------------
# Routing moves the conversation; the copilot writes the card in the same transaction, so
# the colleague who receives it never sees it without its context.


def do_transfer_to_operator(
    db: Session, conv: Conversation, by: User, to_user_id: int, note: str = ""
) -> Conversation:
    routing.do_transfer_to_operator(db, conv, by, to_user_id, note)
    target = operators.get_user(db, to_user_id)
    do_transfer_summary(db, conv, by, target=target.display_name, note=note)
    db.flush()
    return conv


def do_transfer_to_queue(
    db: Session, conv: Conversation, by: User, queue: str, note: str = ""
) -> Conversation:
    routing.do_transfer_to_queue(db, conv, by, queue, note)
    queue = queue.strip()
    where = gettext("the queue «{queue}»", queue=queue) if queue else gettext("the general queue")
    do_transfer_summary(db, conv, by, target=where, note=note)
    db.flush()
    return conv


def do_escalate(db: Session, conv: Conversation, by: User, note: str) -> Conversation:
    routing.do_escalate(db, conv, by, note)
    do_transfer_summary(db, conv, by, target=gettext("a supervisor"), note=note)
    db.flush()
    return conv
