"""Alembic environment: runs on the connection czujka hands it (see storage/migrate.py)."""

from alembic import context

from czujka.storage.tables import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
