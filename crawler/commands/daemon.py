"""`vigil run`: the daemon, crawling on schedule and delivering alerts until SIGTERM."""
from __future__ import annotations

import click

from crawler.commands.serve import host_option, port_option


@click.command("run")
@click.option("--serve", "with_web", is_flag=True, help="Serve the web app too, as `vigil serve` does.")
@host_option()
@port_option()
@click.option("--redis", "redis_url", metavar="URL", envvar="VIGIL_REDIS",
              help="Crawl on `vigil worker` processes through this Redis (redis://host:6379/0; or "
                   "$VIGIL_REDIS); this process plans, ingests and delivers (docs/scaling.md).")
@click.pass_obj
def run(state, with_web, host, port, redis_url):
    """Crawl every source on its schedule, deliver alerts and send digests until SIGTERM or SIGINT.

    SIGHUP (or a change to the config file) reloads the config; a config with an error is
    reported and the running one kept. With --serve, the web app and the HTTP API are served
    from the same process (--host and --port as for `vigil serve`)."""
    from crawler.service.daemon import Daemon
    from crawler.core.logs import setup_logging

    level = state.log_level or "info"
    setup_logging(level, state.log_format)
    config = state.config()  # a broken config stops here, as one line, before anything starts
    if not config.sources:
        click.echo(f"vigil: warning: {config.path}: no [[sources]] to crawl; delivering alerts only", err=True)
    daemon = Daemon(config.path, level, state.log_format, redis_url=redis_url)
    if not with_web:
        return daemon.run()
    from crawler.web.server import ServerThread

    web = ServerThread(config.path, host, port, "warning").start()
    click.echo(f"serving {config.database} on http://{host}:{port}/", err=True)
    try:
        return daemon.run()
    finally:
        web.stop()


commands = [run]
