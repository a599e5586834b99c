"""Database engine, session scope, table base and migrations."""
