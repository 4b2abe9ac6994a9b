"""English messages: names from many languages, lower-case chat, and capitalised words that
are no one's name (products, companies, countries)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from wowdesk.nlp import pii_en_names
from wowdesk.nlp.pii import mask_text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("My name is Krzysztof", "My name is [PERSON]"),
        ("Hi, my name is LeBlanc", "Hi, my name is [PERSON]"),
        ("Please add Zsófia Kertész as a beneficiary", "Please add [PERSON] as a beneficiary"),
        ("Directed By:    Joaquín P Herrera", "Directed By:    [PERSON]"),
        ("Ana D. Nováková will call you", "[PERSON] will call you"),
        ("They had 3: Jadwiga, Mary and Tomasz.", "They had 3: [PERSON], [PERSON] and [PERSON]."),
        ("Producer Giulia Rossi explained it", "Producer [PERSON] explained it"),
        ("Kerstin Lindqvist wrote. Then Lindqvist", "[PERSON] wrote. Then [PERSON]"),
        # in capitals: a known first name and the known names after it, the whole word
        ("MY NAME IS JOHN SMITH AND I WANT A REFUND", "MY NAME IS [PERSON] AND I WANT A REFUND"),
        ("Dear JOHN SMITH, your order", "Dear [PERSON], your order"),
        # a surname's ending read through the possessive
        ("Zdzisława Nowicka's parcel never came", "[PERSON]'s parcel never came"),
        ("Ingibjörg Sigurdardottir's refund", "[PERSON]'s refund"),
    ],
)
def test_names_are_masked(text: str, masked: str) -> None:
    assert mask_text(text) == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # given names the census and the model miss, from data/first_names.txt
        ("Please send the refund to Chukwuemeka", "Please send the refund to [PERSON]"),
        ("I sent 200 euros to Thandiwe yesterday", "I sent 200 euros to [PERSON] yesterday"),
        (
            "my card was used by Xiaoming without my consent",
            "my card was used by [PERSON] without my consent",
        ),
        ("Transfer to Thảo please", "Transfer to [PERSON] please"),
        ("Ask Bjarki to call me back", "Ask [PERSON] to call me back"),
        (
            "we sent it to kwabena, chidinma and olumide",
            "we sent it to [PERSON], [PERSON] and [PERSON]",
        ),
    ],
)
def test_given_names_from_outside_the_english_speaking_world(text: str, masked: str) -> None:
    assert mask_text(text) == masked


def test_the_list_of_given_names_has_each_name_once() -> None:
    listed = Path(pii_en_names.__file__).parent / "data" / "first_names.txt"
    words = [
        word
        for line in listed.read_text(encoding="utf-8").splitlines()
        if not line.startswith("#")
        for word in line.split()
    ]
    assert [word for word, n in Counter(words).items() if n > 1] == []


def test_a_name_right_before_an_address_is_masked_too() -> None:
    """The name runs on into «Apt» and the address wins the overlap: the name was lost."""
    masked = mask_text("Dr. Marta Kovalchuk Apt. 12 5720 Skoanveien 226")
    assert masked.startswith("Dr. [PERSON] [ADDRESS]")
    assert "Marta" not in masked and "Skoanveien" not in masked


def test_lower_case_names_in_a_list_or_after_my_name_is() -> None:
    assert mask_text("we invited pamela, donna and brian") == (
        "we invited [PERSON], [PERSON] and [PERSON]"
    )
    assert mask_text("hi my name is terrence") == "hi my name is [PERSON]"
    assert mask_text("i will mark it as done and may call later") == (
        "i will mark it as done and may call later"
    )


@pytest.mark.parametrize(
    "text",
    [
        "I work for Aunt Bertha Inc",
        "Thomas and Sons is a bank",
        "Russell Investments is a design agency",
        "I'm glad to hear that France is moving in that direction",
        "My Samsung Galaxy stopped charging",
        "Grace period is 14 days",
        "Where is my order? it was due yesterday",
        "CAN I SPEAK TO A REAL PERSON?!?!",
        "WHY IS MY REFUND STILL NOT HERE, THIS IS THE THIRD TIME I ASK",
        "Galorath Incorporated is the brainchild of three founders",
        # what bank customers write (BANKING77)
        "Do you accept Mastercard?",
        "Loan application pending for a week",
        "Can I choose from either Visa or Mastercard?",
        "How to activate Google Pay for top up?",
        "Do you provide currency exchange to Euros?",
        "I need quickly transfer something from China. About how long will it take?",
    ],
)
def test_no_name_in_products_companies_and_countries(text: str) -> None:
    assert "[PERSON]" not in mask_text(text)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Regards,\nOlumide Adeyemi", "Regards,\n[PERSON]"),
        ("Best regards,\nOlumide A. Adeyemi\nSupport", "Best regards,\n[PERSON]\nSupport"),
        # the next line is no signature when it says more than a name
        ("Thanks,\nCan you help me", "Thanks,\nCan you help me"),
        ("Thanks!\nThe card works now", "Thanks!\nThe card works now"),
        ("Cheers\nTeam Lead", "Cheers\nTeam Lead"),
    ],
)
def test_a_signature_under_a_sign_off_is_a_name(text: str, masked: str) -> None:
    assert mask_text(text) == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Hi this is mike from accounting", "Hi this is [PERSON] from accounting"),
        ("Hello, my name is anna, card blocked", "Hello, my name is [PERSON], card blocked"),
        ("This is chase bank?", "This is chase bank?"),
        ("I am still waiting", "I am still waiting"),
        # the surname after it goes with it; an everyday word after it stays
        (
            "Hi, my name is john smith and my card was declined",
            "Hi, my name is [PERSON] and my card was declined",
        ),
        (
            "hi this is mike still waiting for a refund",
            "hi this is [PERSON] still waiting for a refund",
        ),
    ],
)
def test_a_lower_case_name_after_a_cue_in_a_capitalised_message(text: str, masked: str) -> None:
    assert mask_text(text) == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (
            "these early shows on Marina Fort Street were important",
            "these early shows on Marina Fort Street were important",
        ),
        ("Mary Lane called me", "[PERSON] called me"),
        (
            "Can I pick it up at the Walmart on Main St?",
            "Can I pick it up at the Walmart on Main St?",
        ),
        ("at the corner of Jackson Ave and 5th", "at the corner of Jackson Ave and 5th"),
    ],
)
def test_a_name_before_a_street_type_names_the_street(text: str, masked: str) -> None:
    assert mask_text(text) == masked
