"""Every default of a Vigil crawl in one place: Scrapy's settings and Vigil's own (VIGIL_*)."""

BOT_NAME = "vigil"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

USER_AGENT = "Vigil/0.1 (+https://github.com/vigil-monitor/vigil; human-rights monitoring)"
ROBOTSTXT_OBEY = True
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "WARNING"
LOG_INSTALL_ROOT_HANDLER = False   # Vigil sets up its own logging

# Politeness: a source may raise these in its own table (concurrency, delay).
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 1.0
RANDOMIZE_DOWNLOAD_DELAY = True

# Hostile pages: bounded time and size for every response.
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
REDIRECT_MAX_TIMES = 5
RETRY_TIMES = 1
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
METAREFRESH_ENABLED = False

DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.PrivateNetworkGuardMiddleware": 50,
    "crawler.middlewares.ConditionalGetMiddleware": 560,
}
ITEM_PIPELINES = {
    "crawler.pipelines.ExtractPipeline": 100,
    "crawler.pipelines.IngestPipeline": 500,
}
EXTENSIONS = {
    "crawler.extensions.RunRecorder": 100,
}

# Vigil's own defaults.
VIGIL_MAX_DEPTH = 2
VIGIL_MAX_PAGES = 1000
VIGIL_SCHEDULE = "every 6h"
VIGIL_DELIVERY_MAX_ATTEMPTS = 8
