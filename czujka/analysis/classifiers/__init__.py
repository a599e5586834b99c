"""Classifiers: a hashed TF-IDF linear model (fast tier) and a head on sentence embeddings (accurate tier)."""
