"""reports: the post-crisis review of an incident and its action items; what a weekly digest page says

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 11:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from czujka.storage.base import UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "incident_reviews",
        sa.Column(
            "incident_id",
            sa.Integer,
            sa.ForeignKey("incidents.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("what_happened", sa.Text, nullable=False),
        sa.Column("went_well", sa.Text, nullable=False),
        sa.Column("to_change", sa.Text, nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "action_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "incident_id", sa.Integer, sa.ForeignKey("incidents.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("text", sa.String(500), nullable=False),
        sa.Column("owner", sa.String(100), nullable=False),
        sa.Column("due", sa.Date, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("done_at", UTCDateTime(timezone=True)),
        sa.Column("done_by", sa.String(100)),
    )
    op.create_index("ix_action_items_incident_id", "action_items", ["incident_id"])
    with op.batch_alter_table("notifications") as table:
        table.add_column(sa.Column("payload", JSON))


def downgrade() -> None:
    with op.batch_alter_table("notifications") as table:
        table.drop_column("payload")
    op.drop_index("ix_action_items_incident_id", "action_items")
    op.drop_table("action_items")
    op.drop_table("incident_reviews")
