"""one original per body and source in the ingest log

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 22:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Copies that raced in before this index existed become duplicates of the earliest original.
    op.execute(
        """
        UPDATE ingest_log SET duplicate_of = (
            SELECT min(first.id) FROM ingest_log AS first
            WHERE first.source = ingest_log.source AND first.digest = ingest_log.digest
              AND first.duplicate_of IS NULL
        )
        WHERE duplicate_of IS NULL AND id > (
            SELECT min(first.id) FROM ingest_log AS first
            WHERE first.source = ingest_log.source AND first.digest = ingest_log.digest
              AND first.duplicate_of IS NULL
        )
        """
    )
    op.create_index(
        "uq_ingest_log_original",
        "ingest_log",
        ["source", "digest"],
        unique=True,
        sqlite_where=sa.text("duplicate_of IS NULL"),
        postgresql_where=sa.text("duplicate_of IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_ingest_log_original", table_name="ingest_log")
