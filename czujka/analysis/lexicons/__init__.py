"""Word lists and patterns written for czujka (see each module's docstring for how they were made)."""
