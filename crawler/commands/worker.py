"""`vigil worker`: a crawl process for `vigil run --redis`, on this machine or another."""
from __future__ import annotations

import click

from crawler.core.errors import VigilError


@click.command("worker")
@click.option("--redis", "redis_url", metavar="URL", envvar="VIGIL_REDIS", required=True,
              help="The Redis that `vigil run --redis` uses (redis://host:6379/0; or $VIGIL_REDIS).")
@click.option("--name", metavar="NAME", help="How `vigil status` calls this worker (default: host-pid).")
@click.option("--claim-after", type=click.FloatRange(1, 86_400), default=60.0, show_default=True, metavar="SECONDS",
              help="Take over requests another worker has held this long without a sign of life.")
@click.option("--capacity", type=click.IntRange(1, 1024), default=64, show_default=True, metavar="N",
              help="Requests this worker holds at once, at most 2 per host (most wait for their host's delay).")
@click.pass_obj
def worker(state, redis_url, name, claim_after, capacity):
    """Fetch and extract pages for `vigil run --redis`, until SIGTERM or SIGINT.

    The worker reads the same config file as the store (the sources' link rules, the
    private-network guard, the proxy) and never opens the database. One host is never
    fetched faster than its source's `delay`, whichever worker fetches it."""
    from crawler.core.logs import setup_logging
    from crawler.service.redisqueue import connect, redacted

    setup_logging(state.log_level or "info", state.log_format)
    config = state.config()   # a broken config stops here, as one line
    try:
        connect(redis_url).ping()
    except Exception as exc:  # redis raises its own kinds, and ValueError for a bad URL
        raise VigilError(f"cannot reach Redis at {redacted(redis_url)}: {' '.join(str(exc).split())[:200]}") from None
    from crawler.service.redisworker import run_worker

    return run_worker(str(config.path), redis_url, name=name, claim_after=claim_after, capacity=capacity)


commands = [worker]
