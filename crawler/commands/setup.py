"""`vigil init`: a commented config and an empty database."""
from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import click

from crawler.core.config import CONFIG_NAME
from crawler.core.errors import UsageError
from crawler.service.configload import load_config
from storage.db import open_database


def example_config() -> str:
    return resources.files("crawler").joinpath("vigil.example.toml").read_text(encoding="utf-8")


@click.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Overwrite an existing vigil.toml.")
def init(directory, force):
    """Write a commented vigil.toml into DIRECTORY and create its database."""
    target = Path(directory)
    path = target / CONFIG_NAME
    if path.exists() and not force:
        raise UsageError(f"{path} already exists (use --force to overwrite it)")
    try:
        target.mkdir(parents=True, exist_ok=True)
        # Owner-only: the config holds channel passwords and webhook secrets.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(example_config())
    except OSError as exc:
        raise UsageError(f"{path}: cannot write: {exc.strerror}") from None
    config = load_config(path)
    open_database(config.database).close()
    click.echo(f"wrote {path}")
    click.echo(f"created {config.database}")
    click.echo(f"next: edit {path}, then run `vigil --config {path} crawl`")


commands = [init]
