"""natasha's Russian named entities (PER, LOC, ORG), loaded once and shared: the bot checks
facts with them, the PII masker hides names and places with them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from wowdesk import heap

CAPITALISED = re.compile(r"[А-ЯЁ][а-яё]")


@dataclass(frozen=True)
class Entity:
    type: str  # PER, LOC or ORG
    start: int
    stop: int
    text: str
    normal: str


@cache
def models() -> tuple[Any, Any, Any]:
    """natasha's segmenter, NER tagger and morphology vocabulary (~1 s to load)."""
    from natasha import MorphVocab, NewsEmbedding, NewsNERTagger, Segmenter

    loaded = Segmenter(), NewsNERTagger(NewsEmbedding()), MorphVocab()
    heap.settle()
    return loaded


# A message is tagged when it is stored (its masked copy), again by the bot's fact and
# output checks and the hand-off card, and an article's passage once per answer it makes:
# the same short texts come back within seconds, so each is tagged once.
CACHED_CHARS = 1500  # with 2 048 entries at most ~3 M characters held


def entities(text: str) -> tuple[Entity, ...]:
    if not CAPITALISED.search(text):
        return ()  # the tagger reads Russian; nothing to find without a capitalised word
    return _remembered(text) if len(text) <= CACHED_CHARS else _tagged(text)


@lru_cache(maxsize=2048)
def _remembered(text: str) -> tuple[Entity, ...]:
    return _tagged(text)


def _tagged(text: str) -> tuple[Entity, ...]:
    from natasha import Doc

    segmenter, tagger, vocab = models()
    doc = Doc(text)
    doc.segment(segmenter)
    doc.tag_ner(tagger)
    found = []
    for span in doc.spans:
        try:
            span.normalize(vocab)
            normal = span.normal or span.text
        except Exception:  # normalisation needs morphology natasha may lack for rare words
            normal = span.text
        found.append(Entity(span.type, span.start, span.stop, span.text, normal))
    return tuple(found)
