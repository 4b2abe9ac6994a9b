"""What the demo history's people say: customers with names, operators with their own
manner, dialogues of a few turns.

Why: with one question and one bare answer per conversation, every operator scored about
40 in auto-QA, none was better than another, and the daily WOW search found nothing in 60
days. A real line has operators who greet by name, calm an upset customer, say what
happens next and close warmly, and others who answer in one line; and customers who
write back «спасибо, вы очень помогли». Each operator's `craft` is how often they do
what the scorecard asks, so the quality pages, rankings and WOW candidates tell them
apart as they would tell real people apart.

Texts come with their masked copies, as the product stores them: names are written as
[PERSON] where the masker would put it."""

from __future__ import annotations

import random
from dataclasses import dataclass

from wowdesk.bot import answer
from wowdesk.nlp.gender import gender_of

WOMEN = ("Мария", "Ольга", "Елена", "Наталья", "Татьяна", "Ирина", "Светлана", "Анна",
         "Юлия", "Екатерина", "Дарья", "Марина", "Алина", "Ксения", "Вероника")  # fmt: skip
MEN = ("Алексей", "Дмитрий", "Сергей", "Андрей", "Игорь", "Павел", "Михаил", "Николай",
       "Артём", "Иван", "Роман", "Владимир", "Денис", "Кирилл", "Максим")  # fmt: skip
SURNAMES = ("Иванов", "Смирнов", "Кузнецов", "Попов", "Соколов", "Лебедев", "Козлов",
            "Новиков", "Морозов", "Волков", "Соловьёв", "Васильев", "Зайцев", "Павлов",
            "Семёнов", "Голубев", "Виноградов", "Богданов", "Воробьёв", "Фёдоров")  # fmt: skip

BOT_FALLBACK = "Вот что может помочь: ответ из базы знаний. Помог ли ответ?"
MASK = "[PERSON]"  # what the masker writes for a name
OPENING = "Здравствуйте, {name}! Меня зовут {me}."
EMPATHY = "Понимаю, как это неприятно, сейчас разберёмся."
NEXT_STEPS = (
    "Вам придёт уведомление, как только что-то изменится.",
    "Статус заявки будет виден в разделе «Мои обращения».",
)
GOODBYE = "Хорошего дня!"
CLOSING = "Рада была помочь, {name}! Хорошего дня."
CLOSING_HE = "Рад был помочь, {name}! Хорошего дня."
THANKS = (
    "Спасибо большое, вы очень помогли!",
    "Спасибо, всё понятно, отличная поддержка.",
    "Благодарю, быстро и по делу, очень приятно.",
)
OKAY = ("Понятно.", "Хорошо, подожду.", "Ясно, спасибо.")
UPSET = ("Это уже второй раз! ", "Безобразие, сколько можно ждать. ", "Сколько можно! ")
MANAGER = " Если не решите, позовите руководителя."


# what the bot answers the history's questions (demo/history.py QUESTIONS, in order) from:
# the demo knowledge base's article and its passage, as the extractive bot would
BOT_SOURCES = (
    ("Как отследить заказ", "Статус заказа виден в разделе Заказы: «Оформлен», «Передан в "
     "доставку», «В пути», «Прибыл в пункт выдачи», «Получен». Нажмите на заказ, чтобы "
     "увидеть историю перемещений и ожидаемую дату доставки."),
    ("Почему моё объявление отклонили на модерации", "Объявление отклоняют, если оно "
     "нарушает правила размещения. Причина всегда указана в уведомлении и в разделе «Мои "
     "объявления» рядом с объявлением."),
    ("За что могут заблокировать аккаунт", "Блокировка бывает временной — на 7, 14 или 30 "
     "дней — и постоянной. Срок и причина указаны в письме, которое приходит на почту "
     "аккаунта, и на экране входа."),
    ("Что происходит с платными услугами, если объявление заблокировали", "Если объявление "
     "заблокировали или отклонили, действующие платные услуги останавливаются."),
    ("Как работает программа лояльности", "Когда сумма ваших полученных заказов превышает "
     "100 000 ₽, на все следующие покупки действует постоянная скидка 2,5 %."),
    ("Пришло уведомление о входе, который я не совершал", "Если вы получили уведомление о "
     "входе с незнакомого устройства, сразу смените пароль и завершите все сеансы."),
    ("Когда вернутся деньги за возврат или отмену заказа", "Деньги за отменённый заказ или "
     "принятый возврат возвращаются на ту карту, с которой вы платили, в течение 10 рабочих "
     "дней."),
    ("Как выбрать пункт выдачи", "Пункт выдачи выбирают при оформлении заказа: на шаге "
     "«Способ получения» нажмите «Пункт выдачи» и выберите точку на карте или из списка."),
)  # fmt: skip


def bot_answers(article_ids: dict[str, int], public_url: str) -> tuple[str, ...]:
    """The bot's answer to each history question, in the bot's own frame, linking the
    article by its id in this database; a plain pointer where the knowledge base lacks it
    (a benchmark's database without the demo's articles)."""
    out = []
    for title, passage in BOT_SOURCES:
        found = article_ids.get(title)
        url = f"{public_url}/help/{found}"
        out.append(answer.extractive(passage, title, url) if found else BOT_FALLBACK)
    return tuple(out)


@dataclass(frozen=True)
class Line:
    author: str  # customer or operator
    text: str
    masked: str


def person(rng: random.Random) -> str:
    """A customer's name, first name and surname of one gender."""
    if rng.random() < 0.5:
        return f"{rng.choice(WOMEN)} {rng.choice(SURNAMES)}а"
    return f"{rng.choice(MEN)} {rng.choice(SURNAMES)}"


def colleague(n: int) -> str:
    """The n-th generated operator's name, the same on every run."""
    first = (WOMEN + MEN)[n % (len(WOMEN) + len(MEN))]
    surname = SURNAMES[(n * 7) % len(SURNAMES)]
    return f"{first} {surname}{'а' if first in WOMEN else ''}"


def craft(rng: random.Random) -> float:
    """How often an operator does what a good answer takes: from one in three to nearly
    always."""
    return rng.uniform(0.3, 0.97)


def served(
    rng: random.Random,
    question: str,
    answer: str,
    *,
    customer: str,
    operator: str,
    skill: float,
    csat: int | None,
) -> list[Line]:
    """The customer's question and what follows once an operator takes it: the answer in
    the operator's manner, then (sometimes) the customer's word and a closing."""
    name, me = customer.split()[0], operator.split()[0]
    upset = rng.random() < 0.2
    opening = (rng.choice(UPSET) if upset else "") + question
    if upset and rng.random() < 0.25:
        opening += MANAGER
    lines = [Line("customer", opening, opening)]
    parts = []  # the answer's sentences, each with its masked copy
    if rng.random() < skill:
        parts.append((OPENING.format(name=name, me=me), OPENING.format(name=MASK, me=MASK)))
    if upset and rng.random() < skill:
        parts.append((EMPATHY, EMPATHY))
    parts.append((answer, answer))
    if rng.random() < skill:
        step = rng.choice(NEXT_STEPS)
        parts.append((step, step))
    closes = rng.random() < skill
    if csat == 5 or (csat is None and rng.random() < 0.3):
        reply = rng.choice(THANKS)
    elif rng.random() < 0.5:
        reply = rng.choice(OKAY)
    else:  # no word back: a good operator says goodbye with the answer
        if closes:
            parts.append((GOODBYE, GOODBYE))
        return [*lines, _operator(parts)]
    lines += [_operator(parts), Line("customer", reply, reply)]
    if closes:
        closing = CLOSING if gender_of(operator) == "f" else CLOSING_HE
        lines.append(Line("operator", closing.format(name=name), closing.format(name=MASK)))
    return lines


def _operator(parts: list[tuple[str, str]]) -> Line:
    return Line("operator", " ".join(t for t, _m in parts), " ".join(m for _t, m in parts))
