"""Detection: signals from series of comment counts and from threads, grouped into incidents."""
