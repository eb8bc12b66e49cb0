"""The `vigil` command line: the group, its shared state, and one-line errors."""
from __future__ import annotations

import importlib
import pkgutil
import sys
from importlib import metadata

import click

from crawler import commands
from crawler.core.errors import UsageError, VigilError
from crawler.core.logs import remember_secrets, setup_logging
from crawler.core.timeutil import parse_since
from crawler.output import inert


class AppState:
    """What commands share: the config path, loaded on first use, and the database."""

    def __init__(self, config_path: str | None, log_level: str | None = None, log_format: str = "text"):
        self.config_path = config_path
        self.log_level = log_level      # None: the command's own default
        self.log_format = log_format
        self._config = None
        self._db = None

    def config(self):
        if self._config is None:
            # Loaded on first use: the config brings in every channel (Apprise), the
            # database sqlite-utils; `vigil --help` needs neither.
            from crawler.service.configload import load_config

            self._config = load_config(self.config_path)
            remember_secrets(self._config)
        return self._config

    def db(self):
        if self._db is None:
            from storage.db import open_database  # sqlite-utils: on first use, as above

            self._db = open_database(self.config().database)
        return self._db


def since_option(default: str | None = "7d", name: str = "--since", help: str | None = None):
    def convert(ctx, param, value):
        if value is None:
            return None
        try:
            return parse_since(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None

    return click.option(name, default=default, callback=convert, show_default=True, metavar="AGE|DATE",
                        help=help or "Only what is newer than this age (30m, 12h, 7d, 2w) or date.")


def format_option(choices=("table", "json"), default="table"):
    return click.option("--format", "fmt", type=click.Choice(choices), default=default, show_default=True,
                        help="Output format; json prints one JSON object per line.")


def _version() -> str:
    try:
        return metadata.version("vigil")
    except metadata.PackageNotFoundError:
        return "0+unknown"


class VigilGroup(click.Group):
    """The `vigil` group. Its commands are gathered from crawler/commands on first use, not when
    this module is imported: a command module imported on its own first (the web app imports
    some) imports this module half-way through its own import, and would then be missed."""

    @property
    def commands(self) -> dict:
        if not self._gathered:
            self._gathered = True
            for info in pkgutil.iter_modules(commands.__path__):
                module = importlib.import_module(f"{commands.__name__}.{info.name}")
                for command in getattr(module, "commands", ()):
                    self._commands[command.name] = command
        return self._commands

    @commands.setter
    def commands(self, value: dict) -> None:
        self._commands, self._gathered = value, False


@click.group(cls=VigilGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--config", "config_path", metavar="PATH", default=None,
              help="Config file (default: $VIGIL_CONFIG, else ./vigil.toml).")
@click.option("--log-level", type=click.Choice(("debug", "info", "warning", "error")), default=None,
              help="Log this level and above on stderr (default: info for `vigil run`, else warning).")
@click.option("--log-format", type=click.Choice(("text", "json")), default="text", show_default=True,
              help="Log lines as text or as JSON objects.")
@click.version_option(_version(), prog_name="vigil")
@click.pass_context
def cli(ctx, config_path, log_level, log_format):
    """Vigil watches NGO and media sites for new mentions of the people you follow."""
    setup_logging(log_level or "warning", log_format)
    ctx.obj = AppState(config_path, log_level, log_format)


def main(argv: list[str] | None = None) -> None:
    try:
        result = cli.main(args=argv, prog_name="vigil", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.NoArgsIsHelpError as exc:
        # a bare `vigil` (or `vigil watch`) asks what there is: the help, as --help shows it
        click.echo(exc.format_message())
        sys.exit(0)
    except click.UsageError as exc:
        _fail(exc.format_message(), 2)
    except click.Abort:
        _fail("aborted", 130)
    except VigilError as exc:
        _fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(0)
    sys.exit(result if isinstance(result, int) else 0)


def _fail(message: str, code: int) -> None:
    message = inert(" ".join(str(message).split()))
    print(f"vigil: error: {message}", file=sys.stderr)
    sys.exit(code)


__all__ = ["cli", "main", "AppState", "UsageError", "since_option", "format_option"]
