"""The NER runs only on texts that could hold a name or a numbered place: the cheap test
before it changes no result (as cased, lowercased, uppercased), and log lines skip it."""

from __future__ import annotations

import pytest

from wowdesk.nlp import pii_en

TEXTS = [
    "Catherine is a very sympathetic person. They are also good listeners.",
    "Verda lives on 33 avenue de Provence street.",
    "København K bridge is falling down.",
    "I'M SO JEALOUS! SAID FELIX TO LINDA",
    "ask JOHN about it",
    "Wisława Szczepańska's killers sentenced to life in prison",
    "not getting bank documents to my address. can you please validate the following? "
    "2456 rue de virton 38\n suite 510\n ettelgem\n belgium",
    "Will my account stay active? It's under my partner's name John A. Leiva",
    "Hello I moved, please update my new address is USS Lorenzen\nFPO AE 25990",
    "where is my order? it was due yesterday",
    "Dear Mr. O'Brien, your parcel is at 12 Elm Road, Apt. 3.",
]
LOG_ARGS = [
    "POST",
    "GET",
    "/api/v1/telegram/webhook",
    "1.1",
    "127.0.0.1:5555",
    '%s - "%s %s HTTP/%s" %d',
]


@pytest.mark.parametrize("case", [str, str.lower, str.upper], ids=["as-is", "lower", "upper"])
def test_the_test_changes_no_result(case, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    texts = [case(t) for t in TEXTS]
    gated = [pii_en.english_pii(t) for t in texts]
    monkeypatch.setattr(pii_en, "may_hold_entity", lambda _text: True)
    assert gated == [pii_en.english_pii(t) for t in texts]


def test_names_and_numbered_places_reach_the_model() -> None:
    assert pii_en.may_hold_entity("ask JOHN about it")
    assert pii_en.may_hold_entity("København is far")
    assert pii_en.may_hold_entity("i live at 2456 rue de virton 38")


def test_log_lines_and_plain_lowercase_skip_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_model() -> None:
        raise AssertionError("the NER ran")

    monkeypatch.setattr(pii_en, "_pipeline", no_model)
    for text in [*LOG_ARGS, "where is my order? it was due yesterday"]:
        assert not pii_en.may_hold_entity(text)
        pii_en.english_pii(text)
