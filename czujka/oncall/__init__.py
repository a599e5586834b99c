"""Who is on duty, the chain of command, and the worker that walks it."""
