"""A lexicon sentiment of a customer's message, Russian and English, by Snowball stems.

Auto-QA needs only the direction (upset, neutral, pleased) of each customer message, at
well under a millisecond; a lexicon of stems does that offline and explains itself (the
evidence is the word that matched).
"""

from __future__ import annotations

from wowdesk.nlp.text import stem, words

NEGATIVE_WORDS = """
    ужасно ужасный кошмар безобразие возмутительно возмущен возмущена надоело бесит достали
    обман обманули мошенники хамство жалоба претензия недоволен недовольна разочарован
    разочарована отвратительно плохо хуже позор бардак издевательство сколько можно верните
    опять снова безрезультатно невозможно злой зла злюсь раздражает устал устала
    terrible awful horrible disgusting angry annoyed frustrated ridiculous unacceptable
    worst scam cheated complaint disappointed furious useless again fed
"""
POSITIVE_WORDS = """
    спасибо благодарю благодарна благодарен отлично супер здорово замечательно прекрасно
    класс помогли помогло выручили молодец умница вежливый быстро удобно рада рад
    приятно восторге лучший
    thanks thank great excellent awesome perfect wonderful helpful helped appreciate
    amazing love glad brilliant
"""
NEGATIVE = frozenset(stem(w) for w in NEGATIVE_WORDS.split())
POSITIVE = frozenset(stem(w) for w in POSITIVE_WORDS.split())
NEGATIONS = frozenset({"не", "нет", "ни", "not", "no", "never", "n't"})


def polarity(text: str) -> tuple[int, str]:
    """-1, 0 or +1 and the word that decided it ("не помогли" reads as negative)."""
    tokens = words(text)
    score = 0
    cue = ""
    for i, word in enumerate(tokens):
        s = stem(word)
        sign = 1 if s in POSITIVE else -1 if s in NEGATIVE else 0
        if not sign:
            continue
        if i and tokens[i - 1] in NEGATIONS:
            sign = -sign
        score += sign
        cue = cue or word
    if "!!" in text or "??" in text:
        score -= 1
        cue = cue or "!!"
    return (1 if score > 0 else -1 if score < 0 else 0), cue
