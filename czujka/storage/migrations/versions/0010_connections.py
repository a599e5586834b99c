"""connected profiles with sealed tokens, Facebook Login round trips, channel health

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 04:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from czujka.storage.base import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
WHEN = UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "connected_profiles",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("platform", sa.String(20), nullable=False),
        sa.Column("platform_id", sa.String(100), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("username", sa.String(200)),
        sa.Column("page_id", sa.String(100), nullable=False),
        sa.Column("token_sealed", sa.Text),
        sa.Column("token_expires_at", WHEN),
        sa.Column("permissions", JSON, nullable=False),
        sa.Column("tasks", JSON, nullable=False),
        sa.Column("subscribed", sa.Boolean, nullable=False),
        sa.Column("connected_at", WHEN, nullable=False),
        sa.Column("connected_by", sa.String(100), nullable=False),
        sa.Column("disconnected_at", WHEN),
        sa.UniqueConstraint("platform", "platform_id"),
    )
    op.create_table(
        "connect_attempts",
        sa.Column("state_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("used_at", WHEN),
        sa.Column("token_sealed", sa.Text),
        sa.Column("pages", JSON),
        sa.Column("granted", JSON),
    )
    op.create_table(
        "channel_health",
        sa.Column("profile_id", sa.String(64), sa.ForeignKey("profiles.id"), primary_key=True),
        sa.Column("watched_since", WHEN, nullable=False),
        sa.Column("last_delivery_at", WHEN),
        sa.Column("last_poll_ok_at", WHEN),
        sa.Column("poll_failing_since", WHEN),
        sa.Column("error_kind", sa.String(40)),
        sa.Column("error_code", sa.Integer),
        sa.Column("error_subcode", sa.Integer),
        sa.Column("token_valid", sa.Boolean),
        sa.Column("token_expires_at", WHEN),
        sa.Column("token_checked_at", WHEN),
        sa.Column("missing_permissions", JSON, nullable=False),
        sa.Column("subscribed", sa.Boolean),
        sa.Column("was_subscribed", sa.Boolean, nullable=False),
        sa.Column("subscription_checked_at", WHEN),
        sa.Column("problem", sa.String(40)),
        sa.Column("problem_detail", sa.Text),
        sa.Column("problem_since", WHEN),
        sa.Column("signalled_at", WHEN),
    )


def downgrade() -> None:
    op.drop_table("channel_health")
    op.drop_table("connect_attempts")
    op.drop_table("connected_profiles")
