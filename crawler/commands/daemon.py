"""`vigil run`: the daemon, crawling on schedule and delivering alerts until SIGTERM."""
from __future__ import annotations

import click


@click.command("run")
@click.option("--redis", "redis_url", metavar="URL", envvar="VIGIL_REDIS",
              help="Crawl on `vigil worker` processes through this Redis (redis://host:6379/0; or "
                   "$VIGIL_REDIS); this process plans, ingests and delivers (docs/scaling.md).")
@click.pass_obj
def run(state, redis_url):
    """Crawl every source on its schedule, deliver alerts and send digests until SIGTERM or SIGINT.

    SIGHUP (or a change to the config file) reloads the config; a config with an error is
    reported and the running one kept."""
    from crawler.service.daemon import Daemon
    from crawler.core.logs import setup_logging

    level = state.log_level or "info"
    setup_logging(level, state.log_format)
    config = state.config()  # a broken config stops here, as one line, before anything starts
    if not config.sources:
        click.echo(f"vigil: warning: {config.path}: no [[sources]] to crawl; delivering alerts only", err=True)
    return Daemon(config.path, level, state.log_format, redis_url=redis_url).run()


commands = [run]
