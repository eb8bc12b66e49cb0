"""The README is short, its Quick start is two commands, its example config loads and its
table lists every command; the full reference lives in docs/ (tests/test_docs.py)."""
from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
sys.path.insert(0, str(ROOT / "docs"))
import generate  # noqa: E402  (docs/generate.py holds the docs' only imports of the code)


def test_readme_is_short():
    assert len(README.encode("utf-8")) <= 10 * 1024, "README.md is over 10 KB: move the details into docs/"


def test_quick_start_is_two_commands():
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```(?:sh|bash|console)?\n(.*?)```", quick, flags=re.S)
    commands = [line for block in blocks for line in block.splitlines() if line.strip() and not line.startswith("#")]
    assert len(commands) == 2, commands
    assert "vigil demo" in commands[0] and "pip install" in commands[0]
    script = (ROOT / commands[1].strip()).read_text()
    assert "pytest" in script and "pip install" in script and "apt-get install" in script
    ci = (ROOT / ".ci" / "run").read_text()
    assert commands[1].strip() in ci


def test_every_command_is_in_the_table():
    table = README.split("## Commands", 1)[1].split("\n## ", 1)[0]
    missing = [" ".join(path) for path in generate.command_paths()
               if not (len(path) == 1 and isinstance(generate.cli.commands[path[0]], generate.click.Group))
               and f"(docs/commands.md#{generate.slug(' '.join(['vigil', *path]))})" not in table]
    assert not missing, f"the README's table of commands lacks: {missing}"


def test_example_config_loads():
    blocks = re.findall(r"```toml\n(.*?)```", README, flags=re.S)
    assert len(blocks) == 1, "the README shows one example config"
    config = generate.config.parse_config(tomllib.loads(blocks[0]), ROOT / "vigil.toml")
    assert config.sources and config.watchlists and config.subscribers
