"""Clients an agency watches, beside those of czujka.toml: created on the dashboard, kept in the database."""
