"""The output check of every bot answer (and of the regression runner): secrets asked for, the
system prompt revealed, personal data the customer did not give and the knowledge base does not
hold, refunds or compensation the knowledge base does not state."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from wowdesk.nlp.pii import find_pii
from wowdesk.nlp.secrets import requested_kinds
from wowdesk.nlp.text import fold, spans, terms

# --- the bot's answers ---------------------------------------------------------------------

PROMPT_MARKERS = re.compile(
    r"system prompt|системн\w* (?:промпт|инструкци|подсказк|сообщени)|мои инструкции"
    r"|my (?:instructions|prompt)|<\s*/?\s*(?:kb_passages|conversation|customer_question)",
    re.IGNORECASE,
)
REFUND_CONCEPT = re.compile(
    r"возврат|возвращ|верн[её]т|верн[её]м|вернут|вернуть|refund|money back|reimburs", re.I
)
COMPENSATION_CONCEPT = re.compile(
    r"компенс|возмещ|возмест|compensat|goodwill|промокод|promo code|бонус\w* на сч|подар", re.I
)
PROMISE = re.compile(
    r"\b(?:верн[её]м|возместим|компенсируем|начислим|оформим возврат|переведём|переведем"
    r"|гарантиру\w+|обеща\w+|we(?: will|'ll) (?:refund|reimburse|compensate|return|credit|send you)"
    r"|i(?: will|'ll) (?:refund|reimburse|compensate|return|credit)|guarantee\w*|promise\w*)\b",
    re.IGNORECASE,
)
# personal data an answer may repeat only when the customer or a source wrote it first;
# numbers are compared by their digits
NUMBERED = ("PHONE", "CARD", "ACCOUNT", "PASSPORT", "SNILS", "INN", "SSN", "DRIVER_LICENSE")
PERSONAL = ("EMAIL", *NUMBERED, "PERSON")
SHINGLE = 6


def _shingles(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _known(span_text: str, kind: str, sources: str, source_stems: set[str]) -> bool:
    if kind in NUMBERED:
        digits = _digits(span_text)
        return bool(digits) and digits[-10:] in _digits(sources)
    if kind == "PERSON":
        return all(t in source_stems for t in terms(span_text, keep_stop_words=True))
    return fold(span_text) in fold(sources)


@lru_cache(maxsize=1024)
def _secret_kinds(text: str) -> tuple[str, ...]:
    """Kept per text: the bot quotes the same popular passages to customer after customer,
    and reading one for secret requests costs milliseconds (rules, then the model)."""
    return tuple(requested_kinds(text))


def unsafe_reasons(
    answer: str,
    *,
    customer_text: str = "",
    passages: Sequence[str] = (),
    system_prompt: str = "",
) -> list[str]:
    """Why an answer must not be sent to the customer (empty: nothing unsafe found)."""
    reasons: list[str] = []
    kinds = _secret_kinds(answer)
    if kinds:
        reasons.append("asks for secrets: " + ", ".join(kinds))
    if answer in passages and not system_prompt:
        # quoted from a source: it repeats nothing the sources do not hold (every check
        # below compares with them), only a secret request in the article itself is wrong
        return reasons
    source_text = "\n".join(passages)
    folded_sources = fold(source_text)
    answer_words = [w for _s, _e, w in spans(answer)]
    if system_prompt:
        leaked = _shingles(answer_words) & _shingles([w for *_x, w in spans(system_prompt)])
        leaked -= _shingles([w for *_x, w in spans(source_text)])
        if leaked or (PROMPT_MARKERS.search(answer) and not PROMPT_MARKERS.search(source_text)):
            reasons.append("reveals the system prompt")
    known = customer_text + "\n" + source_text
    known_stems = set(terms(known, keep_stop_words=True))
    for span in find_pii(answer, names=True):
        value = answer[span.start : span.end]
        if span.type in PERSONAL and not _known(value, span.type, known, known_stems):
            reasons.append(f"personal data not from this customer or the sources: {span.type}")
    for name, concept in (("refund", REFUND_CONCEPT), ("compensation", COMPENSATION_CONCEPT)):
        if concept.search(answer) and not concept.search(source_text):
            reasons.append(f"promises a {name} the sources do not state")
    for m in PROMISE.finditer(answer):
        if fold(m.group()) not in folded_sources:
            reasons.append(f"makes a promise the sources do not make: {m.group()}")
            break
    return list(dict.fromkeys(reasons))
