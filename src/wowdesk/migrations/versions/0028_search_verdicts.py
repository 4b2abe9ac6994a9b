"""kb_search_verdict and kb_fusion_fit: supervisors' verdicts on what the search found, and
the fusion weights refitted on them

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07 17:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import wowdesk.db

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kb_search_verdict",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("query", sa.String(length=500), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", wowdesk.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["kb_article.id"],
            name=op.f("fk_kb_search_verdict_article_id_kb_article"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_kb_search_verdict_user_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_search_verdict")),
        sa.UniqueConstraint("query", name=op.f("uq_kb_search_verdict_query")),
    )
    op.create_table(
        "kb_fusion_fit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("score_weights", sa.JSON(), nullable=False),
        sa.Column("confidence_weights", sa.JSON(), nullable=False),
        sa.Column("verdicts", sa.Integer(), nullable=False),
        sa.Column("named", sa.Integer(), nullable=False),
        sa.Column("in_use_hit", sa.Float(), nullable=False),
        sa.Column("learned_hit", sa.Float(), nullable=False),
        sa.Column("used", sa.Boolean(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", wowdesk.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_kb_fusion_fit_user_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_fusion_fit")),
    )


def downgrade() -> None:
    op.drop_table("kb_fusion_fit")
    op.drop_table("kb_search_verdict")
