"""training_recognition.params: a post keeps what it says (a badge's code, a level's or a
contest's title), so a page says it in its reader's language, not the one it was made in

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 00:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("training_recognition") as batch:
        batch.add_column(sa.Column("params", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("training_recognition") as batch:
        batch.drop_column("params")
