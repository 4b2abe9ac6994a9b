"""The identification block of a call: the operator asks for passport, card, birth date or a
code word, the customer reads it out. Those answers are personal data as a whole (a date of
birth, a code word or a half-heard passport number slip past any span finder), so the
customer's lines between such a request and the operator's next ordinary line are masked
entirely in the stored transcript. The telephony system may also mark the block itself."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

ASKS = re.compile(
    r"паспорт|сери[юия]\s+и\s+номер|номер\w*\s+карт|последни\w+\s+(?:четыр|цифр)|"
    r"дат\w\s+рождени|год\w*\s+рождени|кодов\w+\s+слов|контрольн\w+\s+(?:вопрос|слов|фраз)|"
    r"секретн\w+\s+(?:вопрос|слов)|девичь\w+\s+фамил|полност\w+\s+(?:фио|имя)|\bфио\b|"
    r"снилс|\bинн\b|идентифи\w+|верифи\w+|"
    r"passport|date\s+of\s+birth|birth\s*date|security\s+(?:question|word)|"
    r"code\s+word|last\s+(?:four|4)\s+digits|card\s+number|identify|verify",
    re.IGNORECASE,
)
DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class Utterance:
    speaker: str  # customer | operator
    start: float  # seconds on one clock for the whole call
    end: float
    text: str


def asks_for_identification(text: str) -> bool:
    return bool(ASKS.search(text))


def identification_lines(
    lines: Sequence[Utterance], marked: Sequence[tuple[float, float]] = ()
) -> set[int]:
    """Indexes of the lines to mask whole: the customer's answers after an identification
    request (and the operator's read-backs with digits inside that stretch), plus every
    line overlapping a span the telephony system marked."""
    found: set[int] = set()
    open_block = False
    for i, line in enumerate(lines):
        if any(line.start < end and start < line.end for start, end in marked):
            found.add(i)
        if line.speaker == "operator":
            if asks_for_identification(line.text):
                if open_block and DIGIT.search(line.text):
                    found.add(i)  # "серия 45 10, номер …, верно?"
                open_block = True
            else:
                open_block = False
            continue
        if open_block:
            found.add(i)
    return found
