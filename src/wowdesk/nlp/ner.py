"""natasha's Russian named entities (PER, LOC, ORG), loaded once and shared: the bot checks
facts with them, the PII masker hides names and places with them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

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

    return Segmenter(), NewsNERTagger(NewsEmbedding()), MorphVocab()


def entities(text: str) -> list[Entity]:
    if not CAPITALISED.search(text):
        return []  # the tagger reads Russian; nothing to find without a capitalised word
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
    return found
