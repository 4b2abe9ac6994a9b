from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from wowdesk import migrate
from wowdesk.cli.main import app
from wowdesk.config import get_settings
from wowdesk.customers import loyalty, orders, service
from wowdesk.customers.models import CustomerOrder, OrderLine
from wowdesk.db import make_engine, make_sessionmaker
from wowdesk.demo import seed as demo

GOOD = """order_id,placed_at,status,channel,customer_ref,customer_name,customer_email,customer_phone,customer_segment,sku,product,category,quantity,price
A-1,2026-09-14 12:30,completed,сайт,C-1,Ольга Белова,Olga@Example.ru,,постоянный,SOFA,Диван «Осло»,Диван,1,42000
A-1,2026-09-14 12:30,completed,сайт,C-1,Ольга Белова,Olga@Example.ru,,постоянный,PIL,Подушка,подушка,2,"1 500,50"
A-2,2026-10-01,cancelled,приложение,,Павел,,8 (916) 555-12-34,,CHR,Кресло,кресло,1,12000
A-3,01.11.2026 10:00,shipped,,,Павел,,+7 916 555 12 34,,LMP,Торшер,торшер,1,5000.5
"""  # noqa: E501


def rows(text: str) -> orders.Rows:
    parsed, errors = orders.read_csv(text, orders.ORDER_COLUMNS)
    assert errors == []
    return parsed


def count_orders(db: Session) -> tuple[int, int]:
    return (
        int(db.scalar(select(func.count(CustomerOrder.id))) or 0),
        int(db.scalar(select(func.count(OrderLine.id))) or 0),
    )


def test_a_good_file_imports_whole(db: Session) -> None:
    report = orders.import_orders(db, rows(GOOD), timezone="Europe/Moscow")
    assert report.ok and (report.rows, report.created, report.customers_created) == (4, 3, 2)
    assert count_orders(db) == (3, 4)
    olga = service.find_customer(db, channel="shop", external_id="C-1")
    assert olga is not None
    assert (olga.display_name, olga.email, olga.segment) == (
        "Ольга Белова",
        "olga@example.ru",
        "постоянный",
    )
    first = orders.list_orders(db, olga.id)[0]
    assert first.total_kopecks == 42_000_00 + 2 * 1_500_50
    assert first.products == ["Диван «Осло»", "Подушка"]
    assert [x.category for x in first.lines] == ["диван", "подушка"]
    assert first.placed_at.isoformat() == "2026-09-14T09:30:00+00:00"  # Moscow time
    # the same number written two ways is one customer, stored in E.164
    pavel = service.find_customer(db, phone="+79165551234")
    assert pavel is not None
    last = orders.last_order(db, pavel.id)
    assert last is not None and (last.external_id, last.products) == ("A-3", ["Торшер"])
    assert last.total_kopecks == 5000_50
    # the cancelled order is listed but does not count
    assert orders.order_stats(db, pavel.id) == (1, 5000_50)
    assert orders.last_order(db, service.do_identify(db, channel="web", external_id="x").id) is None


def test_re_import_creates_no_duplicates_and_applies_changes(db: Session) -> None:
    orders.import_orders(db, rows(GOOD))
    again = orders.import_orders(db, rows(GOOD))
    assert (again.created, again.updated, again.unchanged, again.customers_created) == (0, 0, 3, 0)
    assert count_orders(db) == (3, 4)
    changed = GOOD.replace("A-2,2026-10-01,cancelled", "A-2,2026-10-01,completed")
    changed = changed.replace("Подушка,подушка,2", "Подушка,подушка,3")
    report = orders.import_orders(db, rows(changed))
    assert (report.created, report.updated, report.unchanged) == (0, 2, 1)
    assert count_orders(db) == (3, 4)
    pavel = service.find_customer(db, phone="+79165551234")
    assert pavel is not None and orders.order_stats(db, pavel.id) == (2, 17000_50)


def test_bad_rows_are_all_reported_with_line_numbers_and_nothing_is_written(db: Session) -> None:
    bad = (
        GOOD
        + "A-4,2026-13-01,completed,,C-9,,,,,X,Стол,стол,1,100\n"  # line 6: no such month
        + "A-5,2026-10-01,completed,,,,,,,X,Стол,стол,1,100\n"  # line 7: nobody
        + "A-6,2026-10-01,completed,,,,not-an-email,,,X,Стол,стол,1,100\n"  # line 8
        + "A-7,2026-10-01,lost,,C-9,,,,,X,Стол,стол,0,-5\n"  # line 9: status first
        + "A-1,2026-09-15 12:30,completed,сайт,C-1,,,,,X,Стол,стол,1,100\n"  # line 10
        + "A-8,2026-10-01,completed,,,,,12345,,X,Стол,стол,1,100\n"  # line 11: bad phone
        + "A-9,2026-10-01,completed,,C-9,,,,,X,,стол,1,100\n"  # line 12: no product
        + "A-10,2026-10-01,completed,,C-9,,,,,X,Стол,стол,1,12.345\n"  # line 13
    )
    report = orders.import_orders(db, rows(bad))
    assert not report.ok
    assert [e.line for e in report.errors] == [6, 7, 8, 9, 10, 11, 12, 13]
    messages = [str(e) for e in report.errors]
    assert messages[0] == "строка 6: Не дата: 2026-13-01"
    assert "не указан клиент" in messages[1]
    assert messages[2] == "строка 8: Не адрес e-mail: not-an-email"
    assert "status" in messages[3]
    assert "A-1" in messages[4]
    assert messages[5] == "строка 11: Не номер телефона: 12345"
    assert messages[6] == "строка 12: не заполнено поле product"
    assert messages[7] == "строка 13: Не сумма в рублях: 12.345"
    assert count_orders(db) == (0, 0)
    assert report.created == 0


def test_missing_columns_semicolons_and_windows_1251() -> None:
    parsed, errors = orders.read_csv("order_id,product\n1,x\n", orders.ORDER_COLUMNS)
    assert parsed == [] and [str(e) for e in errors] == ["строка 1: нет столбцов: placed_at, price"]
    excel = (
        "order_id;placed_at;customer_ref;product;price\r\nA-1;2026-10-01;C-1;Диван;42 000,00\r\n"
    )
    parsed, errors = orders.read_csv(excel.encode("cp1251"), orders.ORDER_COLUMNS)
    assert errors == [] and parsed == [
        (
            2,
            {
                "order_id": "A-1",
                "placed_at": "2026-10-01",
                "customer_ref": "C-1",
                "product": "Диван",
                "price": "42 000,00",
            },
        )
    ]
    assert orders.parse_money("42 000,00") == 4_200_000
    # blank lines are skipped, but line numbers stay those of the file
    parsed, _ = orders.read_csv(GOOD.replace("\nA-2", "\n\nA-2"), orders.ORDER_COLUMNS)
    assert [line for line, _row in parsed] == [2, 3, 5, 6]


def test_cases_import(db: Session) -> None:
    text = (
        "case_id,opened_at,department,title,kind,status,customer_email\n"
        "D-1,2026-11-20 10:00,Доставка,Перенос доставки,request,open,a@b.ru\n"
        "S-2,2026-11-21,Безопасность,Вход в аккаунт,complaint,closed,a@b.ru\n"
        "S-2,2026-11-21,Безопасность,Вход в аккаунт,complaint,closed,a@b.ru\n"
    )
    parsed, _ = orders.read_csv(text, orders.CASE_COLUMNS)
    report = orders.import_cases(db, parsed)
    assert [str(e) for e in report.errors] == ["строка 4: обращение S-2 повторяется"]
    report = orders.import_cases(db, parsed[:2])
    assert report.ok and report.created == 2
    customer = service.find_customer(db, email="a@b.ru")
    assert customer is not None
    assert [c.title for c in orders.list_cases(db, customer.id)] == ["Перенос доставки"]
    assert len(orders.list_cases(db, customer.id, open_only=False)) == 2
    assert orders.import_cases(db, parsed[:2]).unchanged == 2


def test_the_demo_files_import_cleanly_and_the_demo_customer_is_at_half_way(db: Session) -> None:
    report = demo.seed_orders(db, timezone="Europe/Moscow")
    assert report.ok and report.created > 40
    alexey = service.find_customer(db, channel="web", external_id="demo-alexey")
    assert alexey is not None
    state = loyalty.loyalty_of(db, alexey.id, loyalty.Programme())
    assert loyalty.label(state) == "ещё 50\u00a0000\u00a0₽ до скидки 2,5\u00a0%"
    assert demo.seed_orders(db, timezone="Europe/Moscow").unchanged == report.created


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WOWDESK_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("WOWDESK_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_cli_import_and_rules(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WOWDESK_CROSSSELL_MIN_ORDERS", "1")
    url = f"sqlite:///{env / 'other.db'}"
    migrate.upgrade(url)
    good, bad = env / "orders.csv", env / "bad.csv"
    good.write_text(GOOD, encoding="utf-8")
    bad.write_text(GOOD + "A-4,вчера,completed,,C-1,,,,,X,Стол,стол,1,100\n", encoding="utf-8")
    runner = CliRunner()
    refused = runner.invoke(app, ["customers", "import", str(bad), "--database-url", url])
    assert refused.exit_code == 2
    assert "строка 6: Не дата: вчера" in refused.output
    done = runner.invoke(app, ["customers", "import", str(good), "--database-url", url])
    assert done.exit_code == 0, done.output
    assert "Создано 3, обновлено 0, без изменений 0; новых клиентов 2" in done.output
    again = runner.invoke(app, ["customers", "import", str(good), "--database-url", url])
    assert "Создано 0, обновлено 0, без изменений 3" in again.output
    with make_sessionmaker(make_engine(url))() as db:
        assert count_orders(db) == (3, 4)
    rules = runner.invoke(app, ["customers", "rules", "--database-url", url])
    assert rules.exit_code == 0 and "Правил для допродаж: 2" in rules.output  # sofa ↔ pillow
    assert "подушка" in rules.output
    missing = runner.invoke(app, ["customers", "import", str(env / "nope.csv")])
    assert missing.exit_code == 2
