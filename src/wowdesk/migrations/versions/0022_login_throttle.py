"""login throttling per account and address, and the audit of failed logins

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04 18:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import wowdesk.db

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", wowdesk.db.UtcDateTime(), nullable=True),
        sa.Column("last_failure_at", wowdesk.db.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_throttle")),
        sa.UniqueConstraint("kind", "key", name="uq_login_throttle_kind_key"),
    )
    op.create_table(
        "login_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("created_at", wowdesk.db.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["app_user.id"],
            name=op.f("fk_login_event_actor_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_event")),
    )
    with op.batch_alter_table("login_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_event_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("login_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_event_created_at"))
    op.drop_table("login_event")
    op.drop_table("login_throttle")
