"""Finding watched names and keywords in text, in any script and grammatical case.

A library of its own: it imports nothing of storage or crawling, only the core's types."""
