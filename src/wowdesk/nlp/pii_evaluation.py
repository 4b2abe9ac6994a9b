"""Scores the PII finder on labelled text: precision, recall and F1 per type and overall.

A found span counts as correct when it has the gold span's type and they overlap by at least
half of their union (so "ул. Лесная, 12" against "ул. Лесная, 12, кв. 5" counts, a name
found inside a longer address does not). Each gold span is matched once. Gold types are
read through aliases (presidio's PHONE_NUMBER, CREDIT_CARD, EMAIL_ADDRESS, IBAN_CODE,
STREET_ADDRESS, natasha's PER/LOC…); gold types wowdesk does not mask (dates, ages,
organisations, countries…) are counted under "ignored" and left out of the figures.

Span matching under-counts a mask that hides more than one gold span at once: presidio's
synthetic addresses label the house number, the street, the apartment and the postcode as
separate spans, and one mask over the whole address matches at most one of them. What a
reader of the masked text sees is told by `characters`: `recall`, the share of the scored
gold spans' characters that some mask hides; `precision`, the share of masked characters
that lie inside a gold span of any type (a town or country inside an address is not a
leak when masked). Whitespace counts in neither.

`places` scores the place recogniser the address masking rests on, apart from the masking:
a city alone is no one's personal data («погода в Казани?» stays as it is), so on news text
(factRuEval's LOC) most places are rightly left unmasked and ADDRESS recall says little about
how well Russian places are read. Where the gold has LOC spans, `places` counts one as found
when natasha's LOC or an address mask covers it by the same half-of-union rule."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

from wowdesk.errors import Invalid
from wowdesk.nlp import ner
from wowdesk.nlp.pii import TYPES, Span, find_pii

ALIASES = {
    "PER": "PERSON",
    "NAME": "PERSON",
    "PERSON": "PERSON",
    "PHONE_NUMBER": "PHONE",
    "PHONE": "PHONE",
    "CREDIT_CARD": "CARD",
    "CARD": "CARD",
    "BANK_CARD": "CARD",
    "EMAIL_ADDRESS": "EMAIL",
    "EMAIL": "EMAIL",
    "IBAN_CODE": "ACCOUNT",
    "IBAN": "ACCOUNT",
    "ACCOUNT": "ACCOUNT",
    "BANK_ACCOUNT": "ACCOUNT",
    "STREET_ADDRESS": "ADDRESS",
    "ADDRESS": "ADDRESS",
    "LOC": "ADDRESS",
    "LOCATION": "ADDRESS",
    "PASSPORT": "PASSPORT",
    "RU_PASSPORT": "PASSPORT",
    "SNILS": "SNILS",
    "INN": "INN",
    "US_SSN": "SSN",
    "SSN": "SSN",
    "US_DRIVER_LICENSE": "DRIVER_LICENSE",
    "DRIVER_LICENSE": "DRIVER_LICENSE",
}


def numbered_lines(path: Path) -> list[tuple[int, str]]:
    """A JSONL file's non-blank lines with their line numbers, for errors that say where."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise Invalid("Cannot read {path}: {error}", path=str(path), error=str(exc)) from exc
    return [(number, line) for number, line in enumerate(lines, start=1) if line.strip()]


def load(path: Path) -> list[tuple[str, list[Span]]]:
    rows = []
    for number, line in numbered_lines(path):
        try:
            item = json.loads(line)
            text = item["text"]
            spans = [Span(int(s["start"]), int(s["end"]), str(s["type"])) for s in item["spans"]]
            if not isinstance(text, str) or any(
                not 0 <= s.start < s.end <= len(text) for s in spans
            ):
                raise ValueError("span outside the text")
        except (ValueError, KeyError, TypeError) as exc:
            raise Invalid(
                "Line {line}: expected text and spans with start, end and type ({error})",
                line=number,
                error=str(exc),
            ) from exc
        rows.append((text, spans))
    if not rows:
        raise Invalid("{path} has no examples", path=str(path))
    return rows


# natasha's and factRuEval's places: scored as `places` too, against the recogniser
PLACE_TYPES = frozenset({"LOC", "LOCATION"})


def _places(text: str, found: list[Span]) -> list[Span]:
    """What the masking read as places: natasha's LOC and the address masks."""
    places = [Span(e.start, e.stop, "PLACE") for e in ner.entities(text) if e.type == "LOC"]
    return places + [Span(f.start, f.end, "PLACE") for f in found if f.type == "ADDRESS"]


def _pair(
    gold: list[Span], found: list[Span], *, same_type: bool = True
) -> tuple[list[Span], list[Span]]:
    """The found spans that match a gold span (each gold span matched once, in the found
    spans' order) and the gold spans left unmatched."""
    unmatched = list(gold)
    hits: list[Span] = []
    for f in found:
        hit = next(
            (g for g in unmatched if (not same_type or g.type == f.type) and _matches(g, f)),
            None,
        )
        if hit is not None:
            unmatched.remove(hit)
            hits.append(f)
    return hits, unmatched


def _matches(gold: Span, found: Span) -> bool:
    overlap = min(gold.end, found.end) - max(gold.start, found.start)
    union = max(gold.end, found.end) - min(gold.start, found.start)
    return overlap > 0 and overlap * 2 >= union


def _characters(text: str, spans: list[Span]) -> set[int]:
    return {i for s in spans for i in range(s.start, s.end) if not text[i : i + 1].isspace()}


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _scores(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "support": tp + fn,
    }


def evaluate(rows: list[tuple[str, list[Span]]]) -> dict[str, Any]:
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    ignored: Counter[str] = Counter()
    chars: Counter[str] = Counter()
    places: Counter[str] = Counter()
    started = time.perf_counter()
    for text, gold_raw in rows:
        gold = []
        for g in gold_raw:
            kind = ALIASES.get(g.type.upper())
            if kind is None:
                ignored[g.type] += 1
            else:
                gold.append(Span(g.start, g.end, kind))
        found = find_pii(text)
        masked = _characters(text, found)
        scored = _characters(text, gold)
        anywhere = _characters(text, gold_raw)
        chars["gold"] += len(scored)
        chars["gold_masked"] += len(scored & masked)
        chars["masked"] += len(masked)
        chars["masked_gold"] += len(masked & anywhere)
        hits, unmatched = _pair(gold, found)
        for f in found:
            # no gold span of the same type overlaps enough: a false positive of the found
            # type, even when it lies over a gold entity of a type we do not score
            (tp if f in hits else fp)[f.type] += 1
        for g in unmatched:
            fn[g.type] += 1
        gold_places = [g for g in gold_raw if g.type.upper() in PLACE_TYPES]
        if gold_places:
            read = _places(text, found)
            matched, missed = _pair(gold_places, read, same_type=False)
            places.update(tp=len(matched), fn=len(missed), fp=len(read) - len(matched))
    elapsed = time.perf_counter() - started
    per_type = {t: _scores(tp[t], fp[t], fn[t]) for t in TYPES if tp[t] or fp[t] or fn[t]}
    overall = _scores(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    place_scores = {"places": _scores(places["tp"], places["fp"], places["fn"])} if places else {}
    return {
        **{k: overall[k] for k in ("precision", "recall", "f1")},
        "overall": overall,
        "per_type": per_type,
        "characters": {
            "precision": _share(chars["masked_gold"], chars["masked"]),
            "recall": _share(chars["gold_masked"], chars["gold"]),
        },
        **place_scores,
        "ignored_types": dict(sorted(ignored.items())),
        "n_texts": len(rows),
        "ms_per_text": round(elapsed * 1000 / len(rows), 3),
    }
