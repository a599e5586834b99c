"""staff replies, and approval pages

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 01:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from czujka.storage.base import UTCDateTime

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "replies",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("idempotency_key", sa.String(100), nullable=False, unique=True),
        sa.Column("comment_id", sa.Integer, sa.ForeignKey("comments.id", ondelete="CASCADE"), nullable=False),
        sa.Column("incident_id", sa.Integer, sa.ForeignKey("incidents.id", ondelete="SET NULL")),
        sa.Column("profile_id", sa.String(64), nullable=False),
        sa.Column("target_platform_id", sa.String(200), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("private", sa.Boolean, nullable=False),
        sa.Column("template_id", sa.String(64)),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("person_id", sa.String(64)),
        sa.Column("check_reasons", JSON, nullable=False),
        sa.Column("platform_id", sa.String(200)),
        sa.Column("reply_comment_id", sa.Integer, sa.ForeignKey("comments.id", ondelete="SET NULL")),
        sa.Column("error_code", sa.String(40)),
        sa.Column("error", sa.Text),
        sa.Column("decided_by", sa.String(100)),
        sa.Column("decided_at", UTCDateTime(timezone=True)),
        sa.Column("decision_note", sa.Text),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", UTCDateTime(timezone=True)),
    )
    op.create_index("ix_replies_comment", "replies", ["comment_id"])
    op.create_index("ix_replies_state", "replies", ["state"])
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("purpose", sa.String(20), nullable=False, server_default="incident"))
        batch.add_column(
            sa.Column(
                "reply_id",
                sa.Integer,
                sa.ForeignKey("replies.id", name="fk_notifications_reply", ondelete="CASCADE"),
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("reply_id")
        batch.drop_column("purpose")
    op.drop_index("ix_replies_state", "replies")
    op.drop_index("ix_replies_comment", "replies")
    op.drop_table("replies")
