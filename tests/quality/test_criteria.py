"""Each automatic criterion on hand-made dialogues: passing and failing, Russian and English."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from wowdesk.quality import criteria
from wowdesk.quality.scorecards import default_operator_definition, score_transcript
from wowdesk.quality.transcript import Line, Transcript

T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def t(*turns: tuple[str, str], **kw: object) -> Transcript:
    lines = tuple(Line(i + 1, who, text) for i, (who, text) in enumerate(turns))
    return Transcript(lines=lines, **kw)  # type: ignore[arg-type]


C, O = "customer", "operator"


@pytest.mark.parametrize(
    ("rule", "good", "bad"),
    [
        (
            criteria.greeting,
            t((C, "где заказ"), (O, "Здравствуйте! Меня зовут [PERSON], компания Ромашка."), company="Ромашка"),
            t((C, "где заказ"), (O, "Номер заказа?"), company="Ромашка"),
        ),
        (
            criteria.greeting,
            t((C, "where is my order"), (O, "Hello! My name is [PERSON] from Acme."), company="Acme"),
            t((C, "where is my order"), (O, "Hello! How can I help?"), company="Acme"),
        ),
        (
            criteria.customer_name,
            t((C, "Я [PERSON]"), (O, "Меня зовут [PERSON]. [PERSON], сейчас проверю.")),
            t((C, "Я [PERSON]"), (O, "Меня зовут [PERSON]. Сейчас проверю.")),
        ),
        (
            criteria.customer_name,
            t((C, "hi"), (O, "Thanks, [PERSON], let me check.")),
            t((C, "hi"), (O, "My name is [PERSON], let me check.")),
        ),
        (
            criteria.empathy,
            t((C, "Это ужасно, третий раз пишу!"), (O, "Понимаю ваше недовольство, сейчас разберёмся."), (O, "Я оформил возврат, деньги придут в течение 3 дней.")),
            t((C, "Это ужасно, третий раз пишу!"), (O, "Я оформил возврат, деньги придут в течение 3 дней.")),
        ),
        (
            criteria.empathy,
            t((C, "This is terrible, I'm so annoyed"), (O, "I'm sorry about that, I understand."), (O, "I have created a ticket.")),
            t((C, "This is terrible, I'm so annoyed"), (O, "I have created a ticket.")),
        ),
        (
            criteria.no_repeat,
            t((C, "Заказ 123456 не пришёл"), (O, "Вижу заказ, когда вам удобно получить?")),
            t((C, "Заказ 123456 не пришёл"), (O, "Подскажите номер заказа?")),
        ),
        (
            criteria.no_repeat,
            t((C, "My phone is [PHONE]"), (O, "Which day suits you?")),
            t((C, "My phone is [PHONE]"), (O, "What is your phone number?")),
        ),
        (
            criteria.no_secret_request,
            t((C, "не могу войти"), (O, "Я отправлю код подтверждения на вашу почту.")),
            t((C, "не могу войти"), (O, "Назовите код из СМС, пожалуйста.")),
        ),
        (
            criteria.no_secret_request,
            t((C, "card blocked"), (O, "I will check the card status for you.")),
            t((C, "card blocked"), (O, "Please tell me the CVV on the back of your card.")),
        ),
        (
            criteria.no_disclosure,
            t((C, "мой адрес?"), (O, "Назовите, пожалуйста, сумму последней покупки."), (O, "Доставим на [ADDRESS].")),
            t((C, "мой адрес?"), (O, "Ваш адрес [ADDRESS], телефон [PHONE].")),
        ),
        (
            criteria.no_disclosure,
            t((C, "what is on file?"), (O, "Your email is [EMAIL]."), verified=True),
            t((C, "what is on file?"), (O, "Your email is [EMAIL].")),
        ),
        (
            criteria.safe_verification,
            t((C, "адрес?"), (O, "Какой был ваш последний заказ?"), (O, "Адрес [ADDRESS].")),
            t((C, "адрес?"), (O, "Адрес доставки [ADDRESS].")),
        ),
        (
            criteria.kb_match,
            t((C, "сколько идёт возврат"), (O, "Возврат денег занимает 10 рабочих дней."), kb_passages=("Возврат денег на карту занимает до 10 рабочих дней.",)),
            t((C, "сколько идёт возврат"), (O, "Возврат денег занимает 3 рабочих дня."), kb_passages=("Возврат денег на карту занимает до 10 рабочих дней.",)),
        ),
        (
            criteria.kb_match,
            t((C, "refund time"), (O, "A refund to your card takes 10 business days."), kb_passages=("A refund to the card takes up to 10 business days.",)),
            t((C, "refund time"), (O, "A refund to your card takes 2 business days."), kb_passages=("A refund to the card takes up to 10 business days.",)),
        ),
        (
            criteria.no_unfounded_promise,
            t((C, "опоздали"), (O, "По правилам мы компенсируем доставку бесплатной доставкой следующего заказа."), kb_passages=("При опоздании курьера мы компенсируем доставку: следующий заказ с бесплатной доставкой.",)),
            t((C, "опоздали"), (O, "Обещаю, вернём вам деньги за весь заказ и дадим скидку 50%.")),
        ),
        (
            criteria.no_unfounded_promise,
            t((C, "late"), (O, "Let me check the delivery status.")),
            t((C, "late"), (O, "I guarantee you a full refund and a discount.")),
        ),
        (
            criteria.next_step,
            t((C, "где заказ"), (O, "Заказ будет доставлен завтра до 18:00.")),
            t((C, "где заказ"), (O, "Хм, не знаю.")),
        ),
        (
            criteria.next_step,
            t((C, "where"), (O, "You will receive an SMS within an hour.")),
            t((C, "where"), (O, "Hmm, no idea.")),
        ),
        (
            criteria.closing,
            t((C, "спасибо"), (O, "Рада была помочь! Всего доброго.")),
            t((C, "спасибо"), (O, "Ок.")),
        ),
        (
            criteria.closing,
            t((C, "thanks"), (O, "Anything else I can do? Have a nice day!")),
            t((C, "thanks"), (O, "Ok.")),
        ),
        (
            criteria.sentiment_trajectory,
            t((C, "Безобразие, ничего не работает"), (O, "…"), (C, "Спасибо, отлично, всё получилось")),
            t((C, "Безобразие, ничего не работает"), (O, "…"), (C, "Всё равно ужасно")),
        ),
        (
            criteria.sentiment_trajectory,
            t((C, "This is ridiculous, nothing works"), (O, "…"), (C, "Great, thank you so much")),
            t((C, "This is ridiculous, nothing works"), (O, "…"), (C, "Still terrible")),
        ),
    ],
)
def test_criterion_passes_and_fails(rule, good: Transcript, bad: Transcript) -> None:  # type: ignore[no-untyped-def]
    passed = rule(good)
    failed = rule(bad)
    assert passed.value == 1, (rule.__name__, passed)
    assert failed.value == 0, (rule.__name__, failed)


def test_failures_name_the_message_and_phrase() -> None:
    outcome = criteria.no_secret_request(
        t((C, "не могу войти"), (O, "Здравствуйте!"), (O, "Продиктуйте пароль от личного кабинета"))
    )
    assert outcome.evidence[0].seq == 3
    assert "пароль" in outcome.evidence[0].phrase


def test_response_time_against_targets() -> None:
    def timed(delay: int) -> Transcript:
        lines = (
            Line(1, C, "где заказ", T0),
            Line(2, O, "Здравствуйте!", T0 + timedelta(seconds=30)),
            Line(3, C, "ну что?", T0 + timedelta(seconds=40)),
            Line(4, O, "Заказ едет", T0 + timedelta(seconds=40 + delay)),
        )
        return Transcript(lines=lines, handed_off_at=T0)

    assert criteria.response_time(timed(60)).value == 1
    slow = criteria.response_time(timed(600))
    assert slow.value == 0 and slow.evidence[0].seq == 4
    assert criteria.response_time(t((C, "a"), (O, "b"))).value is None


def test_not_applicable_when_nothing_to_judge() -> None:
    calm = t((C, "Подскажите часы работы"), (O, "С 9 до 21."))
    assert criteria.empathy(calm).value is None
    assert criteria.sentiment_trajectory(calm).value is None
    assert criteria.kb_match(calm).value is None


def test_a_critical_error_zeroes_the_score() -> None:
    definition = default_operator_definition()
    good = t(
        (C, "Заказ 123456 не пришёл, это ужасно!"),
        (O, "Здравствуйте! Меня зовут [PERSON]. [PERSON], понимаю, сейчас разберёмся."),
        (O, "Заказ будет доставлен завтра. Всего доброго!"),
    )
    clean = score_transcript(definition, good)
    assert clean.total > 80 and not clean.critical_failed
    bad = Transcript(
        lines=(*good.lines[:2], Line(3, O, "Назовите код из СМС. Всего доброго!"), *good.lines[2:])
    )
    failed = score_transcript(definition, bad)
    assert failed.critical_failed and failed.total == 0.0
    assert failed.value("no_secret_request") == 0
