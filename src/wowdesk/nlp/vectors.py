"""Word vectors for Russian: navec, shipped inside the natasha package (no download).

One encoder for the whole process (the table is ~25 MB), shared by retrieval and triage.
"""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path

import numpy as np

from wowdesk import heap
from wowdesk.nlp.text import STOP_WORDS, words


@cache
def _navec() -> object:
    import natasha
    from navec import Navec

    path = Path(natasha.__file__).parent / "data" / "emb" / "navec_news_v1_1B_250K_300d_100q.tar"
    navec = Navec.load(str(path))
    heap.settle()
    return navec


@lru_cache(maxsize=20_000)  # navec unpacks quantised vectors; frequent words stay unpacked
def _vector(word: str) -> np.ndarray | None:
    vector = _navec().get(word)  # type: ignore[attr-defined]
    return None if vector is None else np.asarray(vector, np.float32)


class NavecEncoder:
    """Mean of navec word vectors (stop words left out), L2-normalised."""

    dim = 300

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), np.float32)
        for row, text in enumerate(texts):
            vectors = [
                v for w in words(text) if w not in STOP_WORDS and (v := _vector(w)) is not None
            ]
            if vectors:
                mean = np.mean(vectors, axis=0)
                norm = float(np.linalg.norm(mean))
                if norm:
                    out[row] = mean / norm
        return out
