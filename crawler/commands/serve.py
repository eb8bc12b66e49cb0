"""`vigil serve`: the web app and the HTTP API on the config's database."""
from __future__ import annotations

import click

from crawler.output import echo


def host_option():
    return click.option("--host", default="127.0.0.1", show_default=True,
                        help="Address to listen on; keep 127.0.0.1 and put a reverse proxy with TLS in front.")


def port_option():
    return click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535),
                        help="TCP port to listen on.")


@click.command()
@host_option()
@port_option()
@click.pass_obj
def serve(state, host, port):
    """Serve the web app and the HTTP API (/api/v1) on the config's database until SIGINT or SIGTERM.

    Every page needs an account (`vigil user add`), every API call an account or a token
    (`vigil token create`)."""
    from crawler.web.server import check_address, serve as run_server
    from storage.accounts import list_users

    config = state.config()
    check_address(host, port)
    if not any(user["disabled_at"] is None for user in list_users(state.db())):
        echo(f"vigil: warning: no accounts yet: add one with `vigil --config {config.path} user add NAME "
             f"--role admin`", err=True)
    echo(f"serving {config.database} on http://{host}:{port}/ (Ctrl-C stops)")
    run_server(config.path, host, port, state.log_level or "warning")


commands = [serve]
