"""Raw Scrapy, the baseline: fetches every URL of a sitemap with no processing at all."""
from __future__ import annotations

import sys

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.utils.sitemap import Sitemap


class RawSpider(scrapy.Spider):
    name = "raw"

    def __init__(self, sitemap_url: str, **kwargs):
        super().__init__(**kwargs)
        self.sitemap_url = sitemap_url
        self.fetched = 0

    async def start(self):
        yield scrapy.Request(self.sitemap_url, callback=self.parse_sitemap)

    def parse_sitemap(self, response):
        for entry in Sitemap(response.body):
            yield scrapy.Request(entry["loc"], callback=self.parse_page, meta={"handle_httpstatus_list": [304]})

    def parse_page(self, response):
        self.fetched += 1


def main(sitemap_url: str, concurrency: int) -> None:
    process = CrawlerProcess({
        "LOG_LEVEL": "WARNING", "ROBOTSTXT_OBEY": True, "COOKIES_ENABLED": False, "TELNETCONSOLE_ENABLED": False,
        "CONCURRENT_REQUESTS": concurrency, "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency, "DOWNLOAD_DELAY": 0,
    })
    crawler = process.create_crawler(RawSpider)
    process.crawl(crawler, sitemap_url=sitemap_url)
    process.start()
    stats = crawler.stats.get_stats()
    elapsed = (stats["finish_time"] - stats["start_time"]).total_seconds()
    print(f"{crawler.spider.fetched} {elapsed:.3f}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
