"""Cleaning a customer's message before anything reads it, and finding its question.

Real messages are not the tidy paraphrases a knowledge base is written against: they come
with greetings and thanks, several sentences of context, runs of invisible characters
(U+200C from some keyboards), links, emoji, Latin letters that look Cyrillic («дocтaвкa»),
shouting, and sometimes the whole question in Latin transliteration («kak vernut tovar»).
`normalize` undoes what can be undone without guessing meaning; `question_parts` picks the
sentence(s) that ask something, so search can weigh them above the context.

Pure functions on strings, no models: cheap enough for every message (~20 µs).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from razdel import sentenize

URL_PLACEHOLDER = " URL "
EMAIL_PLACEHOLDER = " EMAIL "

_PLACEHOLDERS = frozenset({URL_PLACEHOLDER.strip(), EMAIL_PLACEHOLDER.strip()})
_WORDY = re.compile(r"\w")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]"
)
_URL = re.compile(
    r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:ru|com|рф|net|org|su|info|io|me)(?:/\S*)?",
    re.I,
)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_REPEATED_PUNCT = re.compile(r"([!?.,;:])[!?.,;:]+")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
# Latin letters drawn like Cyrillic ones; replaced only inside a word that has Cyrillic
LATIN_TO_CYRILLIC = str.maketrans("aAcCeEoOpPxXyKkMHTBu", "аАсСеЕоОрРхХуКкМНТВи")
_MIXED_WORD = re.compile(r"\w*[а-яёА-ЯЁ]\w*[a-zA-Z]\w*|\w*[a-zA-Z]\w*[а-яёА-ЯЁ]\w*")
_TRANSLIT_MARKERS = frozenset(
    """
    kak pochemu chto gde kogda skolko mozhno nelzya ne net da ili eto moy moi moe moya
    zakaz zakaza tovar tovara dengi vernut vozvrat oplata oplatit dostavka dostavki
    akkaunt profil obyavlenie obyavu kod parol pomogite zdravstvuyte privet spasibo
    pochta nomer telefon karta karty skidka bonusy kurer punkt vydachi ya mne menya
    kto to tak uzhe eshche esli chtoby kotoryy nado nuzhno hochu mogu vy vam vas nas
    dobryy den vecher utro pozhaluysta podskazhite blagodaryu sdelat pishet prishlo
    """.split()  # noqa: SIM905
)
_TRANSLIT_STEMS = (
    "akkaunt", "zakaz", "tovar", "dostav", "oplat", "vozvr", "obyav", "deneg", "dengi",
    "pochem", "pozhal", "spasib", "zdravst", "skolk", "mozhn", "pokupat", "prodav", "parol",
)  # fmt: skip
_ENGLISH_MARKERS = frozenset("the is are my how do does what why can you your it this of".split())  # noqa: SIM905
_TRANSLIT = [
    ("shch", "щ"), ("sch", "щ"), ("yy", "ый"), ("iy", "ий"), ("ay", "ай"), ("oy", "ой"),
    ("ey", "ей"), ("uy", "уй"), ("yo", "е"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"),
    ("ch", "ч"), ("sh", "ш"), ("yu", "ю"), ("ya", "я"), ("ye", "е"),
    ("a", "а"), ("b", "б"), ("v", "в"), ("g", "г"), ("d", "д"), ("e", "е"), ("z", "з"),
    ("i", "и"), ("y", "ы"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"),
    ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"), ("f", "ф"), ("h", "х"),
    ("c", "ц"), ("w", "в"), ("x", "кс"), ("j", "й"), ("q", "к"),
]  # fmt: skip
_TRANSLIT_RE = re.compile("|".join(src for src, _dst in _TRANSLIT))
_TRANSLIT_MAP = dict(_TRANSLIT)

GREETING = re.compile(
    r"^\W*(здравствуйте|здрасте|здравствуй|добрый\s+(день|вечер|утро)|доброе\s+утро|привет\w*|"
    r"доброго\s+времени\s+суток|алло|hello|hi|hey|good\s+(morning|afternoon|evening))\b[\s!.,)]*",
    re.I,
)
POLITENESS = re.compile(
    r"^\W*((заранее\s+)?(спасибо|благодар\w+|спс)|жду\s+ответа|помогите(\s+пожалуйста)?|"
    r"ответьте(\s+пожалуйста)?(\s+побыстрее)?|подскажите(\s+пожалуйста)?|"
    r"буду\s+благодар\w+|thanks?(\s+you)?|please\s+help)\W*$",
    re.I,
)
QUESTION_WORDS = re.compile(
    r"^\W*(как|почему|зачем|где|когда|сколько|что|чт[оа]\s+делать|можно|нельзя|могу|"
    r"куда|какой|какие|какая|каким|кому|кто|долго|есть\s+ли|ли\b|what|why|how|where|when|"
    r"can|could|is|are|do|does|should|which|who)\b",
    re.I,
)


def _is_emoji(ch: str) -> bool:
    return unicodedata.category(ch) == "So" or 0x1F000 <= ord(ch) <= 0x1FAFF


def _translit_word(word: str) -> str:
    return _TRANSLIT_RE.sub(lambda m: _TRANSLIT_MAP[m.group(0)], word)


def looks_transliterated(text: str) -> bool:
    """Russian typed in Latin letters: no Cyrillic at all and at least two common Russian
    words (so an English question stays English)."""
    if re.search(r"[а-яё]", text, re.I):
        return False
    latin: list[str] = re.findall(r"[a-z]+", text.lower())
    russian: int = sum(w in _TRANSLIT_MARKERS or w.startswith(_TRANSLIT_STEMS) for w in latin)
    english: int = sum(w in _ENGLISH_MARKERS for w in latin)
    return russian >= 2 and russian > english


@lru_cache(maxsize=4096)
def normalize(text: str) -> str:
    """NFKC, invisible characters out, links and e-mails as placeholders, emoji out,
    look-alike Latin letters inside Cyrillic words back to Cyrillic, shouting lowered,
    repeated punctuation once, transliterated Russian back to Cyrillic, ё as е."""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = _EMAIL.sub(EMAIL_PLACEHOLDER, text)
    text = _URL.sub(URL_PLACEHOLDER, text)
    letters = [c for w in text.split() if w not in _PLACEHOLDERS for c in w if c.isalpha()]
    if len(letters) >= 8 and sum(c.isupper() for c in letters) > 0.7 * len(letters):
        text = re.sub(
            r"\S+",
            lambda m: m.group(0) if m.group(0) in _PLACEHOLDERS else m.group(0).lower(),
            text,
        )
    text = "".join(" " if _is_emoji(ch) else ch for ch in text)
    text = _MIXED_WORD.sub(lambda m: m.group(0).translate(LATIN_TO_CYRILLIC), text)
    if looks_transliterated(text):
        text = re.sub(
            r"[a-zA-Z]+",
            lambda m: (
                m.group(0) if m.group(0) in _PLACEHOLDERS else _translit_word(m.group(0).lower())
            ),
            text,
        )
    text = _REPEATED_PUNCT.sub(r"\1 ", text)
    text = text.replace("ё", "е").replace("Ё", "Е")
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def sentences(text: str) -> list[str]:
    """Sentences of a normalised message; a line break ends a sentence too (chat writers
    use Enter as their full stop)."""
    return list(_sentences(text))


@lru_cache(maxsize=4096)
def _sentences(text: str) -> tuple[str, ...]:
    """Kept per text: a suggestion splits the customer's turn three times (the search's
    question twice, the triage's account request once), each a razdel pass."""
    out: list[str] = []
    for line in text.splitlines():
        for sent in sentenize(line):  # razdel, then also «.» before a lower-case word
            out.extend(p.strip() for p in _SENTENCE_END.split(sent.text) if p.strip())
    return tuple(out)


def _strip_greeting(sentence: str) -> str:
    return GREETING.sub("", sentence, count=1).strip()


def question_parts(text: str) -> tuple[str, str]:
    """(the question, the context) of a normalised message. The question is the sentences
    that end with «?» or open with a question word; failing both, the last sentence with
    content. Greetings and thanks belong to neither."""
    content = [
        s
        for s in (_strip_greeting(s) for s in sentences(text))
        if _WORDY.search(s) and not POLITENESS.match(s)
    ]
    if not content:
        return "", ""
    asking = [s for s in content if s.rstrip().endswith("?") or QUESTION_WORDS.match(s)]
    question = asking or [content[-1]]
    first = content.index(question[0])
    if len(" ".join(question).split()) < 3 and first > 0:
        question.insert(0, content[first - 1])  # «почему?» asks about the sentence before
    context = [s for s in content if s not in question]
    return " ".join(question), " ".join(context)
