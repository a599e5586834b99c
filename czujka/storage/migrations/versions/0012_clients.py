"""clients: created on the dashboard; users and tokens limited to some; connected profiles belonging to one

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 07:00:00

A single-shop database moves into the implicit client with nothing to copy: its users and tokens see every
client (NULL), and its connected profiles belong to the implicit client (NULL).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from czujka.storage.base import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "clients",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("timezone", sa.String(64)),
        sa.Column("language", sa.String(5)),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
    )
    with op.batch_alter_table("users") as table:
        table.add_column(sa.Column("clients", JSON))
    with op.batch_alter_table("api_tokens") as table:
        table.add_column(sa.Column("clients", JSON))
    with op.batch_alter_table("connected_profiles") as table:
        table.add_column(sa.Column("client_id", sa.String(64)))


def downgrade() -> None:
    with op.batch_alter_table("connected_profiles") as table:
        table.drop_column("client_id")
    with op.batch_alter_table("api_tokens") as table:
        table.drop_column("clients")
    with op.batch_alter_table("users") as table:
        table.drop_column("clients")
    op.drop_table("clients")
