"""half-hour rollup per channel with contacts reaching people; staff gender; notes and follow-ups;
relative targets

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04 17:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import wowdesk.db

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # the rollups are rebuilt from the conversations: emptying them makes the next refresh
    # recount the whole history with the new columns
    op.execute("DELETE FROM kpi_interval")
    op.execute("DELETE FROM kpi_day")
    with op.batch_alter_table("kpi_interval", schema=None) as batch_op:
        batch_op.drop_constraint("uq_kpi_interval_day_slot", type_="unique")
        batch_op.add_column(sa.Column("channel", sa.String(length=32), nullable=False))
        batch_op.add_column(sa.Column("offered", sa.Integer(), nullable=False))
        batch_op.add_column(sa.Column("bot_contained", sa.Integer(), nullable=False))
        batch_op.create_unique_constraint(
            "uq_kpi_interval_day_slot_channel", ["day", "slot", "channel"]
        )
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("gender", sa.String(length=1), nullable=True))
    with op.batch_alter_table("kpi_target", schema=None) as batch_op:
        batch_op.add_column(sa.Column("relative", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("baseline_start", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("baseline_end", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("baseline_value", sa.Float(), nullable=True))
    op.create_table(
        "conversation_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("mentions", sa.JSON(), nullable=False),
        sa.Column("created_at", wowdesk.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["app_user.id"],
            name=op.f("fk_conversation_note_author_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
            name=op.f("fk_conversation_note_conversation_id_conversation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_note")),
    )
    op.create_index(
        "ix_conversation_note_conv", "conversation_note", ["conversation_id", "id"], unique=False
    )
    op.create_table(
        "conversation_follow_up",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("due_at", wowdesk.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("created_at", wowdesk.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("done_at", wowdesk.db.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
            name=op.f("fk_conversation_follow_up_conversation_id_conversation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_conversation_follow_up_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_follow_up")),
    )
    op.create_index(
        "ix_follow_up_user_due",
        "conversation_follow_up",
        ["user_id", "done_at", "due_at"],
        unique=False,
    )


def downgrade() -> None:
    with op.batch_alter_table("kpi_target", schema=None) as batch_op:
        batch_op.drop_column("baseline_value")
        batch_op.drop_column("baseline_end")
        batch_op.drop_column("baseline_start")
        batch_op.drop_column("relative")
    op.drop_index("ix_follow_up_user_due", table_name="conversation_follow_up")
    op.drop_table("conversation_follow_up")
    op.drop_index("ix_conversation_note_conv", table_name="conversation_note")
    op.drop_table("conversation_note")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_column("gender")
    op.execute("DELETE FROM kpi_interval")
    with op.batch_alter_table("kpi_interval", schema=None) as batch_op:
        batch_op.drop_constraint("uq_kpi_interval_day_slot_channel", type_="unique")
        batch_op.drop_column("bot_contained")
        batch_op.drop_column("offered")
        batch_op.drop_column("channel")
        batch_op.create_unique_constraint("uq_kpi_interval_day_slot", ["day", "slot"])
