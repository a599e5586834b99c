"""The demo: a Polish shop's week with a weekend crisis, replayed through the real webhook."""
