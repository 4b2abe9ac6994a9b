"""kb_search_verdict.source and assist_suggestion_log.query: an operator who sends a
knowledge-base suggestion gives the search a verdict too

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07 19:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("kb_search_verdict") as batch:
        batch.add_column(
            sa.Column("source", sa.String(length=16), nullable=False, server_default="supervisor")
        )
        batch.create_check_constraint(
            op.f("ck_kb_search_verdict_source"), "source IN ('supervisor', 'operator')"
        )
    with op.batch_alter_table("assist_suggestion_log") as batch:
        batch.add_column(sa.Column("query", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assist_suggestion_log") as batch:
        batch.drop_column("query")
    with op.batch_alter_table("kb_search_verdict") as batch:
        batch.drop_constraint(op.f("ck_kb_search_verdict_source"), type_="check")
        batch.drop_column("source")
