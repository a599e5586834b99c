"""Pages to people: channels (Apprise URLs, Web Push), retries, fallbacks, acknowledge links."""
