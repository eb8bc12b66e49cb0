"""Writes the generated parts of the docs (command help, config keys, channels) with cog.

    python docs/generate.py           # rewrite the generated parts of README.md and docs/*.md
    python docs/generate.py --check   # exit 1, with a diff, when any of them is out of date

The blocks between `[[[cog ...]]]` and `[[[end]]]` markers call the functions below, as
`g.help("crawl")`, which print what goes between the markers; tests/test_docs.py runs the check.
"""
from __future__ import annotations

import dataclasses
import inspect
import re
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Everything the docs are generated from, imported here and nowhere else in this file:
# the command line, the config schema, the channel registry and the HTTP API.
from crawler.cli import cli  # noqa: E402
from crawler.core import config  # noqa: E402
from alerts.delivery.channels import Channel  # noqa: E402
from crawler.web.app import openapi_document  # noqa: E402

import click  # noqa: E402

HELP_WIDTH = 80   # --help as an 80-column terminal shows it, whatever the terminal that generates
# -P: what a block prints is its output; -p: every block has this module as `g`.
COG_OPTIONS = ["-P", "-I", str(ROOT / "docs"), "-p", "import generate as g"]


def files() -> list[Path]:
    """The Markdown files that may hold generated parts."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


# --- commands -----------------------------------------------------------------------------

def command_paths() -> list[tuple[str, ...]]:
    """Every command and subcommand of `vigil`, as name paths: ("crawl",), ("watch", "add")."""
    paths = []
    for name, command in sorted(cli.commands.items()):
        paths.append((name,))
        if isinstance(command, click.Group):
            paths.extend((name, sub) for sub in sorted(command.commands))
    return paths


def command_at(path: tuple[str, ...]) -> tuple[click.Command, click.Context]:
    """The command at `path` and a context to render its help in."""
    ctx = cli.make_context("vigil", [], resilient_parsing=True, terminal_width=HELP_WIDTH)
    command: click.Command = cli
    for name in path:
        command = command.commands[name]
        ctx = command.make_context(name, [], parent=ctx, resilient_parsing=True)
    return command, ctx


def help_text(*path: str) -> str:
    command, ctx = command_at(tuple(path))
    return command.get_help(ctx)


def help(*path: str) -> None:
    """The --help of `vigil PATH...` as a text block."""
    print("```text")
    print(help_text(*path).rstrip())
    print("```")


def synopsis(path: tuple[str, ...]) -> str:
    """`vigil crawl [SOURCE...]`: the command with its arguments, without [OPTIONS]."""
    command, ctx = command_at(path)
    pieces = [p for p in command.collect_usage_pieces(ctx) if p != "[OPTIONS]"]
    if isinstance(command, click.Group):
        pieces = ["COMMAND"]
    return " ".join(["vigil", *path, *pieces])


def summary(path: tuple[str, ...]) -> str:
    """The first paragraph of a command's help, on one line."""
    command, _ = command_at(path)
    text = command.short_help or inspect.cleandoc(command.help or "")
    return " ".join(text.split("\n\n")[0].split())


def slug(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _section_order() -> list[str]:
    """Top-level commands in the order docs/commands.md describes them."""
    text = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    return re.findall(r"^## `vigil ([a-z-]+)`", text, flags=re.MULTILINE)


def commands_table() -> None:
    """The README's table: every command with one line, linked to its section of docs/commands.md."""
    order = _section_order()
    names = sorted(cli.commands, key=lambda n: (order.index(n) if n in order else len(order), n))
    print("| command | what it does |")
    print("|---|---|")
    for name in names:
        command = cli.commands[name]
        if isinstance(command, click.Group):   # one row: its subcommands, each linked
            subs = ", ".join(f"[`{sub}`](docs/commands.md#{slug(' '.join(['vigil', name, sub]))})"
                             for sub in command.commands)
            print(f"| `vigil {name}` {subs} | {summary((name,))} |")
            continue
        anchor = slug(" ".join(["vigil", name]))
        print(f"| [`{synopsis((name,))}`](docs/commands.md#{anchor}) | {summary((name,))} |")


# --- the HTTP API -------------------------------------------------------------------------

def api_routes() -> list[tuple[str, str, dict]]:
    """(method, path, operation) of every route of /api/v1, in the order the OpenAPI lists them."""
    spec = openapi_document()
    return [(method.upper(), path, operation) for path, methods in spec["paths"].items()
            for method, operation in methods.items()]


def api_table() -> None:
    """docs/api.md's table of routes, from the OpenAPI document the server serves."""
    print("| method | path | role | what it gives or does | query parameters |")
    print("|---|---|---|---|---|")
    for method, path, operation in api_routes():
        what = " ".join((operation.get("description") or operation.get("summary") or "").split("\n\n")[0].split())
        role = "viewer"
        for needed in ("Monitor.", "Admin."):   # the docstring of a route that needs more ends so
            if what.endswith(needed):
                what, role = what.removesuffix(needed).rstrip(), needed.rstrip(".").lower()
        params = ", ".join(f"`{p['name']}`" for p in operation.get("parameters", []) if p["in"] == "query")
        print(f"| {method} | `{path}` | {role} | {what} | {params} |")


# --- configuration ------------------------------------------------------------------------

# Each documented TOML table: its name in KEY_MEANINGS and the schema of its keys.
TABLES = {
    "vigil": config._VIGIL_KEYS,
    "sources": config._SOURCE_KEYS,
    "watchlists": config._WATCHLIST_KEYS,
    "watchlists.terms": config._TERM_KEYS,
    "subscribers": config._SUBSCRIBER_KEYS,
}
_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean",
          "bool or CIDR list": "boolean or list of CIDRs"}
# The smallest config that holds one of every table: parsing it gives the objects whose
# classes (dataclasses) hold the defaults.
_MINIMAL = {
    "sources": [{"name": "s", "start_urls": ["https://example.org/"]}],
    "watchlists": [{"name": "w", "terms": [{"name": "Oleg Orlov"}]}],
    "subscribers": [{"name": "u"}],
}


def _parsed_tables() -> dict[str, object]:
    parsed = config.parse_config(_MINIMAL, Path(config.CONFIG_NAME))
    return {"vigil": parsed, "sources": parsed.sources[0], "watchlists": parsed.watchlists[0],
            "watchlists.terms": parsed.watchlists[0].terms[0], "subscribers": parsed.subscribers[0]}


def _given(table: str) -> dict:
    """The keys of `table` that _MINIMAL writes."""
    if table == "vigil":
        return _MINIMAL.get("vigil", {})
    if table == "watchlists.terms":
        return _MINIMAL["watchlists"][0]["terms"][0]
    return _MINIMAL[table][0]


def defaults(table: str) -> dict[str, str]:
    """Each key's default as written in TOML: from its dataclass field, else (a key the
    loader fills in, such as `database`) from a config that leaves it out."""
    obj = _parsed_tables()[table]
    fields = {f.name: f for f in dataclasses.fields(obj)}
    given = _given(table)
    shown = {}
    for key, (kind, required) in TABLES[table].items():
        field = fields.get(key)
        if required:
            shown[key] = "required"
        elif field is not None and field.default is not dataclasses.MISSING:
            shown[key] = _toml(field.default, kind)
        elif field is not None and field.default_factory is not dataclasses.MISSING:
            shown[key] = _toml(field.default_factory(), kind)
        elif key not in given and hasattr(obj, key):
            shown[key] = _toml(getattr(obj, key), kind)
        else:
            raise LookupError(f"no default known for {table}.{key}: its dataclass has no field of that name")
    return shown


def _toml(value, kind) -> str:
    """A default as one would write it in vigil.toml."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, (int, float)):
        return f"`{value}`"
    if isinstance(value, timedelta):
        return f'`"{_duration(value)}"`'
    if isinstance(value, (tuple, list)):
        return "`{}`" if kind == "table" else "`[]`" if not value else f"`{list(value)}`"
    if hasattr(value, "text"):   # a parsed schedule keeps what was written
        return f'`"{value.text}"`'
    return f'`"{value}"`'


def _duration(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def meaning(table: str, key: str) -> str:
    text = config.KEY_MEANINGS[table][key]
    if key in config.LIMITS:
        low, high = config.LIMITS[key]
        text += f"; from {low:,} to {high:,}"
    return text


def config_table(table: str) -> None:
    """The key table of one TOML table: key, type, default, meaning."""
    stale = set(config.KEY_MEANINGS[table]) - set(TABLES[table])
    if stale:
        raise LookupError(f"KEY_MEANINGS[{table!r}] describes keys the schema does not have: {sorted(stale)}")
    unsaid = [key for key in TABLES[table] if not config.KEY_MEANINGS[table].get(key)]
    if unsaid:
        raise LookupError(f"say what {table}.{', '.join(unsaid)} means in KEY_MEANINGS, beside the schema")
    shown = defaults(table)
    print("| key | type | default | meaning |")
    print("|---|---|---|---|")
    for key, (kind, _) in TABLES[table].items():
        print(f"| `{key}` | {_TYPES.get(kind, kind)} | {shown[key]} | {meaning(table, key)} |")


# --- channels -----------------------------------------------------------------------------

def channel_classes() -> list[tuple[type, list[str]]]:
    """Every registered channel class with the URL schemes it serves, the fallback last."""
    served: dict[type, list[str]] = {}
    for scheme, cls in Channel.registry.items():
        served.setdefault(cls, []).append(scheme)
    classes = sorted(served.items(), key=lambda item: item[1][0])
    if Channel.fallback is not None and Channel.fallback not in served:
        classes.append((Channel.fallback, []))
    return classes


def channels_table() -> None:
    """One row per channel: the schemes it serves, what it does, the module that holds it."""
    print("| schemes | what it does | module |")
    print("|---|---|---|")
    for cls, schemes in channel_classes():
        shown = ", ".join(f"`{s}://`" for s in schemes) or "every other scheme"
        description = cls.description.replace("|", "\\|")
        print(f"| {shown} | {description} | `{cls.__module__}` |")


# --- running cog --------------------------------------------------------------------------

def run(check: bool = False) -> int:
    """Rewrite (or, with `check`, compare) every generated part; cog's exit status."""
    from cogapp import Cog

    args = ["cog", *COG_OPTIONS, "--verbosity", "1"]
    # --check only compares: with -r as well, cog would rewrite the files instead
    args += ["--check", "--diff", "--check-fail-msg", "run `python docs/generate.py`"] if check else ["-r"]
    return Cog().main([*args, *(str(f) for f in files())])


if __name__ == "__main__":
    sys.exit(run(check="--check" in sys.argv[1:]))
