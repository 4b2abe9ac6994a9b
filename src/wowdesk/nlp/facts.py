"""Facts in a text: numbers, amounts, percentages, dates, phones, links, names.

Two readers need them: the grounding check (every fact of a generated answer must be in the
sources) and the handoff card (the facts the customer already gave). Values are normalised
("2,5 %" and "2.5%" are the same fact), so comparing them does not depend on spelling.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

from wowdesk.nlp import ner
from wowdesk.nlp.text import fold

MONTHS = {
    "январ": 1, "феврал": 2, "март": 3, "апрел": 4, "ма": 5, "июн": 6, "июл": 7,
    "август": 8, "сентябр": 9, "октябр": 10, "ноябр": 11, "декабр": 12,
}  # fmt: skip
_SPACE = "[ \u00a0\u202f\u2009]"
_NUMBER = rf"\d{{1,3}}(?:{_SPACE}\d{{3}})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"')\]]+", re.I)
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
DATE_NUMERIC = re.compile(r"\b(\d{1,2})[./](\d{1,2})[./](\d{2,4})\b|\b(\d{4})-(\d{2})-(\d{2})\b")
DATE_WORDS = re.compile(
    r"\b(\d{1,2})\s+(январ|феврал|март|апрел|ма|июн|июл|август|сентябр|октябр|ноябр|декабр)"
    r"[а-я]*\b(?:\s+(\d{4}))?",
    re.I,
)
PERCENT = re.compile(rf"(?<![\w.,])({_NUMBER}){_SPACE}?(%|процент\w*)", re.I)
AMOUNT = re.compile(
    rf"(?<![\w.,])({_NUMBER}){_SPACE}?(₽|руб\w*\.?|р\.|rub|\$|usd|€|eur|долл\w*|евро)"
    rf"|([$€])\s?({_NUMBER})",
    re.I,
)
NUMBER = re.compile(rf"(?<![\w.,])({_NUMBER})(?![\w]|[.,]\d)")
CURRENCY = {"₽": "rub", "р.": "rub", "rub": "rub", "$": "usd", "usd": "usd", "€": "eur"}


@dataclass(frozen=True)
class Fact:
    kind: str
    value: str
    text: str
    start: int
    end: int


def number_value(text: str) -> str:
    """'100 000' → '100000', '2,5' → '2.5', '7.0' → '7'."""
    clean = re.sub(_SPACE, "", text).replace(",", ".")
    if "." in clean:
        clean = clean.rstrip("0").rstrip(".")
    return clean.lstrip("0") or "0"


def _currency(unit: str) -> str:
    unit = unit.lower()
    if unit.startswith(("руб", "р.")) or unit in ("₽", "rub"):
        return "rub"
    if unit.startswith(("долл", "$", "usd")):
        return "usd"
    return "eur"


def _entities(text: str) -> list[Fact]:
    kinds = {"PER": "person", "LOC": "location", "ORG": "organisation"}
    return [
        Fact(kinds.get(e.type, "entity"), fold(e.normal), e.text, e.start, e.stop)
        for e in ner.entities(text)
    ]


def _phones(text: str) -> list[Fact]:
    facts = []
    for match in phonenumbers.PhoneNumberMatcher(text, "RU"):
        value = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        facts.append(Fact("phone", value, match.raw_string, match.start, match.end))
    return facts


def extract_facts(text: str, entities: bool = True) -> list[Fact]:
    """Non-overlapping facts in text order; the more specific kind wins a span."""
    found: list[Fact] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in taken)

    def add(fact: Fact) -> None:
        if free(fact.start, fact.end):
            found.append(fact)
            taken.append((fact.start, fact.end))

    for m in URL.finditer(text):
        add(Fact("url", m.group(0).lower().rstrip("/.,"), m.group(0), m.start(), m.end()))
    for m in EMAIL.finditer(text):
        add(Fact("email", m.group(0).lower(), m.group(0), m.start(), m.end()))
    for fact in _phones(text):
        add(fact)
    for m in DATE_NUMERIC.finditer(text):
        if m.group(4):
            value = f"{m.group(4)}-{m.group(5)}-{m.group(6)}"
        else:
            year = m.group(3) if len(m.group(3)) == 4 else f"20{m.group(3)}"
            value = f"{year}-{int(m.group(2)):02d}-{int(m.group(1)):02d}"
        add(Fact("date", value, m.group(0), m.start(), m.end()))
    for m in DATE_WORDS.finditer(text):
        month = MONTHS[m.group(2).lower()]
        value = f"{m.group(3) or '*'}-{month:02d}-{int(m.group(1)):02d}"
        add(Fact("date", value, m.group(0), m.start(), m.end()))
    for m in PERCENT.finditer(text):
        add(Fact("percent", number_value(m.group(1)), m.group(0), m.start(), m.end()))
    for m in AMOUNT.finditer(text):
        if m.group(1):
            value = f"{number_value(m.group(1))} {_currency(m.group(2))}"
        else:
            value = f"{number_value(m.group(4))} {_currency(m.group(3))}"
        add(Fact("amount", value, m.group(0), m.start(), m.end()))
    for m in NUMBER.finditer(text):
        add(Fact("number", number_value(m.group(1)), m.group(0), m.start(), m.end()))
    if entities:
        for fact in _entities(text):
            add(fact)
    return sorted(found, key=lambda f: f.start)


def numeric_value(fact: Fact) -> str | None:
    """Numbers, amounts and percentages compare by their number: '3 %' is not in '30 %'."""
    if fact.kind in ("number", "percent"):
        return fact.value
    if fact.kind == "amount":
        return fact.value.split(" ", 1)[0]
    return None
