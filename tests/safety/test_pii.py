from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from wowdesk.cli.main import app
from wowdesk.nlp.pii import Span, find_pii, iban_ok, inn_ok, luhn_ok, mask_text, snils_ok
from wowdesk.nlp.pii_evaluation import evaluate


def test_masks_contacts_and_valid_cards_only() -> None:
    text = (
        "Карта 4111 1111 1111 1111, заказ 1234567812345678, "
        "тел. 8 (912) 345-67-89, mail ivan@mail.ru"
    )
    assert mask_text(text) == "Карта [CARD], заказ 1234567812345678, тел. [PHONE], mail [EMAIL]"


def test_luhn() -> None:
    assert luhn_ok("4111111111111111")
    assert not luhn_ok("4111111111111112")


# --- generated Russian cases with known answers ---------------------------------------


def with_luhn(body: str) -> str:
    for d in "0123456789":
        if luhn_ok(body + d):
            return body + d
    raise AssertionError


def snils(n: int) -> str:
    digits = f"{n:09d}"
    check = sum(int(d) * (9 - i) for i, d in enumerate(digits)) % 101
    check = 0 if check == 100 else check
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:9]} {check:02d}"


def inn10(n: int) -> str:
    digits = f"{n:09d}"
    weights = (2, 4, 10, 3, 5, 9, 4, 6, 8)
    return digits + str(sum(w * int(d) for w, d in zip(weights, digits, strict=True)) % 11 % 10)


def kinds(text: str) -> list[tuple[str, str]]:
    return [(s.type, text[s.start : s.end]) for s in find_pii(text)]


def test_every_russian_kind_is_found_with_its_span() -> None:
    card = with_luhn("220220123456789")
    text = (
        f"Меня зовут Иван Петров, паспорт серия 4508 № 123456, СНИЛС {snils(112233445)}, "
        f"ИНН {inn10(770708389)}, карта {card}, счёт 40817810099910004312, "
        "тел. +7 912 345-67-89, почта ivan.petrov@mail.ru, адрес: ул. Лесная, д. 12, кв. 5"
    )
    found = dict((k, v) for k, v in kinds(text))
    assert found["PERSON"] == "Иван Петров"
    assert found["PASSPORT"] == "4508 № 123456"
    assert found["SNILS"] == snils(112233445)
    assert found["INN"] == inn10(770708389)
    assert found["CARD"] == card
    assert found["ACCOUNT"] == "40817810099910004312"
    assert found["PHONE"] == "+7 912 345-67-89"
    assert found["EMAIL"] == "ivan.petrov@mail.ru"
    assert found["ADDRESS"].startswith("ул. Лесная, д. 12")
    masked = mask_text(text)
    assert "Петров" not in masked and "123456" not in masked and "40817" not in masked


def test_numbers_that_only_look_personal_are_left_alone() -> None:
    text = (
        "Заказ 4508 123456 оплачен 23.11.2026, сумма 12 345 ₽, трек 1234567812345678, "
        "ИНН 7707083894 неверный"  # wrong check digit
    )
    assert kinds(text) == []


def test_check_digits() -> None:
    assert snils_ok("11223344595") is snils_ok("11223344595")  # stable
    assert snils_ok(snils(112233445).replace("-", "").replace(" ", ""))
    assert inn_ok(inn10(770708389)) and not inn_ok("7707083894")
    assert inn_ok("500100732259")  # a published 12-digit example
    assert iban_ok("DE89 3704 0044 0532 0130 00") and not iban_ok("DE89 3704 0044 0532 0130 01")


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="0123456789", min_size=15, max_size=15))
def test_any_luhn_valid_card_is_masked_and_a_broken_one_only_when_named(body: str) -> None:
    card = with_luhn(body)
    spaced = " ".join(card[i : i + 4] for i in range(0, 16, 4))
    assert mask_text(f"Номер карты {spaced}") == "Номер карты [CARD]"
    broken = card[:-1] + str((int(card[-1]) + 1) % 10)
    # named a card, a mistyped digit hides nothing: the other fifteen give it away
    assert mask_text(f"Номер карты {broken}") == "Номер карты [CARD]"
    assert "[CARD]" not in mask_text(f"Заказ {broken} оплачен картой")
    assert "[CARD]" not in mask_text(f"Карта, заказ {broken}")


def test_eval_pii_prints_the_agreed_json(tmp_path: Path) -> None:
    rng = random.Random(3)
    lines = []
    for i in range(20):
        number = snils(rng.randrange(10**8, 10**9))
        text = f"Клиент {i}: мой СНИЛС {number}, пишите на user{i}@example.ru"
        a = text.index(number)
        b = text.index("user")
        lines.append(
            {
                "text": text,
                "spans": [
                    {"start": a, "end": a + len(number), "type": "SNILS"},
                    {"start": b, "end": len(text), "type": "EMAIL_ADDRESS"},
                    {"start": 0, "end": 6, "type": "DATE_TIME"},  # a type we do not score
                ],
            }
        )
    data = tmp_path / "pii.jsonl"
    data.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    out = CliRunner().invoke(app, ["eval", "pii", "--data", str(data), "--json"])
    assert out.exit_code == 0, out.output
    result = json.loads(out.stdout)
    assert result["overall"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 40}
    assert result["per_type"]["SNILS"]["support"] == 20
    assert result["f1"] == 1.0 and result["ignored_types"] == {"DATE_TIME": 20}
    data.write_text('{"text": "x", "spans": [{"start": 0, "end": 9, "type": "EMAIL"}]}\n')
    bad = CliRunner().invoke(app, ["eval", "pii", "--data", str(data), "--json"])
    assert bad.exit_code == 2


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # a phone in full international form, or named as one, next to an order
        (
            "Сколько дней хранится заказ? Мой телефон +7 916 123-45-67",
            "Сколько дней хранится заказ? Мой телефон [PHONE]",
        ),
        ("Где мой заказ? Звоните +7 916 123-45-67", "Где мой заказ? Звоните [PHONE]"),
        ("заказ 89161234567, мой телефон 89161234568", "заказ 89161234567, мой телефон [PHONE]"),
        # the same digits as an order number or a sum are neither
        ("Номер заказа 89161234567", "Номер заказа 89161234567"),
        ("Сумма 8 916 123 45 67 руб", "Сумма 8 916 123 45 67 руб"),
    ],
)
def test_phones_next_to_orders(text: str, masked: str) -> None:
    assert mask_text(text) == masked


def test_one_mask_over_an_address_labelled_in_pieces_hides_all_its_characters() -> None:
    """Presidio's addresses come in pieces (house number, street, apartment, postcode): span
    matching credits one whole-address mask with one piece at most, the character figures
    say that every piece is hidden, and a mask over an unlabelled word lowers precision."""
    text = "Send it to 974 Via Roma 131\n Apt. 425\n Montafia\n Italy 39767"
    pieces = ["974", "Via Roma 131", "Apt. 425", "39767"]
    gold = [Span(text.index(p), text.index(p) + len(p), "STREET_ADDRESS") for p in pieces]
    gold += [Span(text.index("Montafia"), text.index("Montafia") + 8, "GPE")]
    gold += [Span(text.index("Italy"), text.index("Italy") + 5, "GPE")]
    result = evaluate([(text, gold)])
    assert result["recall"] < 0.5
    assert result["characters"] == {"precision": 1.0, "recall": 1.0}
    unlabelled = evaluate([(text, gold[:4])])  # the town and country not labelled at all
    assert unlabelled["characters"]["recall"] == 1.0
    assert unlabelled["characters"]["precision"] < 0.8
    missed = evaluate([("Call me back please", [Span(0, 4, "PERSON")])])
    assert missed["characters"] == {"precision": 0.0, "recall": 0.0}


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Here's my SSN: 460-89-9847", "Here's my SSN: [SSN]"),
        ("His social security number is 588 46 6702.", "His social security number is [SSN]."),
        ("ssn 588466702 thanks", "ssn [SSN] thanks"),
        # never issued (area 000, 666, 9xx; group 00; serial 0000): not an SSN
        ("Ticket 666-12-3456 is open", "Ticket 666-12-3456 is open"),
        ("Ticket 912-12-3456 is open", "Ticket 912-12-3456 is open"),
        ("Ticket 123-00-3456 is open", "Ticket 123-00-3456 is open"),
        # spaCy once called «Reference 666-12-3456» a PERSON: no name holds a digit
        ("Reference 666-12-3456", "Reference 666-12-3456"),
        # nine digits not named as an SSN, or the dashed shape in Russian text: left alone
        ("order 588466702 is late", "order 588466702 is late"),
        # the dashed shape named as something else in its sentence
        ("Where is order 123-45-6789?", "Where is order 123-45-6789?"),
        ("Tracking number 234-56-7890 shows nothing", "Tracking number 234-56-7890 shows nothing"),
        ("My order is late. 460-89-9847", "My order is late. [SSN]"),
        # «no.» abbreviates «number»; it does not end the sentence that names the order
        ("Tracking no. 234-56-7890 shows nothing", "Tracking no. 234-56-7890 shows nothing"),
        ("Order No. 123-45-6789 is late", "Order No. 123-45-6789 is late"),
        ("I said no. 460-89-9847", "I said no. [SSN]"),
        ("Где заказ 123-45-6789?", "Где заказ 123-45-6789?"),
        ("Мой SSN 123-45-6789", "Мой SSN [SSN]"),
    ],
)
def test_us_social_security_numbers(text: str, masked: str) -> None:
    assert mask_text(text) == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("водительское удостоверение 99 00 123456", "водительское удостоверение [DRIVER_LICENSE]"),
        ("Номер ВУ 77 УЕ 123456, выдано в 2015", "Номер ВУ [DRIVER_LICENSE], выдано в 2015"),
        ("мои права 77 уе 123456", "мои права [DRIVER_LICENSE]"),
        ("Права: серия 99 00 номер 123456", "Права: серия [DRIVER_LICENSE]"),
        ("My driver's license number is 5130634", "My driver's license number is [DRIVER_LICENSE]"),
        ("DL: A1234567, exp 2027", "DL: [DRIVER_LICENSE], exp 2027"),
        ("DL A1234567 2027", "DL [DRIVER_LICENSE] 2027"),
        ("NY driver license 123 456 789", "NY driver license [DRIVER_LICENSE]"),
        ("driving licence S530-4604-0211", "driving licence [DRIVER_LICENSE]"),
        # not named as a licence, or another number named in between: left alone
        ("паспорт 45 10 123456", "паспорт [PASSPORT]"),
        ("права потребителя, заказ 9900123456", "права потребителя, заказ 9900123456"),
        ("I showed my driver license, order 1234567 is late",
         "I showed my driver license, order 1234567 is late"),
        ("My license plate is ABC123", "My license plate is ABC123"),
    ],
)  # fmt: skip
def test_driving_licences(text: str, masked: str) -> None:
    assert mask_text(text) == masked


def test_places_score_the_recogniser_while_a_city_alone_stays_unmasked() -> None:
    """On news-like text the masking rightly leaves a city alone, so ADDRESS recall is low;
    `places` says how well the places themselves were read."""
    rows = []
    for text, place in [
        ("Президент прилетел в Казань на форум.", "Казань"),
        ("В Новосибирске прошёл фестиваль.", "Новосибирске"),
        ("Я живу в Самаре, пришлите курьера.", "Самаре"),
    ]:
        start = text.index(place)
        rows.append((text, [Span(start, start + len(place), "LOC")]))
    result = evaluate(rows)
    assert result["per_type"]["ADDRESS"]["recall"] < 0.5  # only «живу в Самаре» is masked
    assert result["places"]["recall"] == 1.0 and result["places"]["support"] == 3
    assert "places" not in evaluate([("Call me, Anna", [Span(9, 13, "PERSON")])])


def test_the_russian_names_dev_set_is_well_formed() -> None:
    """The dev set `wowdesk eval pii` reports Russian names on: every span inside its text,
    none overlapping, each a name or a place."""
    from wowdesk.nlp.pii_evaluation import load

    path = Path(__file__).parents[2] / "benchmarks" / "data" / "pii_ru_hwu64_dev.jsonl"
    rows = load(path)
    assert len(rows) == 714
    for text, spans in rows:
        ordered = sorted(spans, key=lambda s: s.start)
        assert all(a.end <= b.start for a, b in itertools.pairwise(ordered)), text
        assert {s.type for s in spans} <= {"PER", "LOC"}
        assert all(text[s.start : s.end].strip() == text[s.start : s.end] for s in spans), text
