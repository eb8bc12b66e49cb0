"""Finding watched names and keywords in text, in any script and grammatical case; knows nothing of storage or crawling."""
