"""Sentence vectors of texts already encoded, kept on disk between restarts.

The knowledge base's passages are encoded when the retrieval index is built: about 450
passages a second on one core, so 10 000 articles took 100 s after every restart of every
process, although the articles had not changed. Vectors are kept by the text's digest and
the encoder's name in one SQLite file under the var folder (WAL, shared by the processes of
one host); an index build encodes only the texts it has not seen. An edited article's new
text is encoded once; old texts' rows stay (a few KB per article).
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from wowdesk.nlp.encoder import Encoder, encode_side_by_side

log = logging.getLogger(__name__)


class VectorStore:
    def __init__(self, path: Path, encoder: Encoder, encoder_name: str) -> None:
        self.path = path
        self.encoder = encoder
        self.encoder_name = encoder_name
        self._local = threading.local()

    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            # a first build commits once per chunk of articles: no fsync each time (WAL stays
            # consistent; a power cut loses at most the last vectors, encoded again)
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vector BLOB NOT NULL)"
            )
            self._local.conn = conn
        return conn

    def _key(self, text: str) -> bytes:
        return hashlib.sha256(f"{self.encoder_name}\x00{text}".encode()).digest()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """The encoder's vectors of `texts`, read from the file where it has them. A file
        that cannot be used (a read-only folder, a full disk) only costs the encoding."""
        if not texts:
            return self.encoder.encode([])
        keys = [self._key(t) for t in texts]
        try:
            found = self._read(keys)
        except (sqlite3.Error, OSError):
            log.warning("vector store %s unreadable; encoding", self.path, exc_info=True)
            return self.encoder.encode(list(texts))
        missing = [i for i, key in enumerate(keys) if key not in found]
        if missing:
            fresh = encode_side_by_side(self.encoder, [texts[i] for i in missing])
            for i, vector in zip(missing, fresh, strict=True):
                found[keys[i]] = np.asarray(vector, np.float32)
            try:
                with self._connection() as conn:
                    conn.executemany(
                        "INSERT OR IGNORE INTO vectors VALUES (?, ?)",
                        [(keys[i], found[keys[i]].tobytes()) for i in missing],
                    )
            except (sqlite3.Error, OSError):
                log.warning("vector store %s not written", self.path, exc_info=True)
        return np.vstack([found[key] for key in keys])

    def _read(self, keys: list[bytes]) -> dict[bytes, np.ndarray]:
        conn = self._connection()
        found = {}
        for key in keys:  # a primary-key lookup is some microseconds
            row = conn.execute("SELECT vector FROM vectors WHERE key = ?", (key,)).fetchone()
            if row is not None:
                found[key] = np.frombuffer(row[0], np.float32)
        return found
