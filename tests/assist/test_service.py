"""Operator assist: templates, suggestions from the three sources, the operator's choice,
the live push and the summary a colleague receives with a transfer."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.helpers import capture_events, make_user, new_conversation
from wowdesk import events
from wowdesk.assist import service
from wowdesk.assist.colleagues import ColleagueIndex, pairs_of
from wowdesk.assist.indexes import Assistant
from wowdesk.assist.models import Outcome, SuggestionLog
from wowdesk.bot import service as bot
from wowdesk.conversations import service as conversations
from wowdesk.conversations import topics
from wowdesk.conversations.models import Conversation
from wowdesk.conversations.threads import RatedThread
from wowdesk.customers import service as customers
from wowdesk.db import utcnow
from wowdesk.demo.templates import TEMPLATES
from wowdesk.errors import Forbidden, Invalid
from wowdesk.kb import service as kb
from wowdesk.kb import verdicts
from wowdesk.kb.knowledge import Knowledge
from wowdesk.operators import presence
from wowdesk.operators.models import OperatorStatus, User
from wowdesk.routing import service as routing

PICKUP = (
    "Сколько хранится заказ в пункте выдачи",
    "Заказ хранится в пункте выдачи 7 дней со дня поступления. Срок можно продлить один раз "
    "ещё на 3 дня в карточке заказа. Если не забрать заказ, он вернётся продавцу.\n\n"
    "Пункты выдачи работают с 10:00 до 22:00 без выходных.",
)
GOOD_ANSWER = (
    "Заказ ждёт вас в пункте выдачи 7 дней, а в карточке заказа можно продлить хранение "
    "ещё на 3 дня — кнопка «Продлить срок»."
)
BAD_ANSWER = "Не знаю, обратитесь в пункт выдачи сами, там точно подскажут все сроки хранения."


def say(db: Session, conv: Conversation, text: str) -> int:
    msg, _created = conversations.do_customer_message(
        db, conv, client_id=uuid.uuid4().hex, text=text, limit=4000
    )
    return msg.id


def reply(db: Session, conv: Conversation, user: User, text: str) -> int:
    msg, _created = conversations.do_operator_message(
        db, conv, user, client_id=uuid.uuid4().hex, text=text, limit=4000
    )
    return msg.id


def held(db: Session, user: User, text: str, name: str = "Мария Кузнецова") -> Conversation:
    """Assigned to `user`, whose console opens it (suggestions are pushed for that one)."""
    conv = new_conversation(db, text, name=name)
    conv = conversations.do_assign(db, conv.id, user)
    presence.do_note_watching(db, user.id, conv.id)
    return conv


def rated(db: Session, user: User, question: str, answer: str, csat: int) -> Conversation:
    conv = held(db, user, question, name="Ольга Иванова")
    reply(db, conv, user, answer)
    conversations.do_close(db, conv, user)
    topic = topics.list_topics(db)[0] if topics.list_topics(db) else None
    topic = topic or topics.do_create_topic(db, "Доставка")
    conversations.do_wrapup(db, conv, user, topic_id=topic.id)
    conversations.do_rate(db, conv, csat)
    return conv


@pytest.fixture
def anna(db: Session) -> User:
    return make_user(db, name="Анна Смирнова")


@pytest.fixture
def assistant(db: Session) -> Assistant:
    kb.do_create_article(db, title=PICKUP[0], body=PICKUP[1], author=None, publish=True)
    kb.do_create_article(
        db,
        title="Как изменить пароль",
        body="Откройте настройки, раздел «Безопасность», и нажмите «Сменить пароль».",
        author=None,
        publish=True,
    )
    service.do_load_templates(db, list(TEMPLATES))
    return Assistant(Knowledge())


# --- templates ----------------------------------------------------------------------------


def test_templates_are_checked_and_managed(db: Session) -> None:
    boss = make_user(db, "supervisor")
    with pytest.raises(Invalid) as unknown:
        service.do_create_template(
            db, boss, title="Бонус", category="other", text="Ваш бонус: {customer.bonus}"
        )
    assert unknown.value.code == "unknown_variable"
    with pytest.raises(Invalid):
        service.do_create_template(db, boss, title=" ", category="other", text="Текст")
    with pytest.raises(Invalid):
        service.do_create_template(db, boss, title="Т", category="gossip", text="Текст")
    t = service.do_create_template(
        db, boss, title="Ожидание", category="other", text="Минуту, {customer.first_name}."
    )
    assert t.updated_by == boss.id and t.active
    service.do_update_template(
        db, t, boss, title="Ожидание", category="other", text="Минуту.", language="ru", active=False
    )
    assert t.text == "Минуту." and not t.active
    assert service.do_load_templates(db, list(TEMPLATES)) == len(TEMPLATES)
    assert service.do_load_templates(db, list(TEMPLATES)) == 0  # a re-run adds nothing


def test_search_by_word_start_stem_and_category(db: Session) -> None:
    service.do_load_templates(db, list(TEMPLATES))
    clarify = service.search_templates(db, "уточн", limit=20)
    assert clarify and all(t.category == "clarification" for t in clarify)
    assert {t.title for t in service.search_templates(db, "извин")} == {"Извинение за ожидание"}
    greetings = service.search_templates(db, "приветствие", limit=20)
    assert {t.category for t in greetings} == {"greeting"}
    assert greetings[0].title.startswith("Приветствие")  # title matches first
    # another form of the word (a shared stem) finds it too
    assert any("повторять" in t.text for t in service.search_templates(db, "повторяя"))
    assert service.search_templates(db, "уточн заказа")[0].title == "Уточнить номер заказа"
    assert service.search_templates(db, "абракадабра") == []
    order = service.search_templates(db, "номер заказа")[0]
    boss = make_user(db, "supervisor")
    service.do_update_template(
        db,
        order,
        boss,
        title=order.title,
        category=order.category,
        text=order.text,
        language="ru",
        active=False,
    )
    assert order not in service.search_templates(db, "номер заказа")  # switched off
    assert len(service.search_templates(db, "", limit=5)) == 5


def test_variables_of_a_conversation_and_what_stays_missing(db: Session, anna: User) -> None:
    service.do_load_templates(db, list(TEMPLATES))
    conv = held(db, anna, "Когда будет скидка?")
    greeting = service.search_templates(db, "приветствие с именем")[0]
    out = service.render_for(db, greeting, conv.id, anna)
    assert out.text.startswith("Здравствуйте, Мария! Меня зовут Анна,") and out.missing == []
    loyalty = service.search_templates(db, "скидки")[0]
    out = service.render_for(db, loyalty, conv.id, anna)
    # no orders yet: the whole threshold is still to go
    assert out.missing == [] and "100\u00a0000\u00a0₽" in out.text
    assert out.text.startswith("Мария, до скидки")
    nameless = held(db, anna, "Привет", name="")
    out = service.render_for(db, greeting, nameless.id, anna)
    assert out.missing == ["customer.first_name"] and "{customer.first_name}" in out.text
    context = service.template_context(db, conv.id, anna)
    assert (
        context["conversation.id"] == str(conv.id) and context["operator.name"] == "Анна Смирнова"
    )
    # a nameless customer is greeted by the name they gave (the first failed before)
    for said, called in (
        ("Здравствуйте! Меня зовут Ольга Соколова. Заказ 123456 не пришёл", "Ольга"),
        ("привет, я ольга, заказ не пришёл", "Ольга"),
        ("Курьер Иван нахамил мне", None),  # someone else's name is not theirs
    ):
        unnamed = held(db, anna, said, name="")
        context = service.template_context(db, unnamed.id, anna)
        assert context["customer.first_name"] == called, said
    out = service.render_for(db, greeting, nameless.id, anna)
    assert out.missing == ["customer.first_name"]
    say(db, nameless, "Меня зовут Пётр Иванов")
    out = service.render_for(db, greeting, nameless.id, anna)
    assert out.text.startswith("Здравствуйте, Пётр!") and out.missing == []


def test_a_blank_suggested_before_the_customer_was_named_is_filled_when_asked_again(
    db: Session, anna: User, assistant: Assistant
) -> None:
    """Suggestions are stored once per message: the greeting kept «{customer.first_name}»
    after the operator named the customer in Customer 360."""
    service.do_load_templates(db, list(TEMPLATES))
    conv = held(db, anna, "Добрый день. Где мой заказ?", name="")
    first = service.do_suggest(db, assistant, conv.id)
    assert first is not None

    def greeting(log: SuggestionLog) -> dict[str, object]:
        return next(
            s
            for s in log.suggestions
            if s["source"] == "template" and str(s["text"]).startswith("Здравствуйте")
        )

    assert greeting(first)["missing"] == ["customer.first_name"]
    others = [dict(s) for s in first.suggestions if s["source"] != "template"]
    customers.do_set_name(db, conv.customer_id, "Ольга Соколова")
    again = service.access_suggestions(db, assistant, anna, conv.id)
    assert again is not None and again.id == first.id
    assert str(greeting(again)["text"]).startswith("Здравствуйте, Ольга!")
    assert greeting(again)["missing"] == []
    db.expire_all()
    kept = service.access_suggestions(db, assistant, anna, conv.id)
    assert kept is not None and str(greeting(kept)["text"]).startswith("Здравствуйте, Ольга!")
    # the other suggestions are as they were
    assert [s for s in kept.suggestions if s["source"] != "template"] == others


# --- suggestions ---------------------------------------------------------------------------


def test_suggestions_come_from_the_kb_templates_and_well_rated_colleagues(
    db: Session, anna: User, assistant: Assistant
) -> None:
    boris = make_user(db, name="Борис Орлов")
    good = rated(db, boris, "Сколько дней хранится заказ в пункте выдачи?", GOOD_ANSWER, 5)
    rated(db, boris, "Сколько хранится заказ в пункте выдачи?", BAD_ANSWER, 2)
    conv = held(db, anna, "Подскажите, сколько дней заказ будет храниться в пункте выдачи?")
    log = service.do_suggest(db, assistant, conv.id)
    assert log is not None
    shown = log.suggestions
    assert [s["rank"] for s in shown] == [0, 1, 2]
    by_source = {s["source"]: s for s in shown}
    assert set(by_source) == {"kb", "colleague", "template"}
    # answers to the question first, ranked by how well they match; the greeting after them
    assert [s["source"] for s in shown][2] == "template"
    assert shown[0]["score"] >= shown[1]["score"] >= shown[2]["score"]
    kb_text = by_source["kb"]["text"]
    assert "7 дней" in kb_text and "22:00" not in kb_text  # the sentences, not the article
    assert by_source["kb"]["title"] == PICKUP[0] and by_source["kb"]["why"]
    assert by_source["colleague"]["ref"] == {"conversation_id": good.id}
    assert "5/5" in by_source["colleague"]["why"]
    assert all(BAD_ANSWER not in s["text"] for s in shown)  # rated 2: never suggested
    greeting = by_source["template"]
    assert greeting["ref"]["category"] == "greeting"  # Anna has not written yet
    assert greeting["text"].startswith("Здравствуйте, Мария! Меня зовут Анна")


def test_the_moment_decides_which_template(db: Session, anna: User, assistant: Assistant) -> None:
    angry = held(db, anna, "Это просто ужас!!! Третий день жду заказ, никто ничего не делает")
    first = service.do_suggest(db, assistant, angry.id)
    assert first is not None
    assert first.suggestions[0]["ref"]["category"] == "empathy"
    conv = held(db, anna, "Где мой заказ?")
    reply(db, conv, anna, "Проверила: заказ в пути, курьер привезёт его сегодня до 21:00.")
    say(db, conv, "Спасибо большое, всё понятно!")
    thanks = service.do_suggest(db, assistant, conv.id)
    assert thanks is not None
    assert thanks.suggestions[0]["ref"]["category"] == "closing"
    assert all(s["ref"].get("category") != "greeting" for s in thanks.suggestions)
    vague = held(db, anna, "У меня проблема")
    out = service.do_suggest(db, assistant, vague.id)
    assert out is not None
    assert "clarification" in {s["ref"].get("category") for s in out.suggestions}


def test_variables_are_read_only_for_a_suggestion_that_uses_them(
    db: Session, anna: User, assistant: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    read: list[int] = []
    context = service.template_context

    def counted(db: Session, conversation_id: int, operator: User) -> dict[str, str | None]:
        read.append(conversation_id)
        return context(db, conversation_id, operator)

    monkeypatch.setattr(service, "template_context", counted)
    conv = held(db, anna, "Сколько дней хранится заказ в пункте выдачи?")
    first = service.do_suggest(db, assistant, conv.id)
    assert first is not None and first.suggestions[-1]["text"].startswith("Здравствуйте, Мария!")
    assert read == [conv.id]  # the greeting names the customer
    reply(db, conv, anna, "Здравствуйте, Мария! Заказ хранится 7 дней.")
    say(db, conv, "А можно продлить срок хранения заказа в пункте выдачи?")
    follow_up = service.do_suggest(db, assistant, conv.id)
    assert follow_up is not None and follow_up.suggestions
    assert all("{" not in s["text"] for s in follow_up.suggestions)
    assert read == [conv.id]  # the article needs no variable


def test_stored_once_pushed_to_the_holder_after_commit(
    db: Session, anna: User, assistant: Assistant
) -> None:
    conv = held(db, anna, "Сколько хранится заказ в пункте выдачи?")
    bus = capture_events(db)
    log = service.do_suggest(db, assistant, conv.id)
    assert log is not None
    assert bus.published == []  # nothing before the commit
    db.commit()
    pushed = [(c, p) for c, p in bus.published if p["type"] == "assist"]
    assert len(pushed) == 1
    channels, payload = pushed[0]
    assert channels == (events.operator_channel(anna.id),)  # never the customer's channel
    assert payload["log_id"] == log.id and payload["suggestions"] == log.suggestions
    again = service.do_suggest(db, assistant, conv.id)
    assert again is not None and again.id == log.id
    newer = say(db, conv, "И можно ли продлить срок?")
    assert service.do_suggest(db, assistant, conv.id, log.message_id) is None  # outdated
    fresh = service.do_suggest(db, assistant, conv.id, newer)
    assert fresh is not None and fresh.id != log.id
    reply(db, conv, anna, "Да, срок можно продлить на 3 дня в карточке заказа.")
    assert service.do_suggest(db, assistant, conv.id) is None  # answered: nothing to suggest


def test_a_long_unanswered_run_is_suggested_for_by_its_latest_messages(
    db: Session, anna: User, assistant: Assistant
) -> None:
    conv = held(db, anna, "Сколько хранится заказ в пункте выдачи?")
    later = [
        "Алло?",
        "Вы здесь?",
        "Ладно, другой вопрос.",
        "Не могу войти в кабинет.",
        "Как изменить пароль?",
        "Подскажите, пожалуйста",
    ]
    for text in later:
        say(db, conv, text)
    found = service.current_turn(db, conv)
    assert found is not None
    turn = found[1]
    assert turn.text == " ".join(later[-service.TURN_MESSAGES :])
    assert "пункте выдачи" not in turn.query  # the first question is not what they ask now
    log = service.do_suggest(db, assistant, conv.id)
    assert log is not None
    assert [s["title"] for s in log.suggestions if s["source"] == "kb"] == ["Как изменить пароль"]


def test_pushed_only_for_the_conversation_the_console_shows(
    db: Session, anna: User, assistant: Assistant
) -> None:
    shown = held(db, anna, "Сколько хранится заказ в пункте выдачи?")
    other = held(db, anna, "Где мой заказ?")  # opened last: the console shows this one
    message = say(db, shown, "И можно ли продлить срок?")
    # the console shows the other conversation: nothing computed, nothing stored
    assert service.do_suggest(db, assistant, shown.id, message) is None
    assert service.access_suggestions(db, assistant, anna, other.id) is not None
    # opened: computed then, in the holder's name, and stored once
    opened = service.access_suggestions(db, assistant, anna, shown.id)
    assert opened is not None and opened.message_id == message and opened.operator_id == anna.id
    presence.do_note_watching(db, anna.id, shown.id)
    again = service.do_suggest(db, assistant, shown.id, message)
    assert again is not None and again.id == opened.id
    # the console closed: nothing is pushed any more
    presence.do_note_left(db, anna.id, utcnow())
    newer = say(db, shown, "Алло?")
    assert service.do_suggest(db, assistant, shown.id, newer) is None


def test_only_the_shown_conversations_customer_messages_go_to_the_assistant(
    db: Session, anna: User
) -> None:
    shown = held(db, anna, "Сколько хранится заказ в пункте выдачи?")
    other = held(db, anna, "Где мой заказ?")
    presence.do_note_watching(db, anna.id, shown.id)
    bus = capture_events(db)
    say(db, shown, "И можно ли продлить срок?")
    say(db, other, "Алло?")
    db.commit()
    heard = [
        p["message"]["conversation_id"]
        for channels, p in bus.published
        if p["type"] == "message" and events.ASSIST_CHANNEL in channels
    ]
    assert heard == [shown.id]


def test_choice_is_used_edited_or_ignored(db: Session, anna: User, assistant: Assistant) -> None:
    def fresh() -> tuple[Conversation, int, list[dict[str, object]]]:
        conv = held(db, anna, "Сколько хранится заказ в пункте выдачи?")
        log = service.do_suggest(db, assistant, conv.id)
        assert log is not None
        return conv, log.id, log.suggestions

    conv, log_id, shown = fresh()
    sent = reply(db, conv, anna, str(shown[0]["text"]))
    used = service.do_record_choice(db, anna, conv.id, message_id=sent, log_id=log_id, rank=0)
    assert used.outcome == Outcome.used and used.similarity == 1.0
    assert used.chosen is not None and used.chosen["source"] == shown[0]["source"]
    assert used.sent_message_id == sent
    # the first reply decides: a later report changes nothing
    later = reply(db, conv, anna, "Что-нибудь ещё?")
    same = service.do_record_choice(db, anna, conv.id, message_id=later, log_id=log_id)
    assert same.outcome == Outcome.used

    conv, log_id, shown = fresh()
    sent = reply(db, conv, anna, "Мария, " + str(shown[0]["text"]).replace("7 дней", "семь дней"))
    edited = service.do_record_choice(db, anna, conv.id, message_id=sent, log_id=log_id, rank=0)
    assert edited.outcome == Outcome.edited and edited.similarity is not None
    assert 0.5 <= edited.similarity < 1.0

    conv, log_id, shown = fresh()
    sent = reply(db, conv, anna, "Сейчас уточню у коллег и вернусь.")
    ignored = service.do_record_choice(db, anna, conv.id, message_id=sent, log_id=log_id)
    assert ignored.outcome == Outcome.ignored and ignored.chosen is None

    conv, log_id, shown = fresh()
    sent = reply(db, conv, anna, "Сейчас уточню у коллег и вернусь.")
    replaced = service.do_record_choice(db, anna, conv.id, message_id=sent, log_id=log_id, rank=1)
    assert replaced.outcome == Outcome.ignored and replaced.similarity is not None

    # a template picked with "/" and sent as is, with no suggestions on screen
    conv = held(db, anna, "Здравствуйте")
    template = service.search_templates(db, "приветствие с именем")[0]
    text = service.render_for(db, template, conv.id, anna).text
    sent = reply(db, conv, anna, text)
    picked = service.do_record_choice(db, anna, conv.id, message_id=sent, template_id=template.id)
    assert picked.outcome == Outcome.used and picked.chosen is not None
    assert picked.chosen["ref"]["template_id"] == template.id
    counts = service.outcome_counts(db)
    assert counts["template"]["used"] >= 1 and counts["none"]["ignored"] == 1


def test_a_sent_kb_suggestion_is_a_verdict_for_the_search(
    db: Session, anna: User, assistant: Assistant
) -> None:
    """The operator who sends an article's suggestion says that article answers the words
    it was searched for; a supervisor's verdict on the same words stands."""

    def suggested(question: str) -> tuple[Conversation, int, int, dict[str, Any]]:
        conv = held(db, anna, question)
        log = service.do_suggest(db, assistant, conv.id)
        assert log is not None and log.query is not None  # the masked words searched for
        assert log.query.startswith(question.split("?")[0]) and "916" not in log.query
        found = [s for s in log.suggestions if s["source"] == "kb"]
        assert found, log.suggestions
        return conv, log.id, int(found[0]["rank"]), found[0]

    question = "Сколько хранится заказ в пункте выдачи? Звоните 8 916 123-45-67"
    conv, log_id, rank, shown = suggested(question)
    sent = reply(db, conv, anna, "Мария, " + str(shown["text"]))
    service.do_record_choice(db, anna, conv.id, message_id=sent, log_id=log_id, rank=rank)
    [verdict] = verdicts.list_verdicts(db)
    assert verdict.article_id == shown["ref"]["article_id"]
    assert verdict.source == "operator" and verdict.user_id == anna.id
    assert verdict.query == "Сколько хранится заказ в пункте выдачи? Звоните [PHONE]"

    # an ignored suggestion says nothing about the article
    conv, log_id, rank, _shown = suggested("Сколько дней лежит посылка в пункте выдачи?")
    sent = reply(db, conv, anna, "Сейчас уточню у коллег и вернусь.")
    service.do_record_choice(db, anna, conv.id, message_id=sent, log_id=log_id, rank=rank)
    assert len(verdicts.list_verdicts(db)) == 1

    # the article she found herself (the console's search inserts its link) answered it
    [password] = [a for a in kb.list_articles(db) if a.title == "Как изменить пароль"]
    conv, log_id, rank, _shown = suggested("Сколько хранится посылка, если я в отпуске?")
    link = f"Вот инструкция: https://help.example.ru/help/{password.id}"
    sent = reply(db, conv, anna, link)
    service.do_record_choice(db, anna, conv.id, message_id=sent, log_id=log_id)
    found = verdicts.list_verdicts(db)[0]
    assert found.article_id == password.id and found.source == "operator"
    assert found.query == "Сколько хранится посылка, если я в отпуске?"
    # two articles linked: which one answered is not known
    conv, log_id, rank, _shown = suggested("Где пункт выдачи и как продлить хранение?")
    sent = reply(db, conv, anna, f"{link} и /help/{verdict.article_id}")
    service.do_record_choice(db, anna, conv.id, message_id=sent, log_id=log_id)
    assert len(verdicts.list_verdicts(db)) == 2

    # a supervisor said no article answers these words: the operator's use leaves it so
    boss = make_user(db, "supervisor")
    other = "Как долго заказ ждёт в пункте выдачи?"
    said = verdicts.do_record_verdict(db, boss, other, None)
    conv, log_id, rank, shown = suggested(other)
    sent = reply(db, conv, anna, str(shown["text"]))
    service.do_record_choice(db, anna, conv.id, message_id=sent, log_id=log_id, rank=rank)
    db.refresh(said)
    assert said.source == "supervisor" and said.article_id is None and said.user_id == boss.id
    # and the supervisor's word replaces an operator's
    again = verdicts.do_record_verdict(db, boss, verdict.query, None)
    assert again.id == verdict.id and again.source == "supervisor" and again.article_id is None
    assert verdicts.count_verdicts(db) == (3, 1)


def test_choice_reports_are_checked(db: Session, anna: User, assistant: Assistant) -> None:
    conv = held(db, anna, "Сколько хранится заказ в пункте выдачи?")
    log = service.do_suggest(db, assistant, conv.id)
    assert log is not None
    question = log.message_id
    with pytest.raises(Invalid) as not_reply:
        service.do_record_choice(db, anna, conv.id, message_id=question, log_id=log.id)
    assert not_reply.value.code == "not_a_reply"
    sent = reply(db, conv, anna, "Семь дней.")
    boris = make_user(db)
    with pytest.raises(Forbidden):
        service.do_record_choice(db, boris, conv.id, message_id=sent, log_id=log.id)
    with pytest.raises(Invalid) as unknown:
        service.do_record_choice(db, anna, conv.id, message_id=sent, log_id=log.id, rank=7)
    assert unknown.value.code == "unknown_suggestion"
    with pytest.raises(Invalid):
        service.do_record_choice(
            db, anna, conv.id, message_id=sent, log_id=log.id, rank=0, template_id=1
        )


# --- colleagues' answers ----------------------------------------------------------------------


def test_colleague_index_grows_with_new_ratings_only(db: Session, anna: User) -> None:
    index = ColleagueIndex()
    rated(db, anna, "Сколько дней хранится заказ в пункте выдачи?", GOOD_ANSWER, 5)
    assert index.refresh(db) == 1
    assert index.refresh(db) == 0  # nothing new
    rated(db, anna, "Как продлить хранение заказа в пункте выдачи?", GOOD_ANSWER, 4)
    rated(
        db,
        anna,
        "Как сменить пароль от аккаунта?",
        "Пароль меняется в настройках, раздел «Безопасность».",
        5,
    )
    rated(db, anna, "Где мой заказ?", "Не знаю, ждите дальше, может быть когда-нибудь придёт.", 1)
    assert index.refresh(db) == 2
    best = index.search("можно ли продлить срок хранения заказа?", k=3)
    assert best[0].pair.answer == GOOD_ANSWER and best[0].count == 2
    assert len({m.pair.answer for m in best}) == len(best)  # distinct answers


def test_pairs_skip_greetings_and_join_what_the_customer_said() -> None:
    thread = RatedThread(
        7,
        5,
        None,  # type: ignore[arg-type]
        [
            ("customer", "Здравствуйте!"),
            ("operator", "Здравствуйте, меня зовут Анна."),
            ("customer", "Заказ не пришёл."),
            ("customer", "Номер 12345678."),
            ("operator", "Вижу заказ 12345678: курьер привезёт его завтра с 10 до 14 часов."),
        ],
    )
    pairs = pairs_of(thread)
    assert len(pairs) == 1
    assert pairs[0].question == "Здравствуйте! Заказ не пришёл. Номер 12345678."


# --- handoff between colleagues -------------------------------------------------------------


def test_a_transfer_leaves_the_colleague_a_summary(
    db: Session, anna: User, assistant: Assistant
) -> None:
    conv = held(
        db,
        anna,
        "Здравствуйте! Заказ 88812345 лежит в пункте выдачи, сколько дней он там хранится? "
        "Я заплатил за него 12 990 ₽.",
    )
    log = service.do_suggest(db, assistant, conv.id)
    assert log is not None
    offered = next(s for s in log.suggestions if s["source"] == "kb")
    sent = reply(db, conv, anna, str(offered["text"]))
    service.do_record_choice(
        db, anna, conv.id, message_id=sent, log_id=log.id, rank=offered["rank"]
    )
    say(db, conv, "Мне нужно продлить срок, но кнопки продления нет.")
    topics.do_create_topic(db, "Оплата и возвраты")
    service.do_transfer_to_queue(db, conv, anna, "Оплата и возвраты", note="продлить вручную")
    card = bot.latest_card(db, conv.id)
    assert card is not None
    # the request: the first question and what the customer said last
    assert "88812345" in card.summary and "кнопки продления нет" in card.summary
    facts = {(f["kind"], f["value"]) for f in card.facts}
    assert ("order", "88812345") in facts
    assert any(kind == "amount" for kind, _v in facts)
    # what was tried: the operator's answer and the article it came from
    assert any(a.startswith("Анна Смирнова: Заказ хранится") for a in card.bot_answers)
    assert f"«{PICKUP[0]}»" in card.bot_answers
    assert any("«Оплата и возвраты»" in r and "Анна Смирнова" in r for r in card.reasons)
    assert any("продлить вручную" in r for r in card.reasons)
    # passed straight to a colleague: the newest card names them
    boris = make_user(db, name="Борис Орлов")
    presence.do_set_status(db, boris, OperatorStatus.online)
    conversations.do_assign(db, conv.id, anna)
    service.do_transfer_to_operator(db, conv, anna, boris.id, note="")
    card = bot.latest_card(db, conv.id)
    assert card is not None and any("Борис Орлов" in r for r in card.reasons)
    assert "88812345" in card.summary


def test_suggestions_speak_in_the_name_of_whoever_holds_the_conversation(
    db: Session, anna: User, assistant: Assistant
) -> None:
    waiting = new_conversation(db, "Здравствуйте, вопрос по заказу", name="Мария Кузнецова")
    boss = make_user(db, "supervisor", name="Олег Петров")
    peek = service.access_suggestions(db, assistant, boss, waiting.id)
    assert peek is not None and peek.id is None  # shown to the supervisor, not stored
    assert service.count_logs(db) == 0
    conversations.do_assign(db, waiting.id, anna)
    log = service.access_suggestions(db, assistant, anna, waiting.id)  # her console opens it
    assert log is not None and log.operator_id == anna.id
    greeting = next(s for s in log.suggestions if s["ref"].get("category") == "greeting")
    assert "Меня зовут Анна" in greeting["text"]
    boris = make_user(db, name="Борис Орлов")
    presence.do_set_status(db, boris, OperatorStatus.online)
    routing.do_transfer_to_operator(db, waiting, anna, boris.id)
    again = service.access_suggestions(db, assistant, boris, waiting.id)
    assert again is not None and again.id == log.id and again.operator_id == boris.id
    greeting = next(s for s in again.suggestions if s["ref"].get("category") == "greeting")
    assert "Меня зовут Борис" in greeting["text"]
