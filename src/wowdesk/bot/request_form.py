"""Is the customer asking us to *do* something to their account or order, or asking how?

«Как вернуть товар?» and «Сколько идёт возврат денег на карту?» are questions the knowledge
base answers; «Верните деньги за заказ 123», «Отмените мой заказ» and «refund me» are
requests only a person with access to the account can carry out. The difference is the
form of the request, not its words (both mention «вернуть»), so it is read from grammar:

- a sentence that asks (ends with «?», opens with a question word) is a question;
- a verb in the imperative addressed to us («верните», «разблокируйте», «отмените») is a
  request, except the verbs of asking for information («подскажите», «объясните»), which
  introduce a question;
- «прошу / требую + infinitive» is a request; «хочу / нужно + infinitive» is one only when
  it points at the customer's own thing (a number with digits, «мой», «мне»): «хочу
  вернуть товар» is how-to, «хочу вернуть деньги за заказ 4471» is a request;
- in English, an imperative at the start of a sentence aimed at «my/me», or «I want/need».

Morphology comes from pymorphy3 (already used for cross-sell phrasing), loaded on the first
call. The topic model then says what the request is about (the flag's evidence names it).
"""

from __future__ import annotations

import re
from functools import lru_cache

from wowdesk.nlp import morph
from wowdesk.nlp.normalize import QUESTION_WORDS, normalize, sentences

ASKING_VERBS = frozenset(
    "подсказать сказать объяснить рассказать уточнить помочь пояснить напомнить".split()  # noqa: SIM905
)
DEMAND_VERBS = frozenset({"просить", "требовать"})
WISH_WORDS = frozenset({"хотеть", "нужно", "надо", "необходимо"})
OWN = re.compile(r"\d|\b(мо[йяеи]\w*|мне|меня|my|me|mine)\b", re.I)
ENGLISH_REQUEST = re.compile(
    r"^(please\s+)?([a-z]+)\b.*\b(my|me)\b|^i\s+(want|need|demand)\s+(a\s+)?(refund|my|to\s+\w+\s+my)",
    re.I,
)
ENGLISH_NOT_ACTIONS = frozenset(
    [
        "how",
        "what",
        "why",
        "when",
        "where",
        "which",
        "who",
        "can",
        "could",
        "is",
        "are",
        "do",
        "does",
        "did",
        "should",
        "would",
        "will",
        "tell",
        "help",
        "explain",
        "i",
        "my",
        "it",
        "this",
        "that",
        "there",
        "thanks",
        "thank",
        "hello",
        "hi",
    ]
)


@lru_cache(maxsize=50_000)
def _parse(word: str) -> tuple[str, bool, bool]:
    """(lemma, may be imperative, infinitive) of a Russian word: «отмените» reads as the
    future («вы отмените») or the imperative, and is imperative unless «вы» precedes it."""
    readings = morph.analyzer().parse(word)
    imperative = next((p for p in readings if "impr" in p.tag), None)
    if imperative is not None and readings[0].tag.POS == "VERB":  # «мой» is not «wash!»
        return str(imperative.normal_form), True, False
    return str(readings[0].normal_form), False, "INFN" in readings[0].tag


def _russian_request(sentence: str) -> str | None:
    words: list[str] = re.findall(r"[а-яё]+", sentence.lower())
    for i, word in enumerate(words):
        lemma, imperative, _infinitive = _parse(word)
        addressed = i == 0 or words[i - 1] not in ("вы", "вам", "ты")
        if imperative and addressed and lemma not in ASKING_VERBS:
            return word
        if lemma in DEMAND_VERBS or (lemma in WISH_WORDS and OWN.search(sentence)):
            following = words[i + 1 : i + 4]
            if any(_parse(w)[2] for w in following) or lemma in DEMAND_VERBS:
                return " ".join([word, *following[:2]])
    return None


def _english_request(sentence: str) -> str | None:
    match = ENGLISH_REQUEST.search(sentence.strip())
    if match is None:
        return None
    verb = (match.group(2) or "").lower()
    if match.group(4) is None and verb in ENGLISH_NOT_ACTIONS:
        return None
    return match.group(0)[:40]


def account_request(text: str) -> str | None:
    """The words that make the message a request to act (the flag's evidence), or None."""
    for sentence in sentences(normalize(text)):
        if sentence.rstrip().endswith("?") or QUESTION_WORDS.match(sentence):
            continue
        found = (
            _russian_request(sentence)
            if re.search(r"[а-яё]", sentence, re.I)
            else _english_request(sentence)
        )
        if found:
            return found
    return None
