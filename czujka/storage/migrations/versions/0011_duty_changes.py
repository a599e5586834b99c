"""shifts taken or handed over from the dashboard

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 05:00:00
"""

import sqlalchemy as sa
from alembic import op

from czujka.storage.base import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

WHEN = UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "duty_changes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("schedule_id", sa.String(64), nullable=False),
        sa.Column("person_id", sa.String(64), nullable=False),
        sa.Column("starts_at", WHEN, nullable=False),
        sa.Column("ends_at", WHEN, nullable=False),
        sa.Column("note", sa.String(500), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("made_by", sa.String(100), nullable=False),
        sa.Column("made_at", WHEN, nullable=False),
        sa.Column("decided_by", sa.String(100)),
        sa.Column("decided_at", WHEN),
    )
    op.create_index("ix_duty_changes_end", "duty_changes", ["schedule_id", "ends_at"])


def downgrade() -> None:
    op.drop_index("ix_duty_changes_end", table_name="duty_changes")
    op.drop_table("duty_changes")
