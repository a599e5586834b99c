"""HTTP: webhooks, the JSON API and (later) the dashboard."""
