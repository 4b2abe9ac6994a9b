"""The optional generative path: any OpenAI-compatible endpoint, checked before anything is sent.

The prompt holds only the retrieved passages and the (PII-masked) conversation, so the model
has nothing else to draw on; what it returns still goes through the grounding check, and a
failing answer is returned as rejected, never as text to send.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import httpx

from wowdesk.bot.grounding import Grounding, check
from wowdesk.config import Settings

NO_ANSWER = "НЕТ ОТВЕТА"
SYSTEM = (
    "Ты — сотрудник поддержки маркетплейса. Отвечай только по фрагментам базы знаний ниже, "
    "коротко и вежливо, на языке клиента. Не добавляй чисел, сроков, сумм, телефонов, ссылок "
    "и названий, которых нет во фрагментах. Если во фрагментах нет ответа, напиши ровно: "
    f"{NO_ANSWER}"
)
MAX_TURNS = 6


class LLMUnavailable(Exception):
    """The endpoint did not give a usable answer (down, slow, refused, malformed)."""


@dataclass(frozen=True)
class LLMConfig:
    url: str
    model: str
    api_key: str | None = None
    timeout_seconds: float = 15.0


@dataclass(frozen=True)
class LLMResult:
    text: str
    grounded: bool
    grounding: Grounding
    rejected_text: str | None


def llm_config_from_settings(settings: Settings) -> LLMConfig | None:
    if not settings.llm_url:
        return None
    key = os.environ.get("WOWDESK_LLM_API_KEY") or os.environ.get("OPENAI_API_KEY")
    return LLMConfig(
        url=settings.llm_url.rstrip("/"),
        model=settings.llm_model,
        api_key=key or None,
        timeout_seconds=settings.llm_timeout_seconds,
    )


def build_messages(passages: list[str], turns: list[str], question: str) -> list[dict[str, str]]:
    sources = "\n\n".join(f"[{n}] {p.strip()}" for n, p in enumerate(passages, start=1))
    history = "\n".join(f"- {t}" for t in turns[-MAX_TURNS:])
    user = (
        f"Фрагменты базы знаний:\n{sources}\n\n"
        + (f"Разговор до этого:\n{history}\n\n" if history else "")
        + f"Вопрос клиента: {question}"
    )
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


def complete(config: LLMConfig, messages: list[dict[str, str]]) -> str:
    headers = {"Authorization": f"Bearer {config.api_key}"} if config.api_key else {}
    body = {"model": config.model, "messages": messages, "temperature": 0}
    try:
        response = httpx.post(
            f"{config.url}/chat/completions",
            json=body,
            headers=headers,
            timeout=config.timeout_seconds,
        )
    except httpx.HTTPError as exc:
        raise LLMUnavailable(f"{type(exc).__name__}: {exc}") from exc
    if response.status_code != 200:
        raise LLMUnavailable(f"HTTP {response.status_code}: {response.text[:200]}")
    try:
        content = response.json()["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise LLMUnavailable(f"malformed response: {response.text[:200]}") from exc
    if not isinstance(content, str):
        raise LLMUnavailable("malformed response: content is not text")
    return content.strip()


def answer_with_llm(
    config: LLMConfig, passages: list[str], turns: list[str], question: str
) -> LLMResult:
    text = complete(config, build_messages(passages, turns, question))
    if not text or NO_ANSWER in text.upper():
        refused = Grounding(False, ["no answer in the passages"], [], [])
        return LLMResult(text="", grounded=False, grounding=refused, rejected_text=None)
    grounding = check(text, passages)
    return LLMResult(
        text=text,
        grounded=grounding.ok,
        grounding=grounding,
        rejected_text=None if grounding.ok else text,
    )
