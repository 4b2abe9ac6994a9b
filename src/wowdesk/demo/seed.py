"""Russian demo data: a marketplace support line with its staff, topics and customers.

Seeding goes through the domains' services, as a real first day would, so the demo shows
exactly what the product does with real input.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from wowdesk.assist import service as assist
from wowdesk.bot import training
from wowdesk.conversations import service as conversations
from wowdesk.conversations import topics
from wowdesk.conversations.models import AuthorKind, Conversation
from wowdesk.customers import crosssell, orders
from wowdesk.db import utcnow
from wowdesk.demo.templates import TEMPLATES
from wowdesk.kb import importer
from wowdesk.kb import service as kb
from wowdesk.operators import service as operators
from wowdesk.security import new_token

DEMO_ARTICLES = Path(__file__).parent / "articles"
DEMO_ORDERS = Path(__file__).parent / "customers" / "orders.csv"
DEMO_CASES = Path(__file__).parent / "customers" / "cases.csv"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    name: str


LOGINS = (
    DemoLogin("admin", "admin-demo-1", "admin", "Администратор Ирина"),
    DemoLogin("supervisor", "super-demo-1", "supervisor", "Супервайзер Олег Петров"),
    DemoLogin("anna", "operator-demo-1", "operator", "Анна Смирнова"),
    DemoLogin("dmitry", "operator-demo-2", "operator", "Дмитрий Волков"),
)

TEAMS = ("Первая линия", "Вторая линия")

TOPICS = (
    "Модерация объявлений",
    "Блокировка аккаунта",
    "Платные услуги и компенсации",
    "Доставка и пункты выдачи",
    "Программа лояльности",
    "Безопасность аккаунта",
    "Оплата и возвраты",
)

# (customer name, identity, messages, topic index or None if still waiting, csat)
# seconds since the message before, by who writes: a customer types, an operator who
# knows the answer replies within the minute, the system's line follows at once
PACE_SECONDS = {"customer": 60, "operator": 45, "bot": 2, "system": 2}
HISTORY: tuple[tuple[str, str, tuple[tuple[str, str], ...], int | None, int | None], ...] = (
    (
        "Мария Кузнецова",
        "demo-maria",
        (
            (
                "customer",
                "Здравствуйте! Моё объявление о продаже дивана отклонили, не понимаю почему.",
            ),
            (
                "operator",
                "Здравствуйте, Мария! Меня зовут Анна. Объявление отклонено: в описании указан номер телефона, а это запрещено правилами. Уберите его из текста — контакты покупатели увидят на кнопке «Показать телефон».",
            ),
            ("customer", "Поняла, исправлю. Спасибо!"),
        ),
        0,
        5,
    ),
    (
        "Игорь Васильев",
        "demo-igor",
        (
            (
                "customer",
                "Добрый день, оплатил продвижение «XL-объявление», но объявление заблокировали через час. Деньги вернутся?",
            ),
            (
                "operator",
                "Добрый день, Игорь! Если объявление заблокировано модератором, неиспользованная часть услуги возвращается на кошелёк в течение 24 часов. Я проверила: компенсация 240 ₽ уже начислена.",
            ),
        ),
        2,
        4,
    ),
    (
        "Мария Кузнецова",
        "demo-maria",
        (
            ("customer", "Подскажите, сколько хранится заказ в пункте выдачи?"),
            (
                "operator",
                "Заказ хранится в пункте выдачи 7 дней, срок можно продлить один раз ещё на 3 дня в карточке заказа.",
            ),
        ),
        3,
        5,
    ),
    (
        "Алексей Морозов",
        "demo-alexey",
        (
            (
                "customer",
                "Добрый день! Когда привезут диван «Осло»? В заказе написано, что на этой неделе.",
            ),
            (
                "operator",
                "Здравствуйте, Алексей! Диван передан в доставку: курьер привезёт его в четверг с 10:00 до 14:00 и позвонит за час.",
            ),
        ),
        3,
        5,
    ),
    (
        "Светлана Орлова",
        "demo-svetlana",
        (("customer", "Мне пришло СМС с кодом, а я ничего не делала. Это мошенники? Что делать?"),),
        None,
        None,
    ),
    (
        "Алексей Морозов",
        "demo-alexey",
        (
            (
                "customer",
                "Здравствуйте, когда мне начислят скидку по программе лояльности? Сумма заказов уже 50 000 ₽.",
            ),
        ),
        None,
        None,
    ),
)


def is_seeded(db: Session) -> bool:
    return operators.find_user(db, LOGINS[0].username) is not None


def seed(db: Session, max_chars: int = 4000) -> list[DemoLogin]:
    """Creates the demo once; a second call on a seeded database changes nothing."""
    if is_seeded(db):
        return list(LOGINS)
    existing = {t.name: t for t in operators.list_teams(db)}
    teams = [existing.get(name) or operators.do_create_team(db, name) for name in TEAMS]
    users = {}
    for login in LOGINS:
        users[login.username] = operators.do_create_user(
            db,
            username=login.username,
            display_name=login.name,
            role=login.role,
            password=login.password,
            team_id=teams[0].id if login.role == "operator" else None,
        )
    known = {t.name: t for t in topics.list_topics(db)}
    topic_rows = [known.get(name) or topics.do_create_topic(db, name) for name in TOPICS]
    anna = users["anna"]
    answered = sum(1 for *_rest, topic, _csat in HISTORY if topic is not None)
    for name, identity, messages, topic, csat in HISTORY:
        (kind, first), *rest = messages
        conv, _token, _msg = conversations.do_start(
            db,
            identity=identity,
            channel="web",
            client_id=uuid.uuid4().hex,
            text=first,
            limit=max_chars,
            name=name,
            secret=new_token(),  # nobody chats in the demo's history: its tokens stay unknown
        )
        if topic is None:
            continue
        conversations.do_assign(db, conv.id, anna)
        for kind, text in rest:
            if kind == "customer":
                conversations.do_customer_message(
                    db, conv, client_id=uuid.uuid4().hex, text=text, limit=max_chars
                )
            else:
                conversations.do_operator_message(
                    db, conv, anna, client_id=uuid.uuid4().hex, text=text, limit=max_chars
                )
        conversations.do_close(db, conv, anna)
        conversations.do_wrapup(db, conv, anna, topic_id=topic_rows[topic].id)
        if csat:
            conversations.do_rate(db, conv, csat)
        answered -= 1
        _as_earlier(db, conv, utcnow() - timedelta(days=2 * answered + 1, hours=3))
    return list(LOGINS)


def _as_earlier(db: Session, conv: Conversation, start: datetime) -> None:
    """Moves a conversation the seed has just played through the services (in a few
    milliseconds) back to `start`, at the pace people write and a good operator answers
    (within the first-reply target): the customer's «earlier contacts» then read as days
    ago, and today's KPIs no longer open with four contacts of 0 s handling time."""
    messages = conversations.list_messages(db, conv, 0, 1000)
    at = start
    for n, message in enumerate(messages):
        at += timedelta(seconds=PACE_SECONDS[message.author_kind]) if n else timedelta(0)
        message.created_at = at

    def first(kind: AuthorKind) -> datetime | None:
        return next((m.created_at for m in messages if m.author_kind == kind), None)

    # assigned when «Оператор … подключилась» was written; first reply, the operator's first
    conv.assigned_at = first(AuthorKind.system) if conv.assigned_at else None
    conv.first_human_reply_at = first(AuthorKind.operator)
    conv.created_at = start
    conv.queued_at = start if conv.queued_at else None
    conv.last_message_at = at
    conv.closed_at = at + timedelta(seconds=30)
    conv.wrapup_done_at = at + timedelta(seconds=70)
    conv.csat_at = at + timedelta(seconds=90) if conv.csat_at else None
    db.flush()


def seed_knowledge(db: Session) -> kb.ImportReport:
    """The demo knowledge base, published; a re-run updates it and never duplicates."""
    items, errors = importer.read_path(DEMO_ARTICLES)
    return kb.do_import(db, items, errors, author=None, publish=True)


def seed_orders(
    db: Session, *, timezone: str, min_count: int = 2, min_confidence: float = 0.2
) -> orders.ImportReport:
    """The demo customers' orders and open cases, then the cross-sell rules over them;
    a re-run imports nothing twice."""
    rows, errors = orders.read_csv(DEMO_ORDERS.read_bytes(), orders.ORDER_COLUMNS)
    report = orders.import_orders(db, rows, timezone=timezone, read_errors=errors)
    rows, errors = orders.read_csv(DEMO_CASES.read_bytes(), orders.CASE_COLUMNS)
    cases = orders.import_cases(db, rows, timezone=timezone, read_errors=errors)
    if not (report.ok and cases.ok):  # the shipped files are checked by the tests
        raise ValueError([str(e) for e in report.errors + cases.errors])
    crosssell.do_refresh_rules(db, min_count=min_count, min_confidence=min_confidence)
    return report


def seed_templates(db: Session) -> int:
    """The demo's reply templates; a re-run adds only the missing ones."""
    return assist.do_load_templates(db, list(TEMPLATES))


def ensure_topic_model(db: Session, path: Path) -> bool:
    """Trains the topic model from the demo examples and the knowledge base, once."""
    if path.exists():
        return False
    training.train(db, training.DEMO_EXAMPLES, path)
    return True
