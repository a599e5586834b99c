"""moderation actions; pages without an incident (the review digest)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 02:00:00
"""

import sqlalchemy as sa
from alembic import op

from czujka.storage.base import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "moderation_actions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("dedup_key", sa.String(200), nullable=False, unique=True),
        sa.Column("comment_id", sa.Integer, sa.ForeignKey("comments.id", ondelete="CASCADE"), nullable=False),
        sa.Column("profile_id", sa.String(64), nullable=False),
        sa.Column("platform_id", sa.String(200), nullable=False),
        sa.Column("verb", sa.String(10), nullable=False),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("dry_run", sa.Boolean, nullable=False),
        sa.Column("comment_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("incident_id", sa.Integer, sa.ForeignKey("incidents.id", ondelete="SET NULL")),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("send_after", UTCDateTime(timezone=True), nullable=False),
        sa.Column("claim", sa.String(64)),
        sa.Column("lease_until", UTCDateTime(timezone=True)),
        sa.Column("answer", sa.Text),
        sa.Column("error_code", sa.String(40)),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("done_at", UTCDateTime(timezone=True)),
        sa.Column("review", sa.String(10)),
        sa.Column("reviewed_by", sa.String(100)),
        sa.Column("reviewed_at", UTCDateTime(timezone=True)),
    )
    op.create_index("ix_moderation_due", "moderation_actions", ["state", "send_after"])
    op.create_index("ix_moderation_comment", "moderation_actions", ["comment_id"])
    op.create_index("ix_moderation_rule", "moderation_actions", ["source", "comment_at"])
    op.create_index(
        "ix_comments_hidden",
        "comments",
        ["profile_id", "hidden_at"],
        sqlite_where=sa.text("hidden_at IS NOT NULL"),
        postgresql_where=sa.text("hidden_at IS NOT NULL"),
    )
    with op.batch_alter_table("notifications") as batch:
        batch.alter_column("incident_id", existing_type=sa.Integer, nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM notifications WHERE incident_id IS NULL")
    with op.batch_alter_table("notifications") as batch:
        batch.alter_column("incident_id", existing_type=sa.Integer, nullable=False)
    op.drop_index("ix_comments_hidden", "comments")
    op.drop_table("moderation_actions")
