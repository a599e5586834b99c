"""comments, posts, profiles, ingest log, tokens, poll state

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import czujka.storage.base

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", czujka.storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", czujka.storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", czujka.storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("name", name=op.f("uq_api_tokens_name")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_table(
        "ingest_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("received_at", czujka.storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("duplicate_of", sa.Integer(), nullable=True),
        sa.Column("stored", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("ignored", sa.Integer(), nullable=False),
        sa.Column(
            "notes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_log")),
    )
    with op.batch_alter_table("ingest_log", schema=None) as batch_op:
        batch_op.create_index("ix_ingest_log_digest", ["source", "digest"], unique=False)

    op.create_table(
        "profiles",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("platform_id", sa.String(length=100), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("created_at", czujka.storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_profiles")),
    )
    op.create_table(
        "poll_state",
        sa.Column("profile_id", sa.String(length=64), nullable=False),
        sa.Column("watermark", czujka.storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_run_at", czujka.storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("error_kind", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["profile_id"], ["profiles.id"], name=op.f("fk_poll_state_profile_id_profiles")
        ),
        sa.PrimaryKeyConstraint("profile_id", name=op.f("pk_poll_state")),
    )
    op.create_table(
        "posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.String(length=64), nullable=False),
        sa.Column("platform_id", sa.String(length=200), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("permalink", sa.String(length=500), nullable=True),
        sa.Column("created_at", czujka.storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("received_at", czujka.storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", czujka.storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "raw",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(["profile_id"], ["profiles.id"], name=op.f("fk_posts_profile_id_profiles")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posts")),
        sa.UniqueConstraint("profile_id", "platform_id", name=op.f("uq_posts_profile_id")),
    )
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.String(length=64), nullable=False),
        sa.Column("platform_id", sa.String(length=200), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("parent_platform_id", sa.String(length=200), nullable=True),
        sa.Column("author_id", sa.String(length=200), nullable=True),
        sa.Column("author_name", sa.String(length=300), nullable=True),
        sa.Column("author_is_staff", sa.Boolean(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("created_at", czujka.storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_at", czujka.storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("edited_at", czujka.storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", czujka.storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("hidden_at", czujka.storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "raw",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(["parent_id"], ["comments.id"], name=op.f("fk_comments_parent_id_comments")),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], name=op.f("fk_comments_post_id_posts")),
        sa.ForeignKeyConstraint(
            ["profile_id"], ["profiles.id"], name=op.f("fk_comments_profile_id_profiles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
        sa.UniqueConstraint("profile_id", "platform_id", name=op.f("uq_comments_profile_id")),
    )
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_comments_parent_platform", ["profile_id", "parent_platform_id"], unique=False
        )
        batch_op.create_index("ix_comments_post", ["post_id"], unique=False)
        batch_op.create_index("ix_comments_profile_created", ["profile_id", "created_at"], unique=False)
        batch_op.create_index("ix_comments_received", ["received_at"], unique=False)

    op.create_table(
        "comment_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("verb", sa.String(length=20), nullable=False),
        sa.Column("previous_message", sa.Text(), nullable=True),
        sa.Column("occurred_at", czujka.storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", czujka.storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comments.id"], name=op.f("fk_comment_history_comment_id_comments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_history")),
    )
    with op.batch_alter_table("comment_history", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_comment_history_comment_id"), ["comment_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("comment_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comment_history_comment_id"))

    op.drop_table("comment_history")
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index("ix_comments_received")
        batch_op.drop_index("ix_comments_profile_created")
        batch_op.drop_index("ix_comments_post")
        batch_op.drop_index("ix_comments_parent_platform")

    op.drop_table("comments")
    op.drop_table("posts")
    op.drop_table("poll_state")
    op.drop_table("profiles")
    with op.batch_alter_table("ingest_log", schema=None) as batch_op:
        batch_op.drop_index("ix_ingest_log_digest")

    op.drop_table("ingest_log")
    op.drop_table("api_tokens")
