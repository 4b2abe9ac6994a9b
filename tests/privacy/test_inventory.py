"""Every table and every text-like column of the schema is classified: personal data that
privacy erases, expires and exports, or not personal with a reason. A new table or column
nobody classified fails here, before it can hold a customer's data that an erasure misses."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Integer, MetaData, String, Table, Text

from wowdesk.migrations.metadata import metadata
from wowdesk.privacy import inventory


def test_every_table_and_text_column_is_classified() -> None:
    assert inventory.unclassified(metadata) == [], (
        "classify these in src/wowdesk/privacy/inventory.py (COLUMNS/ROWS with their "
        "erasure, retention and export, or NOT_PERSONAL with the reason)"
    )


def test_no_entry_names_a_missing_table_or_column() -> None:
    assert inventory.stale(metadata) == []


def test_an_entry_is_personal_or_not_never_both() -> None:
    both = set(inventory.COLUMNS) & set(inventory.NOT_PERSONAL)
    both |= set(inventory.ROWS) & set(inventory.NOT_PERSONAL)
    both |= {k for k in inventory.COLUMNS if k.split(".")[0] in inventory.ROWS}
    assert both == set()


def test_every_entry_says_how_it_is_handled() -> None:
    for key, how in {**inventory.COLUMNS, **inventory.ROWS}.items():
        assert how.erase in inventory.ERASE_ACTIONS, key
        assert how.expire in inventory.RETENTION_KINDS, key
    for key, why in inventory.NOT_PERSONAL.items():
        assert why.strip(), key


def test_a_new_table_with_an_unclassified_text_column_fails() -> None:
    extra = MetaData()
    for table in metadata.tables.values():
        table.to_metadata(extra)
    Table(
        "loyalty_card",
        extra,
        Column("id", Integer, primary_key=True),
        Column("points", Integer),
        Column("holder_name", String(200)),
        Column("notes", Text),
        Column("extra", JSON),
    )
    assert inventory.unclassified(extra) == [
        "loyalty_card",
        "loyalty_card.holder_name",
        "loyalty_card.notes",
        "loyalty_card.extra",
    ]
    # a new text column on a table already classified column by column fails too
    extra.tables["call_record"].append_column(Column("caller_name", String(100)))
    assert "call_record.caller_name" in inventory.unclassified(extra)


def test_the_channels_kinds_the_issue_names_are_personal() -> None:
    for key in (
        "telegram_conversation.chat_id",
        "mail_thread.address",
        "inbound_mail.sender",
        "inbound_mail.message_id",
        "call_record.caller",
        "call_record.recording_url",
        "conversation_note.text",
        "qa_case.transcript",
        "safety_verification.address",
    ):
        assert inventory.personal(key) is not None, key
    for table in ("channel_attachment", "customer_link", "customer_identity"):
        assert inventory.personal(f"{table}.id") is not None, table
