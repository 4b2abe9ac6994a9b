"""Regression cases: a flagged answer fails until the knowledge base or the bot changes."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.helpers import make_user
from tests.safety.conftest import DELIVERY, LOYALTY_Q, STORAGE, STORAGE_Q, ask
from wowdesk.bot import service as bot
from wowdesk.bot.engine import BotEngine
from wowdesk.errors import Invalid
from wowdesk.kb import service as kb
from wowdesk.kb.models import Article, ArticleStatus
from wowdesk.quality import regression
from wowdesk.quality.models import RegressionCase


def _flag(db: Session, engine: BotEngine, question: str = STORAGE_Q) -> RegressionCase:
    """What the incidents' "неверно" button does: a case from the bot's message."""
    conv = ask(db, engine, question)
    answer = bot.conversations.list_messages(db, conv)[-1]
    assert answer.author_kind == "bot"
    return regression.do_add_case(
        db,
        question="",
        topic=DELIVERY,
        channel=conv.channel,
        reason="срок хранения другой",
        conversation_id=conv.id,
        message_id=answer.id,
    )


def _storage_article(db: Session) -> Article:
    found = kb.list_articles(db, query=STORAGE)
    return next(a for a in found if a.title == STORAGE)


def test_a_case_from_a_flagged_message_knows_its_question_article_and_version(
    db: Session, engine_bot: BotEngine
) -> None:
    case = _flag(db, engine_bot)
    assert case.question == STORAGE_Q
    assert case.article_id == _storage_article(db).id and case.article_version == 1
    assert "7 дней" in case.bad_answer and case.conversation_id is not None
    again = regression.do_add_case(db, question="другой", message_id=case.message_id)
    assert again.id == case.id, "flagging the same message twice makes one case"
    with pytest.raises(Invalid):
        regression.do_add_case(db, question="  ")


def test_a_case_fails_while_the_article_is_unchanged(db: Session, engine_bot: BotEngine) -> None:
    case = _flag(db, engine_bot)
    report = regression.run_cases(db, engine_bot)
    assert (report.cases, report.passed, report.failed) == (1, 0, 1)
    result = report.results[0]
    assert result.id == case.id and result.status == "fail" and result.action == "answer"
    assert result.article_id == case.article_id and result.answer
    joined = " ".join(result.reasons)
    assert "неизменённой статье (версия 1)" in joined
    assert "совпадает с отмеченным" in joined
    assert report.to_json()["results"][0]["status"] == "fail"


def test_the_case_passes_once_the_article_is_corrected(db: Session, engine_bot: BotEngine) -> None:
    _flag(db, engine_bot)
    article = _storage_article(db)
    kb.do_update_article(
        db,
        article,
        author=None,
        body="Заказ хранится в пункте выдачи 5 дней со дня поступления. Продлить хранение "
        "можно в приложении на 2 дня: откройте заказ и выберите «Продлить хранение».",
    )
    db.flush()
    report = regression.run_cases(db, engine_bot)
    assert report.failed == 0, report.results
    assert report.results[0].action == "answer" and "5 дней" in (report.results[0].answer or "")


def test_the_case_passes_when_the_article_is_unpublished_and_the_bot_hands_off(
    db: Session, engine_bot: BotEngine
) -> None:
    _flag(db, engine_bot)
    kb.do_set_status(db, _storage_article(db), ArticleStatus.draft, None)
    db.flush()
    report = regression.run_cases(db, engine_bot)
    result = report.results[0]
    assert result.status == "pass" and result.action == "handoff" and result.answer is None


def test_must_contain_and_must_not_contain(db: Session, engine_bot: BotEngine) -> None:
    supervisor = make_user(db, "supervisor")
    case = regression.do_add_case(
        db,
        question=LOYALTY_Q,
        bad_answer="Скидка 10 % на всё",
        created_by=supervisor.id,
        must_contain=["100 000 ₽", "кэшбэк"],
        must_not_contain=["2,5 %"],
    )
    result = regression.run_cases(db, engine_bot).results[0]
    assert result.status == "fail"
    assert any("нет «кэшбэк»" in r for r in result.reasons)
    assert any("есть «2,5 %»" in r for r in result.reasons)
    assert not any("100 000" in r for r in result.reasons)
    regression.do_update_case(db, case.id, must_contain=["100 000 ₽"], must_not_contain=[])
    assert regression.run_cases(db, engine_bot).failed == 0
    regression.do_update_case(db, case.id, active=False)
    assert regression.run_cases(db, engine_bot).cases == 0


def test_an_answer_asking_for_secrets_is_never_given(db: Session, engine_bot: BotEngine) -> None:
    """The guards stop the answer before it is sent: the replay hands off, which is safe."""
    kb.do_create_article(
        db,
        title="Как подтвердить оплату картой",
        body="Чтобы подтвердить оплату картой, сообщите нам код из СМС и три цифры на обороте "
        "карты, оператор проведёт платёж.",
        author=None,
        publish=True,
    )
    db.flush()
    regression.do_add_case(db, question="как подтвердить оплату картой?")
    result = regression.run_cases(db, engine_bot).results[0]
    assert (result.status, result.action, result.answer) == ("pass", "handoff", None)


def test_same_text_ignores_links_and_spacing_but_not_a_corrected_fact() -> None:
    a = "Заказ хранится 7 дней.\n\nПодробнее: http://one.test/help/3"
    b = "Заказ  хранится 7 дней. Подробнее: https://other.example/help/3"
    assert regression.same_text(a, b)
    assert not regression.same_text(a, "Заказ хранится 5 дней. Подробнее: http://one.test/help/3")
    assert not regression.same_text(a, "Совсем другой ответ про скидки")
