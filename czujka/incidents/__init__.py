"""Incidents: what a person acts on — signals grouped by a dedup key, with a lifecycle and a timeline."""
