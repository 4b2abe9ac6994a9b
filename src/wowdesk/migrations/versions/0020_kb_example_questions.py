"""kb: example questions per article (searched with the title)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 17:55:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("kb_article", "kb_article_version"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("questions", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    for table in ("kb_article_version", "kb_article"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("questions")
