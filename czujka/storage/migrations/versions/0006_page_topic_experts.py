"""pages keep the topic and the experts decided when they were queued

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 22:10:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("topic", sa.String(length=20), nullable=True))
        batch.add_column(
            sa.Column(
                "experts",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("experts")
        batch.drop_column("topic")
