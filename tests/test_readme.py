"""The README documents every command and every option, and its Quick start is two commands."""
from __future__ import annotations

import re
from pathlib import Path

import click

from crawler.cli import cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _sections() -> dict[str, str]:
    """README text under each `### vigil COMMAND` heading."""
    parts = re.split(r"^### `vigil ([a-z-]+)", README, flags=re.MULTILINE)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def _commands():
    for name, command in cli.commands.items():
        if isinstance(command, click.Group):
            for sub_name, sub in command.commands.items():
                yield f"{name} {sub_name}", name, sub
        else:
            yield name, name, command


def test_every_command_has_a_section():
    sections = _sections()
    missing = sorted({group for _, group, _ in _commands()} - set(sections))
    assert not missing, f"README has no '### `vigil X`' section for: {missing}"


def test_every_option_is_documented_in_its_command_section():
    sections = _sections()
    missing = []
    for full_name, group, command in _commands():
        text = sections.get(group, "")
        for param in command.params:
            if isinstance(param, click.Option):
                if not any(opt in text for opt in param.opts):
                    missing.append(f"vigil {full_name} {param.opts[0]}")
            elif isinstance(param, click.Argument):
                if param.human_readable_name.upper() not in text and param.name.upper() not in text:
                    missing.append(f"vigil {full_name} {param.human_readable_name}")
    assert not missing, f"undocumented in the README: {missing}"


def test_global_options_are_documented():
    for param in cli.params:
        if isinstance(param, click.Option):
            assert any(opt in README for opt in param.opts), param.opts


def test_quick_start_is_two_commands():
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```(?:sh|bash|console)?\n(.*?)```", quick, flags=re.S)
    commands = [line for block in blocks for line in block.splitlines() if line.strip() and not line.startswith("#")]
    assert len(commands) == 2, commands
    assert "vigil demo" in commands[0] and "pip install" in commands[0]
    repo = Path(__file__).resolve().parent.parent
    script = (repo / commands[1].strip()).read_text()
    assert "pytest" in script and "pip install" in script and "apt-get install" in script
    ci = (repo / ".ci" / "run").read_text()
    assert commands[1].strip() in ci


def test_every_config_key_is_documented():
    from crawler.core import config

    for keys in (config._VIGIL_KEYS, config._SOURCE_KEYS, config._WATCHLIST_KEYS, config._TERM_KEYS,
                 config._SUBSCRIBER_KEYS):
        for key in keys:
            assert f"`{key}`" in README, key
