"""Spiders: the generic source spider, and a module per site where a site needs its own."""
