"""Ranking suggested replies: knowledge-base passages, templates that fit the moment,
colleagues' well-rated answers to similar questions, and what layers above offer through
`sources` (the case library's good answers). Pure: the service gathers the inputs.

Why three sources: the knowledge base is the truth about rules and terms, templates carry
how good operators talk (greeting, empathy, «уточните, пожалуйста»), and colleagues'
answers carry what actually worked with customers. Each suggestion says where it came from
and why it is offered, so the operator can judge it at a glance.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from razdel import sentenize

from wowdesk.assist.colleagues import Match
from wowdesk.assist.models import Category
from wowdesk.assist.sources import Found
from wowdesk.assist.variables import render_template, unmask
from wowdesk.bot.triage import risk_flags
from wowdesk.i18n import N_, gettext
from wowdesk.kb.retrieval import Hit
from wowdesk.nlp.text import terms

MAX_SUGGESTIONS = 3
PER_SOURCE = 2  # variety: never three of one kind
MIN_KB_CONFIDENCE = 0.35
MIN_COLLEAGUE_SIMILARITY = 0.45
MAX_KB_CHARS = 400
VAGUE_TERMS = 4  # a question with fewer content words than this is probably vague

MENTIONS_BOT = re.compile(r"ассистент|\bбот|assistant|\bbot", re.I)
THANKS = re.compile(r"\b(спасибо|благодар|thank)", re.I)
MARKUP = re.compile(r"^\s*(?:[-*•]|\d+[.)]|#+)\s+|\*\*|__", re.M)


@dataclass(frozen=True)
class TemplateRow:
    id: int
    title: str
    category: str
    text: str


@dataclass(frozen=True)
class Turn:
    """The moment in the conversation the suggestions are for."""

    text: str  # the customer's latest words (masked): what the moment is
    operator_wrote: bool  # an operator has already written in this conversation
    query: str = ""  # what to look up: the latest words, with earlier ones when too short
    flags: frozenset[str] = frozenset()  # the bot's triage flags so far
    offered_articles: frozenset[int] = frozenset()  # articles the customer already got
    after_bot: bool = False  # the bot talked with the customer before


@dataclass(frozen=True)
class Suggestion:
    source: str  # kb | template | colleague | case
    ref: dict[str, Any]
    title: str
    text: str
    why: str
    score: float
    missing: list[str] = field(default_factory=list)

    def as_dict(self, rank: int) -> dict[str, Any]:
        return {"rank": rank, **asdict(self)}


# (category, score, why) for the moments templates are made for
GREETING = (Category.greeting, 0.55, N_("You have not greeted the customer yet"))
EMPATHY = (Category.empathy, 0.86, N_("The customer is upset: acknowledge it first"))
OBJECTION = (Category.objection, 0.78, N_("The customer objects or threatens to complain"))
SECURITY = (Category.transfer, 0.74, N_("A security case: pass it on with the context"))
CLARIFY = (Category.clarification, 0.6, N_("The question is short: ask for the details"))
CLOSING = (Category.closing, 0.9, N_("The customer thanks you: close the conversation warmly"))


def situations(turn: Turn) -> list[tuple[Category, float, str]]:
    flags = set(turn.flags) | {f.code for f in risk_flags(turn.text)}
    found = []
    thanks = bool(THANKS.search(turn.text)) and "?" not in turn.text and len(turn.text) < 160
    if thanks and turn.operator_wrote:
        found.append(CLOSING)
    if not turn.operator_wrote:
        found.append(GREETING)
    if "negative_emotion" in flags:
        found.append(EMPATHY)
    if "legal_threat" in flags or {"account_action", "negative_emotion"} <= flags:
        found.append(OBJECTION)
    if "fraud_security" in flags:
        found.append(SECURITY)
    if not thanks and len(terms(turn.text)) < VAGUE_TERMS:
        found.append(CLARIFY)
    return found


def kb_reply(hit: Hit, question: str) -> str:
    """The passage's sentences that answer, not the whole article: the best match with the
    question and, when it fits, the sentence after it (rules often come in two)."""
    clean = MARKUP.sub("", hit.text)
    sentences = [s.text.strip() for s in sentenize(" ".join(clean.split())) if s.text.strip()]
    if not sentences:
        return ""
    wanted = set(terms(question))

    def overlap(i: int) -> float:
        return len(wanted & set(terms(sentences[i]))) - i * 0.01

    best = max(range(len(sentences)), key=overlap)
    chosen = [sentences[best]]
    if best + 1 < len(sentences):
        nxt = sentences[best + 1]
        if len(chosen[0]) + len(nxt) + 1 <= MAX_KB_CHARS:
            chosen.append(nxt)
    text = " ".join(chosen)
    return text if len(text) <= MAX_KB_CHARS else text[: MAX_KB_CHARS - 1].rsplit(" ", 1)[0] + "…"


def _template_fit(template: TemplateRow, question: str) -> int:
    return len(set(terms(question)) & set(terms(f"{template.title} {template.text}")))


def choose_template(category: Category, fitting: list[TemplateRow], turn: Turn) -> TemplateRow:
    """The template of the category that fits the moment: a greeting that mentions the bot
    only after the bot, and otherwise the one sharing most words with the question (the
    oldest on a tie: a supervisor's first template of a kind is usually the default)."""
    if category == Category.greeting:
        bot_aware = [t for t in fitting if MENTIONS_BOT.search(t.text)]
        plain = [t for t in fitting if t not in bot_aware]
        fitting = (bot_aware or plain) if turn.after_bot else (plain or fitting)
        return min(fitting, key=lambda t: t.id)
    return max(fitting, key=lambda t: (_template_fit(t, turn.text), -t.id))


def rank(
    turn: Turn,
    hits: list[Hit],
    templates: list[TemplateRow],
    matches: list[Match],
    variables: Mapping[str, str | None],
    found: list[Found] | None = None,
) -> list[Suggestion]:
    candidates: list[Suggestion] = []
    for category, score, why in situations(turn):
        fitting = [t for t in templates if t.category == category]
        if not fitting:
            continue
        best = choose_template(category, fitting, turn)
        rendered = render_template(best.text, variables)
        candidates.append(
            Suggestion(
                source="template",
                ref={"template_id": best.id, "category": best.category},
                title=best.title,
                text=rendered.text,
                missing=rendered.missing,
                why=gettext(why),
                score=score + 0.01 * _template_fit(best, turn.text),
            )
        )
    for hit in hits:
        if hit.confidence < MIN_KB_CONFIDENCE or hit.article_id in turn.offered_articles:
            continue
        text = kb_reply(hit, turn.query or turn.text)
        if text:
            candidates.append(
                Suggestion(
                    source="kb",
                    ref={"article_id": hit.article_id, "start": hit.start, "end": hit.end},
                    title=hit.title,
                    text=text,
                    why=gettext(
                        "The article «{title}» answers this ({percent}% match)",
                        title=hit.title,
                        percent=round(hit.confidence * 100),
                    ),
                    score=hit.confidence,
                )
            )
    for match in matches:
        if match.similarity < MIN_COLLEAGUE_SIMILARITY:
            continue
        rendered = render_template(unmask(match.pair.answer), variables)
        why = gettext(
            "A colleague's answer to a similar question, rated {csat}/5",
            csat=match.pair.csat,
        )
        if match.count > 1:
            why += " · " + gettext("given in {n} well-rated conversations", n=match.count)
        candidates.append(
            Suggestion(
                source="colleague",
                ref={"conversation_id": match.pair.conversation_id},
                title=match.pair.question[:120],
                text=rendered.text,
                missing=rendered.missing,
                why=why,
                score=match.similarity * 0.95 + min(match.count, 20) * 0.002,
            )
        )
    for item in found or []:
        if item.similarity < MIN_COLLEAGUE_SIMILARITY:
            continue
        rendered = render_template(unmask(item.answer), variables)
        candidates.append(
            Suggestion(
                source=item.source,
                ref=item.ref,
                title=item.title,
                text=rendered.text,
                missing=rendered.missing,
                why=item.why,
                # a mentor chose it for the library: a little above a colleague's answer
                score=item.similarity * 0.97,
            )
        )
    return pick(candidates)


def pick(candidates: list[Suggestion]) -> list[Suggestion]:
    """The best few, shown best first: the best of each source gets a place before a
    second of any kind (a greeting is worth more than a weaker second article), at most
    two of a kind, never the same text twice."""
    ranked = sorted(candidates, key=lambda c: c.score, reverse=True)
    chosen: list[Suggestion] = []
    texts: set[str] = set()

    def take(c: Suggestion) -> None:
        key = " ".join(c.text.lower().split())
        if key not in texts and len(chosen) < MAX_SUGGESTIONS:
            texts.add(key)
            chosen.append(c)

    sources: set[str] = set()
    for c in ranked:
        if c.source not in sources:
            sources.add(c.source)
            take(c)
    for c in ranked:
        if c not in chosen and sum(x.source == c.source for x in chosen) < PER_SOURCE:
            take(c)
    return sorted(chosen, key=lambda c: c.score, reverse=True)
