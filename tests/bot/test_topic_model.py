"""The embedded topic model: learns Russian word forms, saves, loads, and reports its figures."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from wowdesk.bot.engine import BotEngine
from wowdesk.bot.topic_model import TopicModel, evaluate, read_labelled_csv
from wowdesk.cli.bot import eval_triage
from wowdesk.errors import Invalid
from wowdesk.kb.knowledge import Knowledge
from wowdesk.kb.retrieval import Document, Index
from wowdesk.nlp.encoder import UniversalSentenceEncoder, default_encoder, query_vectors

EXAMPLES = {
    "доставка": [
        "где мой заказ",
        "когда привезут посылку",
        "курьер не приехал",
        "посылка застряла в пути",
        "сколько хранится заказ в пункте выдачи",
        "доставка опаздывает на три дня",
    ],
    "оплата": [
        "не проходит оплата картой",
        "списали деньги дважды",
        "когда вернут деньги за заказ",
        "банк отклонил платёж",
        "как оплатить через сбп",
        "оплата зависла",
    ],
    "безопасность": [
        "аккаунт взломали",
        "пришёл код из смс а я не входил",
        "как сменить пароль",
        "мошенники просят код",
        "кто-то зашёл в мой профиль",
        "включить двухфакторную защиту",
    ],
}


@pytest.fixture(scope="module")
def model() -> TopicModel:
    texts = [t for ts in EXAMPLES.values() for t in ts]
    labels = [label for label, ts in EXAMPLES.items() for _ in ts]
    return TopicModel.fit(texts, labels)


def test_unseen_word_forms_get_their_topic(model: TopicModel) -> None:
    assert model.predict_one("курьеры не приезжают, посылки нет").label == "доставка"
    assert model.predict_one("взломан мой аккаунт, смените пароли").label == "безопасность"
    assert model.predict_one("оплату картой не принимает").label == "оплата"


def test_confidence_is_a_probability_and_top_is_sorted(model: TopicModel) -> None:
    prediction = model.predict_one("где посылка")
    assert 0.0 <= prediction.confidence <= 1.0
    scores = [score for _label, score in prediction.top]
    assert scores == sorted(scores, reverse=True)
    assert prediction.top[0] == (prediction.label, prediction.confidence)


def _pipeline_probabilities(model: TopicModel, text: str) -> np.ndarray:
    scores = np.asarray(model.pipeline.decision_function([text]))
    if scores.ndim == 1:
        scores = np.stack([-scores, scores], axis=-1)
    z = scores[0] * model.temperature
    e = np.exp(z - z.max())
    return np.asarray(e / e.sum())


def test_one_message_scores_as_the_fitted_pipeline_does(model: TopicModel) -> None:
    """A turn's fast path (no scikit-learn per-call work) must give the pipeline's numbers:
    on the demo topics, on a two-topic model, and on real-style messages with words, typos,
    emoji and Latin letters no vocabulary holds."""
    import csv

    from wowdesk.bot.training import DEMO_EXAMPLES

    queries = Path(__file__).parents[2] / "benchmarks" / "data" / "kb_queries_noisy_ru.csv"
    with queries.open(encoding="utf-8") as fh:
        messages = [row["query"] for row in csv.DictReader(fh)][:60]
    messages += ["", "!!!", "zzzz qqqq", "курьер 🙂🙂 не приехал", "Payment failed twice"]
    texts, labels = read_labelled_csv(DEMO_EXAMPLES)
    two = TopicModel.fit(
        [t for ts in list(EXAMPLES.values())[:2] for t in ts],
        [label for label, ts in list(EXAMPLES.items())[:2] for _ in ts],
    )
    for fitted in (TopicModel.fit(texts, labels), model, two):
        for text in messages:
            expected = _pipeline_probabilities(fitted, text)
            np.testing.assert_allclose(fitted.probabilities(text), expected, atol=1e-6)


def test_save_and_load_give_the_same_answers(model: TopicModel, tmp_path: Path) -> None:
    path = tmp_path / "m.joblib"
    model.save(path)
    loaded = TopicModel.load(path)
    text = "деньги списали два раза"
    assert loaded.predict_one(text) == model.predict_one(text)
    (tmp_path / "bad.joblib").write_bytes(b"not a model")
    with pytest.raises(Invalid):
        TopicModel.load(tmp_path / "bad.joblib")


def test_bad_training_files_say_where(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("text,label\nпривет,a\n,b\n", encoding="utf-8")
    with pytest.raises(Invalid) as err:
        read_labelled_csv(path)
    assert err.value.params["line"] == 3
    path.write_text("words,topic\nx,y\n", encoding="utf-8")
    with pytest.raises(Invalid):
        read_labelled_csv(path)
    path.write_text("text,label\nx,a\ny,a\n", encoding="utf-8")
    with pytest.raises(Invalid):
        read_labelled_csv(path)


def _write(path: Path, rows: dict[str, list[str]]) -> Path:
    lines = ["text,label"] + [f"{t},{label}" for label, ts in rows.items() for t in ts]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_evaluate_and_the_cli_print_the_agreed_keys(tmp_path: Path) -> None:
    train = _write(tmp_path / "train.csv", {k: v[:4] for k, v in EXAMPLES.items()})
    test = _write(tmp_path / "test.csv", {k: v[4:] for k, v in EXAMPLES.items()})
    keys = {"accuracy", "macro_f1", "n_test", "train_seconds", "p50_ms", "p99_ms"}
    result = evaluate(*read_labelled_csv(train), *read_labelled_csv(test))
    assert set(result) == keys and result["n_test"] == 6

    app = typer.Typer()
    app.command()(eval_triage)
    out = CliRunner().invoke(app, ["--train", str(train), "--test", str(test), "--json"])
    assert out.exit_code == 0, out.output
    printed = json.loads(out.stdout)
    assert set(printed) == keys
    assert 0.0 <= printed["accuracy"] <= 1.0


def test_a_running_engine_picks_up_a_retrained_model(model: TopicModel, tmp_path: Path) -> None:
    """`wowdesk triage train` while the server runs: the next message uses the new model,
    and a damaged file never takes the working one out of service."""
    path = tmp_path / "topic_model.joblib"
    engine = BotEngine(Knowledge(), topic_model_path=path)
    assert engine.classify("где посылка") == ("", 0.0)  # no model yet: no topic
    model.save(path)
    assert engine.classify("где посылка")[0] == "доставка"
    retrained = TopicModel.fit(["где посылка", "курьер", "пароль", "взлом"], ["a", "a", "b", "b"])
    retrained.save(path)
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))
    assert engine.classify("где посылка")[0] == "a"
    path.write_bytes(b"half a file")
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 2 * 10**9))
    assert engine.classify("где посылка")[0] == "a"


def test_a_turn_encodes_its_message_once(
    model: TopicModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Triage's vector and the search's (the question part and the whole message) come from
    one forward pass of the encoder, which costs about the same for one text as for three."""
    passes: list[list[str]] = []
    forward = UniversalSentenceEncoder._forward

    def counted(self: UniversalSentenceEncoder, texts: list[str]) -> np.ndarray:
        passes.append(list(texts))
        return forward(self, texts)

    index = Index(default_encoder())
    index.add(Document(1, "Сколько хранится заказ", "Заказ хранится в пункте выдачи 7 дней."))
    bot = BotEngine(Knowledge(index), topic_model=model)
    monkeypatch.setattr(UniversalSentenceEncoder, "_forward", counted)
    query_vectors.clear()
    message = "Добрый день! Посылка пришла в пункт выдачи вчера. Сколько дней её там хранят?"
    assert bot.classify(message)[0] == "доставка"
    assert index.search(message)[0].article_id == 1
    assert len(passes) == 1 and len(passes[0]) == 3
