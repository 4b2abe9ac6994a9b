"""The process's one Russian morphological analyzer (pymorphy3).

Its dictionaries take ~15 MB and a few hundred milliseconds to load: one instance, loaded
on first use (never at import: an idle app process stays small) and shared by every thread
and every module that reads word forms (names, gender, request forms, cross-sell reasons).
Four modules each used to keep their own.
"""

from __future__ import annotations

import threading
from typing import Any

from wowdesk import heap

_lock = threading.Lock()
_morph: Any = None


def analyzer() -> Any:
    global _morph
    if _morph is None:
        with _lock:
            if _morph is None:
                import pymorphy3

                _morph = pymorphy3.MorphAnalyzer()
                heap.settle()
    return _morph
