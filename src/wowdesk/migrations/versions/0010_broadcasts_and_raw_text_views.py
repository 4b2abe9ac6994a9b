"""broadcasts, their recipients and the audit of raw-text views

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 14:31:01.294055
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import wowdesk.db

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "broadcast",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("created_at", wowdesk.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", wowdesk.db.UtcDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "level IN ('info', 'warning', 'critical')", name=op.f("ck_broadcast_broadcast_level")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["app_user.id"],
            name=op.f("fk_broadcast_author_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_broadcast_team_id_team"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcast")),
    )
    with op.batch_alter_table("broadcast", schema=None) as batch_op:
        batch_op.create_index("ix_broadcast_created", ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_broadcast_incident_id"), ["incident_id"], unique=False)

    op.create_table(
        "raw_text_view",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("place", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_at", wowdesk.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_raw_text_view_user_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_raw_text_view")),
    )
    with op.batch_alter_table("raw_text_view", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_raw_text_view_conversation_id"), ["conversation_id"], unique=False
        )
        batch_op.create_index("ix_raw_text_view_created", ["created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_raw_text_view_message_id"), ["message_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_raw_text_view_user_id"), ["user_id"], unique=False)

    op.create_table(
        "broadcast_recipient",
        sa.Column("broadcast_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("acknowledged_at", wowdesk.db.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["broadcast_id"],
            ["broadcast.id"],
            name=op.f("fk_broadcast_recipient_broadcast_id_broadcast"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_broadcast_recipient_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("broadcast_id", "user_id", name=op.f("pk_broadcast_recipient")),
    )
    with op.batch_alter_table("broadcast_recipient", schema=None) as batch_op:
        batch_op.create_index(
            "ix_broadcast_recipient_user", ["user_id", "acknowledged_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("broadcast_recipient", schema=None) as batch_op:
        batch_op.drop_index("ix_broadcast_recipient_user")

    op.drop_table("broadcast_recipient")
    with op.batch_alter_table("raw_text_view", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_raw_text_view_user_id"))
        batch_op.drop_index(batch_op.f("ix_raw_text_view_message_id"))
        batch_op.drop_index("ix_raw_text_view_created")
        batch_op.drop_index(batch_op.f("ix_raw_text_view_conversation_id"))

    op.drop_table("raw_text_view")
    with op.batch_alter_table("broadcast", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_broadcast_incident_id"))
        batch_op.drop_index("ix_broadcast_created")

    op.drop_table("broadcast")
