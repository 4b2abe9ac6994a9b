"""Suggestion sources from layers above assist: the case library (quality) lives above the
assistant, so assist cannot import it. Such a layer registers a function here at start-up
(`register`, called by `create_app` and the worker), and `compute` asks every registered
source for replies to the customer's words. Without a registration (a unit test, a tool that
did not register) there are simply no such suggestions.

A source returns masked good answers (`Found`); assist turns them into suggestions the same
way as colleagues' answers: personal details become variables filled for this conversation
or left for the operator to fill in.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Found:
    source: str  # the badge: "case"
    ref: dict[str, Any]  # what the suggestion points at, with a `url` to open it
    title: str
    answer: str  # masked text of the good answer
    why: str  # already translated
    similarity: float  # 0..1, the same scale as colleagues' answers


SuggestionSource = Callable[[Session, str, int], list[Found]]  # (db, query, k)
_sources: dict[str, SuggestionSource] = {}


def register(key: str, source: SuggestionSource) -> None:
    """Idempotent by key: every `create_app` (several in one test run) registers again."""
    _sources[key] = source


def unregister(key: str) -> None:
    _sources.pop(key, None)


def registered() -> list[str]:
    return sorted(_sources)


def gather(db: Session, query: str, k: int = 2) -> list[Found]:
    """Every registered source's replies; a source that fails costs its own hints only."""
    if not query.strip():
        return []
    out: list[Found] = []
    for key, source in list(_sources.items()):
        try:
            out.extend(source(db, query, k))
        except Exception:
            log.exception("suggestion source %s failed", key)
    return out
