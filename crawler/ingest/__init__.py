"""Crawling and ingestion: the Scrapy components, the crawl runner and plan, and the steps that store each page."""
