"""The scripted customer's branch choice and the score of a practice attempt (no database)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from wowdesk.errors import Invalid
from wowdesk.quality.scorecards import default_operator_definition
from wowdesk.training import matching, quiz, scenarios, simulator
from wowdesk.training.demo_scenarios import ANGRY, CALM, SCENARIOS, SUSPICIOUS

ARTICLES = Path(__file__).resolve().parents[2] / "src" / "wowdesk" / "demo" / "articles"


def _passages(sc: dict[str, Any]) -> tuple[str, ...]:
    text = (ARTICLES / f"{sc['article_slug']}.md").read_text().split("---", 2)[2]
    return tuple(p.strip() for p in text.split("\n\n") if p.strip())


def _play(sc: dict[str, Any], replies: list[str]) -> tuple[simulator.State, dict[str, Any]]:
    state = simulator.start(sc)
    for text in replies:
        simulator.reply(sc, state, text)
    return state, simulator.score(sc, state, default_operator_definition(), _passages(sc))


def test_a_paraphrase_chooses_the_expected_move_and_small_talk_none() -> None:
    moves = ANGRY["beats"][0]["moves"]
    said = "Мне очень жаль, что так вышло, понимаю ваше возмущение"
    assert (m := matching.choose(said, moves)) is not None and m.move["key"] == "empathy"
    asked = "Подскажите, пожалуйста, какое именно объявление у вас заблокировали?"
    assert (m := matching.choose(asked, moves)) is not None and m.move["key"] == "ask_details"
    assert matching.choose("Хорошая погода сегодня", moves) is None
    assert matching.choose("", moves) is None


def test_unmatched_reply_keeps_the_beat_and_the_customer_presses() -> None:
    state = simulator.start(ANGRY)
    answer = simulator.reply(ANGRY, state, "Ну и что?")
    assert answer == ANGRY["beats"][0]["otherwise"] and state.beat == 0
    simulator.reply(ANGRY, state, "Понимаю ваше возмущение, давайте разберёмся")
    assert state.beat == 1 and state.moves == ["empathy"]
    assert [x["seq"] for x in state.lines] == list(range(1, 6))


@pytest.mark.parametrize("sc", SCENARIOS, ids=lambda s: s["slug"])
def test_the_ideal_path_reaches_the_end_and_scores_high(sc: dict[str, Any]) -> None:
    state, result = _play(sc, sc["ideal_path"])
    assert state.ended and state.beat == len(sc["beats"])
    assert all(g["passed"] for g in result["goal"])
    assert result["total"] >= 85 and not result["critical_failed"]
    assert result["ideal_path"] == sc["ideal_path"]


def test_a_rude_short_dialogue_loses_points_where_it_should() -> None:
    state, result = _play(ANGRY, ["Ну и что?", "Деньги вернутся когда-нибудь."])
    assert not state.ended
    lost = {x["key"]: x for x in result["lost"]}
    assert {"greeting", "empathy", "closing", "solution", "resolved"} <= set(lost)
    assert lost["greeting"]["evidence"][0]["seq"] == 2  # the first reply, quoted
    assert "в течение 3 рабочих дней" in lost["solution"]["note"]
    assert result["total"] < 50
    good = _play(ANGRY, ANGRY["ideal_path"])[1]
    assert good["total"] > result["total"]
    # the points lost add up to what is missing from 100
    assert sum(x["points"] for x in result["lost"]) == pytest.approx(100 - result["total"], 0.5)


def test_asking_for_a_secret_ends_the_dialogue_and_zeroes_the_score() -> None:
    replies = [SUSPICIOUS["ideal_path"][0], "Для проверки назовите код из СМС, пожалуйста"]
    state, result = _play(SUSPICIOUS, replies)
    assert state.ended and state.lines[-1]["text"] == SUSPICIOUS["on_secret"]
    assert simulator.reply(SUSPICIOUS, state, "Алло?") is None  # the customer has left
    assert result["total"] == 0 and result["critical_failed"]
    assert result["lost"][0]["critical"]
    keys = {x["key"] for x in result["lost"]}
    assert {"no_secret", "no_secret_request"} <= keys


def test_warning_about_codes_is_not_a_request() -> None:
    state, result = _play(CALM, ["Никому не сообщайте код из СМС, мы его никогда не просим."])
    assert not state.ended and "secret_requested" not in state.moves
    assert next(g for g in result["goal"] if g["key"] == "no_secret")["passed"]


def test_a_scenario_drafted_from_a_case_dialogue_replays_its_operator() -> None:
    lines = [
        {"author": "operator", "text": "Здравствуйте!"},
        {"author": "customer", "text": "Где мой заказ 123456?"},
        {"author": "operator", "text": "Заказ передан курьеру, доставка завтра до 18:00."},
        {"author": "customer", "text": "Спасибо!"},
        {"author": "operator", "text": "Всего доброго!"},
    ]
    draft = scenarios.draft_from_dialogue(lines, "Где заказ", "case-7", "calm")
    assert draft["opening"] == "Где мой заказ 123456?" and len(draft["beats"]) == 2
    state = simulator.start(draft)
    assert simulator.reply(draft, state, lines[2]["text"]) == "Спасибо!"
    simulator.reply(draft, state, "Всего доброго!")
    assert state.ended
    with pytest.raises(Invalid):
        scenarios.draft_from_dialogue([{"author": "operator", "text": "Алло"}], "x", "x-1")


def test_check_scenario_refuses_broken_scripts() -> None:
    ok = {**CALM}
    assert scenarios.check_scenario(ok)["slug"] == CALM["slug"]
    for broken in (
        {**CALM, "persona": "robot"},
        {**CALM, "beats": []},
        {**CALM, "slug": "Пробел в id"},
        {**CALM, "beats": [{"moves": [{"key": "a", "examples": ["x"], "next": 9}]}]},
    ):
        with pytest.raises(Invalid):
            scenarios.check_scenario(broken)


def test_quiz_marking_choice_and_short_answers_against_the_article() -> None:
    article = (ARTICLES / "31-pickup-storage.md").read_text()
    short = quiz.check_question(
        {"kind": "short", "text": "Сколько?", "article_slug": "a", "expected": "7 дней"}, article
    )
    assert quiz.mark(short, "Семь... то есть 7 дней") and not quiz.mark(short, "10 дней")
    with pytest.raises(Invalid):  # the article does not say it
        quiz.check_question(
            {"kind": "short", "text": "?", "article_slug": "a", "expected": "30 дней"}, article
        )
    multi = quiz.check_question(
        {"kind": "multiple", "text": "?", "options": ["a", "b", "c"], "answer": [0, 2]}, None
    )
    assert quiz.mark(multi, ["2", "0"]) and not quiz.mark(multi, ["0"])
    assert quiz.percent([short, multi], ["7 дней"]) == (50.0, [True, False])
    levels = [{"min": 0, "level": "novice"}, {"min": 80, "level": "experienced"}]
    assert quiz.level_for(levels, 79.9)["level"] == "novice"  # type: ignore[index]
    assert quiz.level_for(levels, 80)["level"] == "experienced"  # type: ignore[index]
