"""Every default of a Vigil crawl in one place: Scrapy's settings and Vigil's own (VIGIL_*)."""
import math
import os

from crawler.core.errors import UsageError
from crawler.core.urls import MAX_URL_LENGTH


def _from_env(name: str, default, kind, minimum, maximum):
    """A bound an operator may set in the environment; a bad value (nan, inf and 1e300
    included) is a one-line error."""
    text = os.environ.get(name)
    if text is None:
        return default
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or not math.isfinite(value) or not minimum <= value <= maximum:
        raise UsageError(f"{name}={text!r}: expected a number from {minimum} to {maximum}")
    return value


BOT_NAME = "vigil"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

USER_AGENT = "Vigil/0.1 (+https://github.com/vigil-monitor/vigil; human-rights monitoring)"
ROBOTSTXT_OBEY = True
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "WARNING"
LOG_INSTALL_ROOT_HANDLER = False   # Vigil sets up its own logging
# A request that failed is recorded in `vigil errors` with its reason: Scrapy's own line for
# it ("Gave up retrying ...", "Error downloading ...") is INFO, not an ERROR at every crawl.
RETRY_GIVE_UP_LOG_LEVEL = "INFO"
LOG_FORMATTER = "crawler.ingest.crawllog.FailedRequestsAtInfo"

# Politeness: a source may raise these in its own table (concurrency, delay).
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 1.0
# A delay is a floor, as the Redis workers' gate keeps it too: Scrapy's ±50% jitter sent one
# request in two sooner than the delay said, and drew again at each wake-up, so that the
# average gap came out a fifth longer than the delay.
RANDOMIZE_DOWNLOAD_DELAY = False

# Hostile pages: bounded time and size for every response. The two environment
# variables let an operator widen (or a test narrow) the bounds without a config key.
DOWNLOAD_TIMEOUT = _from_env("VIGIL_DOWNLOAD_TIMEOUT", 20.0, float, 0.01, 3600)   # seconds for a whole response
DOWNLOAD_MAXSIZE = _from_env("VIGIL_DOWNLOAD_MAXSIZE", 16 * 1024 * 1024, int, 1, 2**30)  # after decompression too
DOWNLOAD_WARNSIZE = 0
DOWNLOAD_FAIL_ON_DATALOSS = True
DNS_TIMEOUT = 10
REDIRECT_MAX_TIMES = 5
RETRY_TIMES = 1
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# A response that took the whole timeout once is not waited for again in the same crawl:
# a drip-feeding server would double the crawl's time; the next scheduled run tries again.
RETRY_EXCEPTIONS = [
    "scrapy.exceptions.CannotResolveHostError",
    "scrapy.exceptions.DownloadConnectionRefusedError",
    "scrapy.exceptions.DownloadFailedError",
    "scrapy.exceptions.ResponseDataLossError",
    "twisted.internet.error.ConnectionDone",
    "twisted.internet.error.ConnectError",
    "twisted.internet.error.ConnectionLost",
]
METAREFRESH_ENABLED = False
# Scrapy's check of callbacks for `return value` in generators parses their source again for
# every response of every spider instance (its cache misses bound methods): 8% of a crawl's CPU.
WARN_ON_GENERATOR_RETURN_VALUE = False
# Scrapy starts this many tasks for every response whatever it yields (100 by default: a fifth of a
# crawl process's CPU). A page yields one item, then its links: a few at once are enough; the items
# of different responses are processed at the same time all the same.
CONCURRENT_ITEMS = 4
# Only the web: no file://, data:, ftp:// or s3:// fetches, whatever a page links to.
DOWNLOAD_HANDLERS = {"file": None, "data": None, "ftp": None, "s3": None}
# The private-network guard's second half: names are checked after resolution, and the
# connection goes only to the addresses that were checked (crawler/core/netguard.py).
TWISTED_DNS_RESOLVER = "crawler.core.netguard.GuardedResolver"

# Crawler traps: links past these bounds are not followed, and the trap is recorded once.
VIGIL_MAX_URL_LENGTH = MAX_URL_LENGTH
VIGIL_MAX_QUERY_VARIANTS = 50     # distinct query strings of one path in one crawl
VIGIL_MAX_TRAP_RECORDS = 20       # error records a crawl writes for dropped trap links
VIGIL_MAX_LINKS_PER_PAGE = 2000   # a page is read up to its last link within this many
URLLENGTH_LIMIT = VIGIL_MAX_URL_LENGTH
# Extraction reads at most this much of a body, so a 10 MB paragraph or 100,000 nested
# tags cost bounded time; the rest of such a page is not searched for names.
VIGIL_MAX_EXTRACT_BYTES = 1024 * 1024
# A document (PDF, DOCX, ...) is read whole, in a child process with these limits on CPU time
# and on memory beyond what the process holds when it starts (crawler/text/sandbox.py).
VIGIL_DOCUMENT_SECONDS = _from_env("VIGIL_DOCUMENT_SECONDS", 30, int, 1, 3600)
VIGIL_DOCUMENT_MEMORY_MB = _from_env("VIGIL_DOCUMENT_MEMORY_MB", 512, int, 64, 65536)
# Extraction worker processes of a crawl process (0: a thread of the crawl process). They
# extract, sign and match, so one worker puts that work on a second core, and keeps it off the
# crawl's event loop: a thread would hold the GIL that the loop needs to send each polite
# request on time. Each adds about 30 to 50 MB of its own (docs/benchmarks.md). One where there
# is a second core for a crawl worker of `vigil run`, which shares the machine with the others;
# one a core, up to four, for `vigil crawl`, alone on it: its own process mostly waits for the
# network and the database, and extraction takes the larger share of a page's CPU. The
# environment variable of the same name sets both.
_CORES = os.cpu_count() or 1
VIGIL_EXTRACT_WORKERS = _from_env("VIGIL_EXTRACT_WORKERS", 1 if _CORES > 1 else 0, int, 0, 64)
VIGIL_EXTRACT_WORKERS_ALONE = min(_CORES, 4) if _CORES > 1 else 0

# Quiet pages (nothing named, nothing alerted) of a crawl are committed together, once this many
# seconds after the first of them (0: each page on its own); a page that alerts is committed at once.
VIGIL_WRITE_BATCH_SECONDS = _from_env("VIGIL_WRITE_BATCH_SECONDS", 0.5, float, 0, 3600)

# Scrapy components that Vigil has no use for are off: each costs every page some work (a signal,
# a layer of the middleware chain) for figures nothing reads. Vigil counts its own (runs table);
# sources have no HTTP authentication; MetaCopyDetection only warns spider authors.
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,
    "scrapy.downloadermiddlewares.stats.DownloaderStats": None,
    "crawler.ingest.middlewares.PrivateNetworkGuardMiddleware": 50,
    "crawler.ingest.middlewares.RobotsFailureMiddleware": 60,   # sees failures after RetryMiddleware (550)
    "crawler.ingest.middlewares.LinkFloodMiddleware": 100,   # after decompression (590) in the response chain
    "crawler.ingest.middlewares.ConditionalGetMiddleware": 560,
}
SPIDER_MIDDLEWARES = {
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
    "crawler.ingest.middlewares.TrapGuardMiddleware": 950,   # nearest the spider: sees its links first
}
ITEM_PIPELINES = {
    "crawler.ingest.pipelines.ExtractPipeline": 100,
    "crawler.ingest.pipelines.IngestPipeline": 500,
}
EXTENSIONS = {
    "scrapy.extensions.corestats.CoreStats": None,
    "scrapy.extensions.logstats.LogStats": None,
    "scrapy.extensions.memusage.MemoryUsage": None,
    "crawler.ingest.extensions.RunRecorder": 100,
}

# Delivery: attempts per alert and channel before it is marked failed (`vigil alerts --retry` queues it again).
VIGIL_DELIVERY_MAX_ATTEMPTS = 8
