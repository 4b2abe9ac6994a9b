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


C, OP = "customer", "operator"


@pytest.mark.parametrize(
    ("rule", "good", "bad"),
    [
        (
            criteria.greeting,
            t(
                (C, "где заказ"),
                (OP, "Здравствуйте! Меня зовут [PERSON], компания Ромашка."),
                company="Ромашка",
            ),
            t((C, "где заказ"), (OP, "Номер заказа?"), company="Ромашка"),
        ),
        (
            criteria.greeting,
            t(
                (C, "where is my order"),
                (OP, "Hello! My name is [PERSON] from Acme."),
                company="Acme",
            ),
            t((C, "where is my order"), (OP, "Hello! How can I help?"), company="Acme"),
        ),
        (
            criteria.customer_name,
            t((C, "Я [PERSON]"), (OP, "Меня зовут [PERSON]. [PERSON], сейчас проверю.")),
            t((C, "Я [PERSON]"), (OP, "Меня зовут [PERSON]. Сейчас проверю.")),
        ),
        (
            criteria.customer_name,
            t((C, "hi"), (OP, "Thanks, [PERSON], let me check.")),
            t((C, "hi"), (OP, "My name is [PERSON], let me check.")),
        ),
        (
            criteria.empathy,
            t(
                (C, "Это ужасно, третий раз пишу!"),
                (OP, "Понимаю ваше недовольство, сейчас разберёмся."),
                (OP, "Я оформил возврат, деньги придут в течение 3 дней."),
            ),
            t(
                (C, "Это ужасно, третий раз пишу!"),
                (OP, "Я оформил возврат, деньги придут в течение 3 дней."),
            ),
        ),
        (
            criteria.empathy,
            t(
                (C, "This is terrible, I'm so annoyed"),
                (OP, "I'm sorry about that, I understand."),
                (OP, "I have created a ticket."),
            ),
            t((C, "This is terrible, I'm so annoyed"), (OP, "I have created a ticket.")),
        ),
        (
            criteria.no_repeat,
            t((C, "Заказ 123456 не пришёл"), (OP, "Вижу заказ, когда вам удобно получить?")),
            t((C, "Заказ 123456 не пришёл"), (OP, "Подскажите номер заказа?")),
        ),
        (
            criteria.no_repeat,
            t((C, "My phone is [PHONE]"), (OP, "Which day suits you?")),
            t((C, "My phone is [PHONE]"), (OP, "What is your phone number?")),
        ),
        (
            criteria.no_secret_request,
            t((C, "не могу войти"), (OP, "Я отправлю код подтверждения на вашу почту.")),
            t((C, "не могу войти"), (OP, "Назовите код из СМС, пожалуйста.")),
        ),
        (
            criteria.no_secret_request,
            t((C, "card blocked"), (OP, "I will check the card status for you.")),
            t((C, "card blocked"), (OP, "Please tell me the CVV on the back of your card.")),
        ),
        (
            criteria.no_disclosure,
            t(
                (C, "мой адрес?"),
                (OP, "Назовите, пожалуйста, сумму последней покупки."),
                (OP, "Доставим на [ADDRESS]."),
            ),
            t((C, "мой адрес?"), (OP, "Ваш адрес [ADDRESS], телефон [PHONE].")),
        ),
        (
            criteria.no_disclosure,
            t((C, "what is on file?"), (OP, "Your email is [EMAIL]."), verified=True),
            t((C, "what is on file?"), (OP, "Your email is [EMAIL].")),
        ),
        (  # every masked type counts, the SSN added last too
            criteria.no_disclosure,
            t((C, "my SSN is [SSN]"), (OP, "Thank you, I have noted [SSN].")),
            t((C, "what is on file?"), (OP, "Your SSN is [SSN].")),
        ),
        (
            criteria.safe_verification,
            t((C, "адрес?"), (OP, "Какой был ваш последний заказ?"), (OP, "Адрес [ADDRESS].")),
            t((C, "адрес?"), (OP, "Адрес доставки [ADDRESS].")),
        ),
        (
            criteria.kb_match,
            t(
                (C, "сколько идёт возврат"),
                (OP, "Возврат денег занимает 10 рабочих дней."),
                kb_passages=("Возврат денег на карту занимает до 10 рабочих дней.",),
            ),
            t(
                (C, "сколько идёт возврат"),
                (OP, "Возврат денег занимает 3 рабочих дня."),
                kb_passages=("Возврат денег на карту занимает до 10 рабочих дней.",),
            ),
        ),
        (
            criteria.kb_match,
            t(
                (C, "refund time"),
                (OP, "A refund to your card takes 10 business days."),
                kb_passages=("A refund to the card takes up to 10 business days.",),
            ),
            t(
                (C, "refund time"),
                (OP, "A refund to your card takes 2 business days."),
                kb_passages=("A refund to the card takes up to 10 business days.",),
            ),
        ),
        (
            criteria.no_unfounded_promise,
            t(
                (C, "опоздали"),
                (
                    OP,
                    "По правилам мы компенсируем доставку бесплатной доставкой следующего заказа.",
                ),
                kb_passages=(
                    "При опоздании курьера мы компенсируем доставку: "
                    "следующий заказ с бесплатной доставкой.",
                ),
            ),
            t((C, "опоздали"), (OP, "Обещаю, вернём вам деньги за весь заказ и дадим скидку 50%.")),
        ),
        (
            criteria.no_unfounded_promise,
            t((C, "late"), (OP, "Let me check the delivery status.")),
            t((C, "late"), (OP, "I guarantee you a full refund and a discount.")),
        ),
        (
            criteria.next_step,
            t((C, "где заказ"), (OP, "Заказ будет доставлен завтра до 18:00.")),
            t((C, "где заказ"), (OP, "Хм, не знаю.")),
        ),
        (
            criteria.next_step,
            t((C, "where"), (OP, "You will receive an SMS within an hour.")),
            t((C, "where"), (OP, "Hmm, no idea.")),
        ),
        (
            criteria.closing,
            t((C, "спасибо"), (OP, "Рада была помочь! Всего доброго.")),
            t((C, "спасибо"), (OP, "Ок.")),
        ),
        (
            criteria.closing,
            t((C, "thanks"), (OP, "Anything else I can do? Have a nice day!")),
            t((C, "thanks"), (OP, "Ok.")),
        ),
        (
            criteria.sentiment_trajectory,
            t(
                (C, "Безобразие, ничего не работает"),
                (OP, "…"),
                (C, "Спасибо, отлично, всё получилось"),
            ),
            t((C, "Безобразие, ничего не работает"), (OP, "…"), (C, "Всё равно ужасно")),
        ),
        (
            criteria.sentiment_trajectory,
            t((C, "This is ridiculous, nothing works"), (OP, "…"), (C, "Great, thank you so much")),
            t((C, "This is ridiculous, nothing works"), (OP, "…"), (C, "Still terrible")),
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
        t(
            (C, "не могу войти"),
            (OP, "Здравствуйте!"),
            (OP, "Продиктуйте пароль от личного кабинета"),
        )
    )
    assert outcome.evidence[0].seq == 3
    assert "пароль" in outcome.evidence[0].phrase


def test_response_time_against_targets() -> None:
    def timed(delay: int) -> Transcript:
        lines = (
            Line(1, C, "где заказ", T0),
            Line(2, OP, "Здравствуйте!", T0 + timedelta(seconds=30)),
            Line(3, C, "ну что?", T0 + timedelta(seconds=40)),
            Line(4, OP, "Заказ едет", T0 + timedelta(seconds=40 + delay)),
        )
        return Transcript(lines=lines, handed_off_at=T0)

    assert criteria.response_time(timed(60)).value == 1
    slow = criteria.response_time(timed(600))
    assert slow.value == 0 and slow.evidence[0].seq == 4
    assert criteria.response_time(t((C, "a"), (OP, "b"))).value is None


def test_not_applicable_when_nothing_to_judge() -> None:
    calm = t((C, "Подскажите часы работы"), (OP, "С 9 до 21."))
    assert criteria.empathy(calm).value is None
    assert criteria.sentiment_trajectory(calm).value is None
    assert criteria.kb_match(calm).value is None


def test_a_critical_error_zeroes_the_score() -> None:
    definition = default_operator_definition()
    good = t(
        (C, "Заказ 123456 не пришёл, это ужасно!"),
        (OP, "Здравствуйте! Меня зовут [PERSON]. [PERSON], понимаю, сейчас разберёмся."),
        (OP, "Заказ будет доставлен завтра. Всего доброго!"),
    )
    clean = score_transcript(definition, good)
    assert clean.total > 80 and not clean.critical_failed
    bad = Transcript(
        lines=(*good.lines[:2], Line(3, OP, "Назовите код из СМС. Всего доброго!"), *good.lines[2:])
    )
    failed = score_transcript(definition, bad)
    assert failed.critical_failed and failed.total == 0.0
    assert failed.value("no_secret_request") == 0
