"""Russian grammar in system lines: the gender comes from the profile or the first name."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests.helpers import make_user, new_conversation
from wowdesk.conversations import service as conversations
from wowdesk.nlp.gender import gender_of
from wowdesk.operators import service as operators


def test_gender_from_the_first_name_or_the_profile() -> None:
    assert gender_of("Анна") == "f" and gender_of("Петрова Мария") == "f"
    assert gender_of("Дмитрий Орлов") == "m" and gender_of("Евгения") == "f"
    assert gender_of("Саша") is None and gender_of("Оператор 007") is None
    assert gender_of("Alex") is None and gender_of("") is None
    assert gender_of("Саша", "f") == "f" and gender_of("Анна", "m") == "m"


def test_the_joined_line_agrees_with_the_operator(db: Session) -> None:
    anna = make_user(db, name="Анна Петрова")
    sasha = make_user(db, name="Саша")
    lines = []
    for user in (anna, sasha):
        conv = new_conversation(db)
        conversations.do_assign(db, conv.id, user)
        lines.append(conversations.list_messages(db, conv)[-1].text)
    assert lines == [
        "Оператор Анна Петрова подключилась к диалогу",
        "Оператор Саша подключился к диалогу",
    ]
    operators.do_update_user(db, sasha, gender="f")
    conv = new_conversation(db, name="Мария Иванова")
    conversations.do_assign(db, conv.id, sasha)
    assert conversations.list_messages(db, conv)[-1].text == "Оператор Саша подключилась к диалогу"
    [out] = conversations.conversation_out(db, [conv])
    assert out.customer_gender == "f"
