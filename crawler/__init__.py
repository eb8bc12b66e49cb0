"""Vigil's Scrapy project and the orchestration around it: config, crawl, CLI."""
