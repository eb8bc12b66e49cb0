"""`vigil demo`: the whole loop, offline, on a bundled site."""
from __future__ import annotations

import tempfile
from pathlib import Path

import click


@click.command()
@click.option("--dir", "workdir", metavar="DIR", default=None,
              help="Keep the demo's site, config, database and alerts here (default: a new temporary folder).")
def demo(workdir):
    """Serve a bundled NGO-like site on 127.0.0.1, crawl it, change it, crawl again, show what was found."""
    from crawler.service.demo import run_demo

    run_demo(Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="vigil-demo-")))


commands = [demo]
