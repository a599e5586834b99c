"""comment scores

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import czujka.storage.base

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "comment_scores",
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("sentiment", sa.String(length=10), nullable=False),
        sa.Column("sentiment_confidence", sa.Float(), nullable=False),
        sa.Column("harm", sa.Float(), nullable=False),
        sa.Column("harm_tier", sa.String(length=10), nullable=False),
        sa.Column("harmful", sa.Boolean(), nullable=False),
        sa.Column("vulgar", sa.Boolean(), nullable=False),
        sa.Column(
            "vulgar_words",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("topic", sa.String(length=20), nullable=False),
        sa.Column("topic_confidence", sa.Float(), nullable=False),
        sa.Column(
            "competitors",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("model_version", sa.String(length=200), nullable=False),
        sa.Column("scored_at", czujka.storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_comment_scores_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("comment_id", name=op.f("pk_comment_scores")),
    )
    with op.batch_alter_table("comment_scores", schema=None) as batch_op:
        batch_op.create_index("ix_comment_scores_flags", ["vulgar", "harmful"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("comment_scores", schema=None) as batch_op:
        batch_op.drop_index("ix_comment_scores_flags")

    op.drop_table("comment_scores")
