"""Street addresses in the forms customers write them in English messages: US, British and
continental ones, as one block with the town and postcode lines after them."""

from __future__ import annotations

import pytest

from wowdesk.nlp.pii import find_pii, mask_text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Send it to 221 Baker Street, Apt. 4B please", "Send it to [ADDRESS] please"),
        ("I live at 36 rue de pologne", "I live at [ADDRESS]"),
        ("Ship to Avenida Pedro Ulisses 888, Apt. 12", "Ship to [ADDRESS]"),
        ("We are on Kaarikatu 32", "We are on [ADDRESS]"),
        ("Pedestrians enter on Hoge Wei 32 St. today", "Pedestrians enter on [ADDRESS] today"),
        ("Address: 83393 Pärna 33", "Address: [ADDRESS]"),
        ("It's in Λεωφόρος Συγγρού 119", "It's in [ADDRESS]"),
        ("My new address is PSC 7951, Box 9972\nAPO AA 69974", "My new address is [ADDRESS]"),
        ("Meet at the corner of 3744 Retreat Avenue and Main Road.", "Meet at [ADDRESS]."),
    ],
)
def test_street_addresses_are_masked(text: str, masked: str) -> None:
    assert mask_text(text) == masked


def test_an_address_block_is_masked_whole() -> None:
    text = "Please update it to 2456 Rue de Virton 38\n Suite 510\n Ettelgem\n Belgium 9528?"
    assert mask_text(text) == "Please update it to [ADDRESS]?"


@pytest.mark.parametrize(
    "text",
    [
        "Order 12345 arrived at 5 pm at Gate 5",
        "Meet me at Terminal 2 at 10",
        "I am on Level 3 of the mall",
        "Upgrade to Windows 10 and call me at 3 pm",
        "I bought 2 Apple Watch 7 last week",
        "Version 2 of the app crashes on iPhone 12",
        "the most beautiful place in the world",
        "Room for 2 people on Friday, Street food festival",
    ],
)
def test_numbered_things_that_are_not_addresses(text: str) -> None:
    assert "[ADDRESS]" not in mask_text(text)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("meet me at 2407 tawastintie 6, sé, portugal", "meet me at [ADDRESS], sé, portugal"),
        ("i live at tawastintie 6", "i live at [ADDRESS]"),
        ("i live at 221 baker street apt 4", "i live at [ADDRESS]"),
        ("send it to 12 main st, apt. 5 thanks", "send it to [ADDRESS] thanks"),
        ("my flat is apt. 169 on the left", "my flat is [ADDRESS] on the left"),
    ],
)
def test_addresses_typed_in_lower_case(text: str, masked: str) -> None:
    """Chat is often typed without capitals, and the capital letters were what most
    patterns started from."""
    assert mask_text(text) == masked


@pytest.mark.parametrize("marks", ["??? ", "> ", ">> ", "• "])
def test_a_quoted_or_bulleted_address_block_is_masked_as_unmarked(marks: str) -> None:
    """A reply quotes an address with «> » on each line, a list puts a bullet there (a mail
    client may leave «???» of it): the unit, town and postcode lines belong to the street
    all the same."""
    lines = ["Hafþór Smárason", "4923 Parmova 109", "Suite 380", "Maribor", "Slovenia 82709"]
    text = "\n".join(marks + line for line in lines)
    assert mask_text(text).split("\n")[1:] == [f"{marks}[ADDRESS]"]


def test_a_lower_case_unit_line_joins_a_quoted_street() -> None:
    text = "??? 688 rue du centre 320\n??? apt. 169"
    assert mask_text(text) == "??? [ADDRESS]"


def test_marks_join_only_lines_that_carry_the_same_marks() -> None:
    """A line without the street's marks is the writer's own text, not the quoted block."""
    text = "> 12 Vesterbrogade 3\n> Apt. 4\nThanks\n> Turku"
    assert mask_text(text) == "> [ADDRESS]\nThanks\n> Turku"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (
            "Stop at the corner of Asselsestraat 7 St. and Martinez Mall St.",
            "Stop at [ADDRESS]",
        ),
        ("Meet me at the corner of Csabai kapu 39. and Mathias Pass", "Meet me at [ADDRESS]"),
        ("It's on the corner of St. Mary's Road 5 and Oak Avenue", "It's on [ADDRESS]"),
    ],
)
def test_a_corner_whose_first_street_holds_an_abbreviation(text: str, masked: str) -> None:
    """«St.» or «39.» before «and» ends no sentence: the corner goes on to the second street,
    which is then no person («Mathias Pass»)."""
    assert mask_text(text) == masked


def test_a_name_between_the_cue_and_the_street() -> None:
    text = "Please return to Leon and Eyrarodda 66 in case of an issue."
    spans = {(text[s.start : s.end], s.type) for s in find_pii(text)}
    assert ("Eyrarodda 66", "ADDRESS") in spans


@pytest.mark.parametrize(
    "text",
    [
        "I paid 25 dollars",
        "order 12345 arrived",
        "see you at 5 pm",
        "apt to fail",
        "meet me at the station",
        "it took 2 weeks via road",
        "we drove 200 miles down the road",
        "i tried 3 times by the way",
        "go 2 blocks down the street",
        "it took 3 hours on the highway",
        "i waited 10 mins at the station 2",
        "the file was sent to delegate 2",
        "i was in spring 2021",
        "my 2 kids live on the same street",
        "office suite 365 crashed again",
        "She lives at Alice 5th floor",
    ],
)
def test_lower_case_and_numbered_sentences_that_are_not_addresses(text: str) -> None:
    """Lower-case words, a number and a street word also make ordinary sentences."""
    assert "[ADDRESS]" not in mask_text(text)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("please ship to 221B Baker Street, London NW1 6XE", "please ship to [ADDRESS]"),
        ("10 Downing Street, London SW1A 2AA, UK", "[ADDRESS]"),
        (
            "I live at 1600 Pennsylvania Ave NW, Washington, DC 20500",
            "I live at [ADDRESS]",
        ),
        (
            "Can you send it to apartment 4B, 350 Fifth Avenue, New York, NY 10118?",
            "Can you send it to [ADDRESS]?",
        ),
        ("It's in Λεωφόρος Συγγρού 33 tonight", "It's in [ADDRESS] tonight"),
    ],
)
def test_a_british_postcode_a_quadrant_and_a_unit_first_stay_in_the_address(
    text: str, masked: str
) -> None:
    """They were left readable after the street («[ADDRESS] NW1 6XE», «[ADDRESS] NW,
    Washington, DC 20500»), or the unit before the street was dropped as a second find."""
    assert mask_text(text) == masked


@pytest.mark.parametrize(
    "text",
    ["He lives in London NW1", "Turn W at 5 and go N", "my flight is BA 2490 at 5 pm"],
)
def test_postcode_and_quadrant_shapes_alone_are_no_address(text: str) -> None:
    assert [s for s in find_pii(text) if s.type == "ADDRESS"] == []


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("ship it to 48 Gray Bluffs, Apt 2 please", "ship it to [ADDRESS] please"),
        ("my new place is 7 Oak Brook", "my new place is [ADDRESS]"),
        ("Deliver to 1200 Pine Cliffs\nSuite 5", "Deliver to [ADDRESS]"),
    ],
)
def test_the_rest_of_the_usps_street_suffixes(text: str, masked: str) -> None:
    """Bluffs, Brook, Cliffs… are USPS Publication 28 suffixes the list lacked."""
    assert mask_text(text) == masked


@pytest.mark.parametrize(
    "text", ["the place is 5 minutes away", "sent via post 3 times", "my route is 12 km long"]
)
def test_english_words_that_are_street_types_elsewhere_are_no_street(text: str) -> None:
    """«place», «via», «route» in lower case read as «Place de…», «Via Roma» did: «the
    [ADDRESS] minutes away»."""
    assert [s for s in find_pii(text) if s.type == "ADDRESS"] == []
