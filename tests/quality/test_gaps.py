"""Gap clustering on a known set, drafts from the best answer, the history import."""

from __future__ import annotations

from pathlib import Path

from wowdesk.quality import gaps

KNOWN = [
    # address change (4 paraphrases, typos)
    "Как поменять адрес доставки?",
    "хочу изменить адрес доставки заказа",
    "можно поменять адрес доставки после оформления",
    "адресс доставки поменять как",
    # delivery to Kazan
    "Сколько стоит доставка в Казань",
    "стоимость доставки до Казани?",
    "какая цена доставки в казань",
    # password reset (English)
    "How do I reset my password?",
    "reset password please",
    "forgot my password, how to reset it",
    # singletons
    "Где мой заказ 1234567",
    "Можно оплатить криптовалютой?",
]
TRUTH = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 4]


def test_clusters_match_the_known_groups() -> None:
    groups = gaps.cluster(KNOWN)
    found = {frozenset(g) for g in groups}
    expected = {frozenset(i for i, t in enumerate(TRUTH) if t == label) for label in set(TRUTH)}
    assert found == expected


def test_draft_takes_the_best_representative_answer_and_drops_personal_data() -> None:
    items = [
        gaps.Item(
            "Как поменять адрес доставки?",
            "Здравствуйте! Адрес можно поменять в личном кабинете до отправки заказа. "
            "Всего доброго!",
            1,
            90,
        ),
        gaps.Item(
            "хочу изменить адрес доставки",
            "Мария, ваш адрес ул. Ленина, д. 5. Адрес меняется в личном кабинете до отправки.",
            2,
            95,
        ),
        gaps.Item(
            "поменять адрес доставки можно?",
            "Адрес можно поменять в личном кабинете, пока заказ не отправлен.",
            3,
            60,
        ),
        gaps.Item("Сколько стоит доставка в Казань", "300 рублей", 4, 50),
    ]
    drafts = gaps.drafts_from(items, min_size=2)
    assert len(drafts) == 1
    draft = drafts[0]
    assert draft.size == 3 and sorted(draft.conversation_ids) == [1, 2, 3]
    assert "личном кабинете" in draft.body
    assert "Здравствуйте" not in draft.body and "Всего доброго" not in draft.body
    assert "Ленина" not in draft.body and "Мария" not in draft.body
    assert draft.title.endswith("?")


def test_history_file(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text(
        "question,answer\n"
        "Как поменять адрес доставки?,В личном кабинете до отправки.\n"
        "хочу изменить адрес доставки,Адрес меняется в личном кабинете до отправки.\n",
        encoding="utf-8",
    )
    items = gaps.read_history(path)
    assert len(items) == 2
    assert len(gaps.drafts_from(items)) == 1


def test_an_answer_about_the_customers_own_data_leaves_no_sentence_in_the_draft() -> None:
    # masked text as stored: each masked type drops its sentence, the SSN added last too
    answer = "Your SSN [SSN] is on file. Tax forms are sent by mail in January."
    assert gaps.clean_answer(answer, masked=True) == "Tax forms are sent by mail in January."
    assert gaps.clean_answer("Звоним на [PHONE]. Курьер приедет днём.", masked=True) == (
        "Курьер приедет днём."
    )
