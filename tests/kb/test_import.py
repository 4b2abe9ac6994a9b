"""Importing articles: bad rows are reported with their line and skipped, re-imports update."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from wowdesk.demo.seed import DEMO_ARTICLES
from wowdesk.kb import importer
from wowdesk.kb import service as kb


def _import(db: Session, path: Path) -> kb.ImportReport:
    items, errors = importer.read_path(path)
    return kb.do_import(db, items, errors, author=None, publish=True)


def test_csv_bad_rows_are_reported_with_their_line_and_the_rest_imported(
    db: Session, tmp_path: Path
) -> None:
    path = tmp_path / "faq.csv"
    path.write_text(
        "question,answer,topic\n"
        "Сколько хранится заказ?,7 дней со дня поступления.,Доставка\n"
        ",Ответ без вопроса,Доставка\n"
        'Как вернуть товар?,"В течение 14 дней, если товар не был в использовании.",Возвраты\n'
        "Вопрос без ответа,,Доставка\n",
        encoding="utf-8",
    )
    report = _import(db, path)
    assert report.created == 2
    assert len(report.errors) == 2
    assert report.errors[0].startswith("faq.csv:3")
    assert report.errors[1].startswith("faq.csv:5")
    titles = {a.title for a in kb.list_articles(db)}
    assert titles == {"Сколько хранится заказ?", "Как вернуть товар?"}


def test_reimport_updates_and_never_duplicates(db: Session, tmp_path: Path) -> None:
    path = tmp_path / "faq.csv"
    path.write_text("question,answer\nЧто такое кошелёк?,Баланс в профиле.\n", encoding="utf-8")
    assert _import(db, path).created == 1
    again = _import(db, path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    path.write_text("question,answer\nЧто такое кошелёк?,Баланс в профиле для услуг.\n")
    changed = _import(db, path)
    assert (changed.created, changed.updated) == (0, 1)
    [article] = kb.list_articles(db)
    assert article.body == "Баланс в профиле для услуг."
    assert article.version == 2


def test_broken_files_are_explained(tmp_path: Path) -> None:
    bad_json = tmp_path / "a.json"
    bad_json.write_text("{not json", encoding="utf-8")
    assert "a.json" in importer.read_path(bad_json)[1][0]
    latin1 = tmp_path / "b.csv"
    latin1.write_bytes("question,answer\nВопрос,Ответ\n".encode("cp1251"))
    assert "UTF-8" in importer.read_path(latin1)[1][0] or "UTF" in importer.read_path(latin1)[1][0]
    header = tmp_path / "c.csv"
    header.write_text("q,a\n1,2\n", encoding="utf-8")
    assert "c.csv:1" in importer.read_path(header)[1][0]
    folder = tmp_path / "md"
    folder.mkdir()
    (folder / "open.md").write_text("---\ntitle: Заголовок\nтекст без конца заголовка\n")
    (folder / "good.md").write_text("---\ntitle: Хорошая статья\ntopic: Оплата\n---\nТекст.\n")
    items, errors = importer.read_path(folder)
    assert [i.title for i in items] == ["Хорошая статья"]
    assert errors and errors[0].startswith("open.md")
    assert importer.read_path(tmp_path / "nothing.txt")[1]


def test_the_demo_knowledge_base_is_complete(db: Session) -> None:
    items, errors = importer.read_path(DEMO_ARTICLES)
    assert errors == []
    assert len(items) >= 40
    topics = {i.topic for i in items}
    assert len(topics) == 7
    report = kb.do_import(db, items, errors, author=None, publish=True)
    assert report.created == len(items)
    loyalty = next(i for i in items if i.slug == "40-loyalty-discount")
    assert "100 000 ₽" in loyalty.body and "2,5 %" in loyalty.body


def test_markdown_and_csv_carry_example_questions(tmp_path: Path) -> None:
    from wowdesk.kb.importer import parse_csv, parse_markdown

    md = tmp_path / "a.md"
    md.write_text(
        "---\ntitle: Возврат\nquestions: как сдать товар | верну ли деньги\n---\nТекст.",
        encoding="utf-8",
    )
    item = parse_markdown(md)
    assert not isinstance(item, str) and item.questions == ["как сдать товар", "верну ли деньги"]
    sheet = tmp_path / "kb.csv"
    sheet.write_text('question,answer,questions\nВозврат,Текст.,"как сдать товар\nверну"\n')
    items, errors = parse_csv(sheet)
    assert errors == [] and items[0].questions == ["как сдать товар", "верну"]
