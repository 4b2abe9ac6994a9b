"""The process's long-lived objects and Python's cyclic garbage collector.

A full collection walks every container object in the process: with the app, its models
(natasha's NER, the morphology, the sentence encoder, the topic model) and their imports
loaded, that is a few hundred thousand objects and 100-200 ms with the GIL held, every few
seconds under chat load — measured as the chat benchmark's p99 (a 150 ms collection
delays the ~50 messages that arrive meanwhile). What a loader has just built stays for the
process's life, so after each load everything alive is moved out of the collector's sight
(`gc.freeze`); later collections walk only what requests created since.
"""

from __future__ import annotations

import gc
import threading

_lock = threading.Lock()


def settle() -> None:
    """Call right after loading something that lives as long as the process. Garbage is
    collected first, so nothing that is already dead is frozen with the rest."""
    with _lock:
        gc.collect()
        gc.freeze()
