"""What a criterion shows a supervisor: the greeting asks for the company it names, and a
failure's evidence quotes what decided it (the sentence with the wrong figure beside what
the knowledge base says, the end of the last reply, the slow reply and the wait), not the
first words of a message, which are usually the greeting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from wowdesk.quality import criteria
from wowdesk.quality.transcript import Line, Transcript

T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
C, OP = "customer", "operator"
HELLO = "Здравствуйте, [PERSON]! Меня зовут [PERSON]."


def t(*turns: tuple[str, str], **kw: object) -> Transcript:
    lines = tuple(Line(i + 1, who, text) for i, (who, text) in enumerate(turns))
    return Transcript(lines=lines, **kw)  # type: ignore[arg-type]


# --- the greeting and the company -----------------------------------------------------


def test_greeting_without_the_company_set_fails_and_says_what_is_missing() -> None:
    outcome = criteria.greeting(t((C, "где заказ"), (OP, HELLO), company="Ромашка"))
    assert outcome.value == 0 and outcome.note == "no_company"
    assert outcome.evidence[0].seq == 2
    assert "Ромашка" in outcome.evidence[0].phrase


def test_greeting_takes_the_company_in_any_case_and_quotes() -> None:
    for said in (
        "Здравствуйте! Меня зовут [PERSON], служба поддержки «Ромашки».",
        "Добрый день! Это [PERSON] из ромашки, чем помочь?",
        "Здравствуйте! Меня зовут [PERSON], компания Ромашка.",
    ):
        assert criteria.greeting(t((C, "где заказ"), (OP, said), company="Ромашка")).value == 1
    two_words = t((C, "hi"), (OP, "Hello! My name is [PERSON] from Acme Market."))
    assert criteria.greeting(Transcript(two_words.lines, company="Acme Market")).value == 1
    assert criteria.greeting(Transcript(two_words.lines, company="Acme Bank")).value == 0


def test_greeting_with_no_company_configured_says_it_was_not_checked() -> None:
    """No WOWDESK_COMPANY_NAME: nothing to compare with, so the own name decides, and the
    outcome says the company was not checked (the criterion's title says so too)."""
    outcome = criteria.greeting(t((C, "где заказ"), (OP, HELLO)))
    assert outcome.value == 1 and outcome.note == "company_not_set"
    assert "when" in criteria.RULES["greeting"][1]


# --- the knowledge base ---------------------------------------------------------------

KB = ("Возврат денег на карту занимает до 10 рабочих дней. Точный срок зависит от банка.",)


def test_kb_evidence_quotes_the_sentence_and_what_the_knowledge_base_says() -> None:
    outcome = criteria.kb_match(
        t(
            (C, "сколько идёт возврат"),
            (OP, f"{HELLO} Возврат денег на карту займёт 12 рабочих дней. Хорошего дня!"),
            kb_passages=KB,
        )
    )
    assert outcome.value == 0 and outcome.note == "contradicted"
    [evidence] = outcome.evidence
    assert evidence.seq == 2
    assert "Возврат денег на карту займёт 12 рабочих дней" in evidence.phrase
    assert "Здравствуйте" not in evidence.phrase and "Хорошего" not in evidence.phrase
    assert "Возврат денег на карту занимает до 10 рабочих дней" in evidence.phrase


def test_kb_evidence_in_english() -> None:
    outcome = criteria.kb_match(
        t(
            (C, "refund time"),
            (OP, "Hi! A refund to your card takes 2 business days. Have a nice day!"),
            kb_passages=("A refund to the card takes up to 10 business days.",),
        )
    )
    assert outcome.value == 0
    phrase = outcome.evidence[0].phrase
    assert "A refund to your card takes 2 business days" in phrase and "10" in phrase
    assert "Have a nice day" not in phrase


# --- the closing ----------------------------------------------------------------------


def test_closing_evidence_is_the_end_of_the_last_reply() -> None:
    outcome = criteria.closing(
        t(
            (C, "где деньги"),
            (OP, f"{HELLO} Возврат оформлен, деньги придут в течение 5 рабочих дней."),
            (C, "Понятно."),
        )
    )
    assert outcome.value == 0
    [evidence] = outcome.evidence
    assert evidence.seq == 2
    assert "деньги придут в течение 5 рабочих дней" in evidence.phrase
    assert "Здравствуйте" not in evidence.phrase


# --- the response time ----------------------------------------------------------------


def test_slow_reply_evidence_names_the_wait_and_what_the_customer_asked() -> None:
    lines = (
        Line(1, C, "Где мой заказ? Обещали вчера.", T0),
        Line(
            2, OP, f"{HELLO} Заказ в пути, курьер привезёт его сегодня.", T0 + timedelta(minutes=4)
        ),
        Line(3, C, "А во сколько?", T0 + timedelta(minutes=5)),
        Line(4, OP, "До 18:00.", T0 + timedelta(minutes=5, seconds=30)),
    )
    outcome = criteria.response_time(Transcript(lines=lines, handed_off_at=T0))
    assert outcome.value == 0 and outcome.note == "slow"
    [evidence] = outcome.evidence
    assert evidence.seq == 2
    assert "Здравствуйте" not in evidence.phrase
    assert "4" in evidence.phrase and "Где мой заказ" in evidence.phrase

    later = (*lines[:3], Line(4, OP, "До 18:00.", T0 + timedelta(minutes=12, seconds=5)))
    outcome = criteria.response_time(
        Transcript(lines=(lines[0], Line(2, OP, HELLO, T0 + timedelta(seconds=20)), *later[2:]))
    )
    assert outcome.value == 0
    [evidence] = outcome.evidence
    assert evidence.seq == 4
    assert "7" in evidence.phrase and "5" in evidence.phrase  # 7 min 5 s
    assert "А во сколько" in evidence.phrase
