"""The name a customer gives for themselves («Меня зовут Ольга Соколова», «я ольга»).

A web chat's customer is anonymous: this is how the greeting template, the inbox and the
customer's record learn what to call them. Stricter than the masking cue (`ru_names.CUE`),
which also takes «на имя …» and «получатель: …»: those name someone else.
"""

from __future__ import annotations

import re

from wowdesk.nlp.pii import Span, find_pii

# «это Оля» names the writer only where a message or sentence opens with it, or a greeting
# does («Добрый день, это Оля»); «курьер сказал, что это Иван» is someone else
GREETING = r"(?:здравствуйте|добр\w+\s+\w+|привет\w*|hello|hi|good\s+\w+)"
INTRODUCED = re.compile(
    r"(?:меня\s+зовут|мо[её]\s+имя|(?<!\w)я|my\s+name\s+is|(?<!\w)i\s+am|i'm"
    rf"|(?:^|[.!?]\s*|{GREETING}\s*[,!.—-]?\s*)(?:это|this\s+is))\s*[:,—-]?\s*$",
    re.I,
)
INTRODUCTION_MESSAGES = 10  # a name is given at the start, if at all


def introduced_name(texts: list[str], personal_of: list[list[Span]] | None = None) -> str:
    """The first name a customer gave for themselves in `texts`, as a reply addresses it;
    "" when none. Only the first `INTRODUCTION_MESSAGES` texts are read. `personal_of`:
    each text's `find_pii` spans when the caller has them already (the handoff card)."""
    for i, text in enumerate(texts[:INTRODUCTION_MESSAGES]):
        for span in personal_of[i] if personal_of is not None else find_pii(text):
            if span.type == "PERSON" and INTRODUCED.search(text, 0, span.start):
                return _as_written_to(text[span.start : span.end])
    return ""


def _as_written_to(name: str) -> str:
    """«анна», «ИВАНОВА АННА» as a reply addresses them: «Анна», «Иванова Анна»."""
    return name.title() if name.islower() or name.isupper() else name
