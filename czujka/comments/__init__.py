"""Comments: stored once per (profile, platform id), with their history."""
