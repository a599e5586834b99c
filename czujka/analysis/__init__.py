"""Analysis: what each comment says — vulgarity, harm, sentiment, topic, competitor, language."""
