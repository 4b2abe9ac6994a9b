"""The handoff card: the request in 1–3 sentences, the facts given, what the bot said.

Extractive on purpose: every sentence of the summary is the customer's own, so the card
never puts words in their mouth.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from razdel import sentenize

from wowdesk.nlp.facts import extract_facts
from wowdesk.nlp.pii import Span, find_pii

GREETING = re.compile(
    r"^(здравствуйте|добрый\s+(день|вечер|утро)|привет|доброго\s+времени\s+суток|hello|hi)[\s!.,]*$",
    re.I,
)
# a number must hold digits: «заказ хранится» has no order number in it
ORDER = re.compile(
    r"\b(заказ\w*|order)\s*(№|#|номер|no\.?|number)?\s*((?=[A-ZА-Я-]*\d)[A-ZА-Я0-9-]{4,})\b",
    re.I,
)
# a waybill, track or item number written in groups («12-34-56», «4521-7788») is one fact;
# a range («3-5 дней», «10-15») has too few digits to be one
IDENTIFIER = re.compile(r"(?<![\w-])\d+(?:-\d+)+(?![\w-])")
IDENTIFIER_DIGITS = 5
AD = re.compile(r"\b(объявлени\w*|объяв\w*|ad)\s*(№|#|номер)?\s*(\d{4,})\b", re.I)
MAX_SENTENCES = 3


@dataclass(frozen=True)
class Card:
    summary: str
    facts: list[dict[str, str]]
    bot_answers: list[str]


def _sentences(texts: list[str]) -> list[str]:
    out = []
    for text in texts:
        for sent in sentenize(text):
            clean = sent.text.strip()
            if clean and not GREETING.match(clean):
                out.append(clean)
    return out


def summarize(texts: list[str]) -> str:
    """Questions and sentences with facts first, in the customer's own order."""
    sentences = _sentences(texts)
    if not sentences:
        return ""

    def score(i: int, s: str) -> float:
        value = 2.0 if "?" in s else 0.0
        value += len(extract_facts(s)) + (1.0 if ORDER.search(s) or AD.search(s) else 0.0)
        value += min(len(s), 200) / 200
        return value - i * 0.01

    ranked = sorted(range(len(sentences)), key=lambda i: score(i, sentences[i]), reverse=True)
    chosen = sorted(ranked[:MAX_SENTENCES])
    return " ".join(sentences[i] for i in chosen)


def collect_facts(
    texts: list[str], personal_of: list[list[Span]] | None = None
) -> list[dict[str, str]]:
    """`personal_of`: each text's `find_pii` spans when the caller has them already."""
    seen: set[tuple[str, str]] = set()
    facts: list[dict[str, str]] = []

    def add(kind: str, value: str) -> None:
        if (kind, value) not in seen:
            seen.add((kind, value))
            facts.append({"kind": kind, "value": value})

    for i, text in enumerate(texts):
        personal = personal_of[i] if personal_of is not None else find_pii(text)
        wholes: list[tuple[int, int]] = []  # shown whole: a number inside is no fact of its own
        for pattern, kind in ((ORDER, "order"), (AD, "ad")):
            for m in pattern.finditer(text):
                if not _piece_of(m.start(3), m.end(3), personal):
                    add(kind, m.group(3))
                    wholes.append((m.start(3), m.end(3)))
        found = extract_facts(text)
        other = [(f.start, f.end) for f in found if f.kind != "number"] + [
            (p.start, p.end) for p in personal
        ]
        for m in IDENTIFIER.finditer(text):
            span = (m.start(), m.end())
            if sum(c.isdigit() for c in m.group(0)) >= IDENTIFIER_DIGITS and not any(
                _overlap(span, taken) for taken in other + wholes
            ):
                add("number", m.group(0))
                wholes.append(span)
        for fact in found:
            if fact.kind == "number" and (
                any(value == fact.text for _k, value in seen)  # shown as an order or ad
                or any(a <= fact.start and fact.end <= b for a, b in wholes)
                or _piece_of(fact.start, fact.end, personal)
            ):
                continue
            add(fact.kind, fact.text)
    return facts


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _piece_of(start: int, end: int, personal: list[Span]) -> bool:
    """A number inside a card, SNILS or SSN («460» of «460-89-9847») is no fact of its own,
    and masking it alone, as the supervisor's card does, would show the whole in pieces."""
    return any(
        s.start <= start and end <= s.end and (s.start, s.end) != (start, end) for s in personal
    )


def build_card(
    customer_texts: list[str], bot_texts: list[str], personal_of: list[list[Span]] | None = None
) -> Card:
    return Card(
        summary=summarize(customer_texts),
        facts=collect_facts(customer_texts, personal_of),
        bot_answers=bot_texts[-3:],
    )
