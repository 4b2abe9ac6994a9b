"""The encoder shares a query's vector between triage and search, never an index's batch."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from wowdesk.nlp import encoder as enc


@pytest.fixture
def forwards(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[list[str]]]:
    """Each forward pass's texts; vectors derived from the text, no model loaded."""
    seen: list[list[str]] = []

    def forward(self: enc.UniversalSentenceEncoder, texts: list[str]) -> np.ndarray:
        seen.append(list(texts))
        return np.asarray([[len(t), ord(t[0]), 1.0] for t in texts], np.float32)

    monkeypatch.setattr(enc.UniversalSentenceEncoder, "_forward", forward)
    enc._query_vector.cache_clear()
    yield seen
    enc._query_vector.cache_clear()


def test_a_question_encoded_for_triage_is_not_encoded_again_for_its_search(
    forwards: list[list[str]],
) -> None:
    model = enc.UniversalSentenceEncoder()
    first = model.encode(["как вернуть товар"])
    both = model.encode(["как вернуть товар", "как вернуть товар если он не подошёл"])
    assert forwards == [["как вернуть товар"], ["как вернуть товар если он не подошёл"]]
    assert np.array_equal(both[0], first[0])
    both[0, 0] = -1.0  # the caller's copy: the shared vector stays as it was
    assert model.encode(["как вернуть товар"])[0, 0] == len("как вернуть товар")


def test_an_index_batch_goes_straight_to_the_model(forwards: list[list[str]]) -> None:
    model = enc.UniversalSentenceEncoder()
    passages = ["первый абзац", "второй абзац", "третий абзац"]
    model.encode(passages)
    model.encode(passages)
    assert forwards == [passages, passages]
    assert enc._query_vector.cache_info().currsize == 0
