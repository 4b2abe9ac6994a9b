"""The grounding check: a generated answer is sent only if the knowledge base supports it.

The bot must never send an invented fact. A language model paraphrases well and invents
numbers, deadlines and phone numbers just as fluently, so two tests are applied: every
sentence must be lexically supported by one passage (most of its content stems are in
it), and every fact in the answer (number, amount, percentage, date, phone, link, name)
must occur in the passages. Either failing is a caught hallucination.
"""

from __future__ import annotations

from dataclasses import dataclass

from razdel import sentenize

from wowdesk.nlp.facts import Fact, extract_facts, numeric_value
from wowdesk.nlp.text import fold, terms

SUPPORT = 0.6
SHORT = 2  # sentences with at most this many content words ("Здравствуйте!") need no source


@dataclass(frozen=True)
class Grounding:
    ok: bool
    reasons: list[str]
    unsupported_sentences: list[str]
    unsupported_facts: list[str]


def _supported(fact: Fact, facts: list[Fact], folded_sources: str) -> bool:
    number = numeric_value(fact)
    if number is not None:
        # "3 %" is not supported by "3 дня": percentages and amounts need their own kind,
        # while a bare number may be any number the sources state
        kinds = (
            {fact.kind} if fact.kind in ("percent", "amount") else {"number", "percent", "amount"}
        )
        return any(f.kind in kinds and numeric_value(f) == number for f in facts)
    if any(f.kind == fact.kind and f.value == fact.value for f in facts):
        return True
    if fact.kind in ("person", "location", "organisation"):
        # names inflect: compare stems of the name's words against the sources' stems
        return all(t in folded_sources for t in terms(fact.text, keep_stop_words=True))
    if fact.kind == "date" and fact.value.startswith("*-"):
        return any(f.kind == "date" and f.value.endswith(fact.value[1:]) for f in facts)
    return fold(fact.text) in folded_sources


def check(answer: str, passages: list[str]) -> Grounding:
    source_text = "\n".join(passages)
    source_facts = extract_facts(source_text)
    source_stems = [set(terms(p)) for p in passages]
    folded_sources = fold(source_text) + " " + " ".join(" ".join(s) for s in source_stems)
    reasons: list[str] = []
    bad_sentences: list[str] = []
    for sentence in (s.text.strip() for s in sentenize(answer)):
        words = terms(sentence)
        if len(words) <= SHORT:
            continue
        best = max((len(set(words) & stems) / len(set(words)) for stems in source_stems), default=0)
        if best < SUPPORT:
            bad_sentences.append(sentence)
            reasons.append(f"unsupported sentence: {sentence}")
    bad_facts = [
        f for f in extract_facts(answer) if not _supported(f, source_facts, folded_sources)
    ]
    reasons += [f"unsupported {f.kind}: {f.text}" for f in bad_facts]
    if not answer.strip():
        reasons.append("empty answer")
    return Grounding(not reasons, reasons, bad_sentences, [f.text for f in bad_facts])
