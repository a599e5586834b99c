"""work shared by several processes: the comment queue, leases with fencing ids, and the workers

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 08:00:00

Comments still without a score enter the queue as new; comments edited after they were scored enter it as
edited. Everything already scored was counted and detected by the single process of before.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from czujka.storage.base import UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "comment_queue",
        sa.Column(
            "comment_id",
            sa.Integer,
            sa.ForeignKey("comments.id", ondelete="CASCADE", name="fk_comment_queue_comment_id_comments"),
            primary_key=True,
        ),
        sa.Column("profile_id", sa.String(64), nullable=False),
        sa.Column("stage", sa.String(8), nullable=False),
        sa.Column("reason", sa.String(8), nullable=False),
        sa.Column("queued_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(80)),
        sa.Column("claimed_until", UTCDateTime(timezone=True)),
    )
    op.create_index("ix_comment_queue_stage", "comment_queue", ["stage", "comment_id"])
    op.create_index("ix_comment_queue_profile", "comment_queue", ["profile_id", "stage", "comment_id"])
    op.create_table(
        "leases",
        sa.Column("name", sa.String(120), primary_key=True),
        sa.Column("holder", sa.String(120)),
        sa.Column("fence", sa.Integer, nullable=False),
        sa.Column("expires_at", UTCDateTime(timezone=True)),
        sa.Column("taken_at", UTCDateTime(timezone=True)),
    )
    op.create_table(
        "workers",
        sa.Column("id", sa.String(120), primary_key=True),
        sa.Column("host", sa.String(200), nullable=False),
        sa.Column("pid", sa.Integer, nullable=False),
        sa.Column("roles", JSON, nullable=False),
        sa.Column("started_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("seen_at", UTCDateTime(timezone=True), nullable=False),
    )
    now = (
        "CURRENT_TIMESTAMP"
        if op.get_bind().dialect.name == "postgresql"
        else "strftime('%Y-%m-%d %H:%M:%f000', 'now')"
    )
    op.execute(
        f"""INSERT INTO comment_queue (comment_id, profile_id, stage, reason, queued_at)
        SELECT c.id, c.profile_id, 'score', 'new', {now} FROM comments c
        LEFT JOIN comment_scores s ON s.comment_id = c.id WHERE s.comment_id IS NULL"""
    )
    op.execute(
        f"""INSERT INTO comment_queue (comment_id, profile_id, stage, reason, queued_at)
        SELECT c.id, c.profile_id, 'score', 'edited', {now} FROM comments c
        JOIN comment_scores s ON s.comment_id = c.id
        WHERE EXISTS (SELECT 1 FROM comment_history h WHERE h.comment_id = c.id AND h.verb = 'edited'
                      AND h.recorded_at > s.scored_at)"""
    )


def downgrade() -> None:
    op.drop_table("workers")
    op.drop_table("leases")
    op.drop_index("ix_comment_queue_profile", "comment_queue")
    op.drop_index("ix_comment_queue_stage", "comment_queue")
    op.drop_table("comment_queue")
