"""Text normalisation shared by retrieval, triage and quality: one tokenizer, one stemmer.

Russian first: razdel splits words the way Russian text needs (hyphens, numbers with
units), `ё` folds to `е`, and Snowball stems Russian and English words (PyStemmer is a
C extension, ~1 µs a word, where a full pymorphy lemma costs ~30 µs; the bot's turn
budget is 50 ms with a 10 000-article index). Only the topic model also reads lemmas, one
lookup per distinct word, kept.
"""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer
from razdel import tokenize
from razdel.segmenters.punct import DASHES

from wowdesk.nlp import morph

CYRILLIC = re.compile(r"[а-яё]", re.I)
WORD = re.compile(r"\w", re.U)

_RU = Stemmer.Stemmer("russian")
_EN = Stemmer.Stemmer("english")

STOP_WORDS = frozenset(
    """
    а без более бы был была были было быть в вам вас весь во вот все всего всех вы где да
    даже для до его ее ей ему если есть еще же за здесь и из или им их к как ко когда кто
    ли либо мне может мы на над надо наш не него нее нет ни них но ну о об однако он она
    они оно от очень по под при с со так также такой там те тем то того тоже той только
    том ты у уже хотя чего чей чем что чтобы чье чья эта эти это этот я мой моя мои меня
    ведь сам сама само себя свой своя свои такое такая такие каков какое
    здравствуйте привет пожалуйста спасибо добрый день вечер утро
    a an and are as at be but by for from has have i if in into is it its me my of on or
    our so than that the their them then there these they this to was we were what when
    which will with you your do does did can could would should please hi hello thanks
    """.split()  # noqa: SIM905
)


def fold(text: str) -> str:
    """Lower case with `ё` as `е`: Russian writers use both for the same word."""
    return text.lower().replace("ё", "е")


def words(text: str) -> list[str]:
    """Folded word tokens (punctuation dropped), in order."""
    if len(text) <= CACHED_CHARS:
        return list(_cached_words(text))
    return _words(text)


# The same short texts are tokenised again and again: a KB passage for every suggestion
# and answer that quotes it, a template, the customer's turn for triage and for search
# (tokenising was a quarter of a suggestion's time).
CACHED_CHARS = 1_000


@lru_cache(maxsize=8_192)
def _cached_words(text: str) -> tuple[str, ...]:
    """A text not seen whole goes piece by piece, each piece through its own cache: a
    customer's turn (their messages since the last reply, joined) is a new text at every
    message, made of the pieces of the last one (its three tokenisations were a tenth of
    a suggestion's time, measured)."""
    return tuple(word for piece in _SAFE_GAP.split(text) for word in _piece_words(piece))


# razdel never joins tokens across white space, and its only rules that look past the
# neighbouring atom (dash, underscore, decimal, fraction) look one atom further, past a
# dash, «_», «.», «,», «/» or «\»: a gap with none of those beside it parts the text into
# pieces that tokenise one by one exactly as they do together
_JOINERS = re.escape(DASHES + "_.,/\\")
_SAFE_GAP = re.compile(rf"(?<![\s{_JOINERS}])\s+(?![\s{_JOINERS}])")


@lru_cache(maxsize=8_192)
def _piece_words(piece: str) -> tuple[str, ...]:
    return tuple(_words(piece))


def _words(text: str) -> list[str]:
    return [t for t in (fold(tok.text) for tok in tokenize(text)) if WORD.search(t)]


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    stemmer = _RU if CYRILLIC.search(word) else _EN
    return str(stemmer.stemWord(word))


@lru_cache(maxsize=100_000)
def _lemma(word: str) -> str:
    if not CYRILLIC.search(word):
        return word
    return str(morph.analyzer().parse(word)[0].normal_form).replace("ё", "е")


def lemmas(text: str) -> list[str]:
    """Dictionary forms of all the words, stop words kept: the stemmer leaves «иду» and
    «шёл», «людей» and «человек» apart, pymorphy3 reads both as one word. For the topic
    model next to the stems (the cost is one dictionary lookup per distinct word)."""
    return [_lemma(w) for w in words(text)]


def terms(text: str, keep_stop_words: bool = False) -> list[str]:
    """Stemmed content words: what lexical search and the classifiers count."""
    return [stem(w) for w in words(text) if keep_stop_words or w not in STOP_WORDS]


def spans(text: str) -> list[tuple[int, int, str]]:
    """Word tokens with their character offsets, for highlighting the span an answer used."""
    return [(t.start, t.stop, fold(t.text)) for t in tokenize(text) if WORD.search(t.text)]
