"""The LLM path against a local OpenAI-compatible server: the real HTTP client, scripted replies."""

from __future__ import annotations

import pytest

from tests.bot.fake_llm import FakeLLM
from wowdesk.bot.llm import LLMConfig, LLMUnavailable, answer_with_llm

PASSAGES = ["Заказ хранится в пункте выдачи 7 дней со дня поступления."]


def test_a_grounded_answer_comes_back_and_the_prompt_holds_only_the_sources() -> None:
    with FakeLLM() as fake:
        fake.script(["Заказ хранится в пункте выдачи 7 дней."])
        config = LLMConfig(url=fake.url, model="demo-model", api_key="sk-test")
        result = answer_with_llm(
            config, PASSAGES, ["Клиент: где заказ [телефон]"], "сколько хранят"
        )
    assert result.grounded and result.text == "Заказ хранится в пункте выдачи 7 дней."
    request = fake.requests[0]
    assert request["model"] == "demo-model" and request["temperature"] == 0
    prompt = request["messages"][1]["content"]
    assert PASSAGES[0] in prompt and "[телефон]" in prompt
    assert fake.headers[0]["Authorization"] == "Bearer sk-test"


def test_an_invented_amount_is_rejected_and_kept() -> None:
    with FakeLLM() as fake:
        fake.script(["Заказ хранится 7 дней, продление стоит 300 ₽."])
        result = answer_with_llm(LLMConfig(url=fake.url, model="m"), PASSAGES, [], "сколько")
    assert not result.grounded
    assert result.rejected_text == "Заказ хранится 7 дней, продление стоит 300 ₽."
    assert any("300" in r for r in result.grounding.reasons)


def test_no_answer_is_not_a_hallucination() -> None:
    with FakeLLM() as fake:
        fake.script(["НЕТ ОТВЕТА"])
        result = answer_with_llm(LLMConfig(url=fake.url, model="m"), PASSAGES, [], "погода?")
    assert not result.grounded and result.rejected_text is None


@pytest.mark.parametrize("failure", ["status", "timeout", "refused"])
def test_an_unusable_endpoint_raises_unavailable(failure: str) -> None:
    with FakeLLM() as fake:
        config = LLMConfig(url=fake.url, model="m", timeout_seconds=0.5)
        if failure == "status":
            fake.status = 500
        elif failure == "timeout":
            fake.delay = 1.5
        else:
            config = LLMConfig(url="http://127.0.0.1:9/v1", model="m", timeout_seconds=0.5)
        with pytest.raises(LLMUnavailable):
            answer_with_llm(config, PASSAGES, [], "вопрос")
