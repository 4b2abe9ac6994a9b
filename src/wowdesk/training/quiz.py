"""Quiz questions and their marking. Pure: the knowledge-base text a short answer is
checked against is passed in.

Kinds: `single` and `multiple` choice (`options`, `answer`: the right indices), `short`
(a free answer checked against a knowledge-base article: `article_slug` and `expected`, a
phrase that must occur in the article, so the bank cannot drift from the knowledge base
without the check noticing)."""

from __future__ import annotations

from typing import Any

from wowdesk.errors import Invalid
from wowdesk.nlp.text import fold
from wowdesk.training.matching import coverage

KINDS = ("single", "multiple", "short")
# a short answer is right when it holds this share of the expected phrase's content words
SHORT_COVERAGE = 0.6
MAX_QUESTIONS = 100


def check_question(q: Any, article_text: str | None) -> dict[str, Any]:
    """Normalises one question of an edited bank or refuses it with what is wrong."""
    if not isinstance(q, dict):
        raise Invalid("A question must be an object", code="invalid_quiz")
    kind = q.get("kind")
    text = str(q.get("text", "")).strip()
    if kind not in KINDS:
        raise Invalid("Unknown question kind {kind}", kind=str(kind), code="invalid_quiz")
    if not text:
        raise Invalid("A question needs its text", code="invalid_quiz")
    if kind == "short":
        expected = str(q.get("expected", "")).strip()
        slug = str(q.get("article_slug", "")).strip()
        if not expected or article_text is None:
            raise Invalid(
                "A short answer needs an article and the expected phrase", code="invalid_quiz"
            )
        if fold(expected) not in fold(article_text):
            raise Invalid(
                "The article does not say «{expected}»", expected=expected, code="invalid_quiz"
            )
        return {"kind": kind, "text": text, "article_slug": slug, "expected": expected}
    options = [str(o).strip() for o in q.get("options", []) if str(o).strip()]
    answer = sorted({int(i) for i in q.get("answer", []) if str(i).lstrip("-").isdigit()})
    if len(options) < 2 or not answer or any(not 0 <= i < len(options) for i in answer):
        raise Invalid("A choice needs two options and a right answer among them")
    if kind == "single" and len(answer) != 1:
        raise Invalid("A single choice has exactly one right answer", code="invalid_quiz")
    return {"kind": kind, "text": text, "options": options, "answer": answer}


def mark(q: dict[str, Any], given: Any) -> bool:
    """Whether `given` (option indices for a choice, text for a short answer) is right."""
    if q["kind"] == "short":
        return isinstance(given, str) and coverage(given, q["expected"]) >= SHORT_COVERAGE
    chosen = given if isinstance(given, list) else [given]
    try:
        picked = sorted({int(x) for x in chosen if str(x).strip() != ""})
    except (TypeError, ValueError):
        return False
    return picked == list(q["answer"])


def percent(questions: list[dict[str, Any]], answers: list[Any]) -> tuple[float, list[bool]]:
    marks = [mark(q, answers[i] if i < len(answers) else None) for i, q in enumerate(questions)]
    if not marks:
        return 100.0, marks
    return round(100.0 * sum(marks) / len(marks), 1), marks


def level_for(levels: list[dict[str, Any]], score: float) -> dict[str, Any] | None:
    """The highest level whose threshold the score reaches."""
    reached = [lv for lv in levels if score >= float(lv.get("min", 0))]
    return max(reached, key=lambda lv: float(lv.get("min", 0))) if reached else None
