"""The docs are current and complete: generated parts match the code; every command, option,
config key and channel is documented; every page is linked from the README; every link resolves."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import click
import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
sys.path.insert(0, str(DOCS))
import generate  # noqa: E402  (docs/generate.py holds the docs' only imports of the code)

cli = generate.cli
config = generate.config
Channel = generate.Channel

COMMANDS = (DOCS / "commands.md").read_text(encoding="utf-8")
CONFIGURATION = (DOCS / "configuration.md").read_text(encoding="utf-8")
CHANNELS = (DOCS / "channels.md").read_text(encoding="utf-8")
_COG_BLOCK = re.compile(r"^[^\n]*\[\[\[cog.*?\[\[\[end\]\]\][^\n]*$", flags=re.MULTILINE | re.DOTALL)


def _prose(text: str) -> str:
    """What was written by hand: the text without the generated blocks."""
    return _COG_BLOCK.sub("", text)


def _sections(text: str) -> dict[str, str]:
    """The text under each `## `...`` or `### `...`` heading, by the heading's code span,
    up to the next heading of the same or a higher level."""
    headings = list(re.finditer(r"^(#{2,3}) `([^`]+)`\s*$", text, flags=re.MULTILINE))
    sections = {}
    for i, heading in enumerate(headings):
        level = len(heading.group(1))
        end = len(text)
        for later in headings[i + 1:]:
            if len(later.group(1)) <= level:
                end = later.start()
                break
        sections[heading.group(2)] = text[heading.end():end]
    return sections


# --- generated parts -----------------------------------------------------------------------

def test_generated_docs_are_current(capsys):
    status = generate.run(check=True)
    output = capsys.readouterr()
    assert status == 0, f"generated docs are out of date; run `python docs/generate.py`\n{output.out}{output.err}"


# --- commands ------------------------------------------------------------------------------

def test_every_command_has_a_section():
    sections = _sections(COMMANDS)
    headings = set(re.findall(r"^(#{2,3} `vigil [a-z -]+`)\s*$", COMMANDS, flags=re.MULTILINE))
    missing = []
    for path in generate.command_paths():
        level = "##" if len(path) == 1 else "###"
        if f"{level} `vigil {' '.join(path)}`" not in headings:
            missing.append(f"{level} `vigil {' '.join(path)}`")
    assert not missing, f"docs/commands.md has no section for: {missing}"
    known = {" ".join(["vigil", *path]) for path in generate.command_paths()}
    stale = sorted(name for name in sections if name.startswith("vigil ") and name not in known)
    assert not stale, f"docs/commands.md describes commands that do not exist: {stale}"


def test_every_section_shows_its_commands_help():
    sections = _sections(COMMANDS)
    for path in generate.command_paths():
        section = sections.get(" ".join(["vigil", *path]), "")
        assert generate.help_text(*path).rstrip() in section, f"vigil {' '.join(path)}: its --help is not in its section"


def test_every_option_is_documented_in_its_command_section():
    """In the words written for the command, not only in its generated --help."""
    sections = {name: _prose(text) for name, text in _sections(COMMANDS).items()}
    missing = []
    for path in generate.command_paths():
        command, _ = generate.command_at(path)
        full_name = " ".join(["vigil", *path])
        text = sections.get(full_name, "")
        for param in command.params:
            if isinstance(param, click.Option):
                if not any(opt in text for opt in param.opts):
                    missing.append(f"{full_name} {param.opts[0]}")
            elif isinstance(param, click.Argument):
                if param.human_readable_name.upper() not in text and param.name.upper() not in text:
                    missing.append(f"{full_name} {param.human_readable_name}")
    assert not missing, f"undocumented in docs/commands.md: {missing}"


def test_every_option_has_help_text():
    missing = []
    for path in [(), *generate.command_paths()]:
        command, _ = generate.command_at(path)
        for param in command.params:
            if isinstance(param, click.Option) and not (param.help or "").strip():
                missing.append(f"vigil {' '.join(path)} {param.opts[0]}".replace("  ", " "))
    assert not missing, f"options without help text (their --help says nothing of them): {missing}"


def test_global_options_are_documented():
    prose = _prose(COMMANDS)
    for param in cli.params:
        if isinstance(param, click.Option):
            assert any(opt in prose for opt in param.opts), param.opts


# --- configuration -------------------------------------------------------------------------

_HEADINGS = {"vigil": "[vigil]", "sources": "[[sources]]", "watchlists": "[[watchlists]]",
             "watchlists.terms": "[[watchlists.terms]]", "subscribers": "[[subscribers]]"}


def test_every_config_table_is_generated():
    assert set(generate.TABLES) == set(_HEADINGS)
    assert {name for name in config._TOP_KEYS} <= set(generate.TABLES), "a top-level table has no key table"
    assert set(config.KEY_MEANINGS) == set(generate.TABLES)


def test_every_config_key_is_documented():
    for keys in (config._VIGIL_KEYS, config._SOURCE_KEYS, config._WATCHLIST_KEYS, config._TERM_KEYS,
                 config._SUBSCRIBER_KEYS):
        for key in keys:
            assert f"`{key}`" in CONFIGURATION, key
    sections = _sections(CONFIGURATION)
    missing = []
    for table, keys in generate.TABLES.items():
        meanings = config.KEY_MEANINGS[table]
        section = sections.get(_HEADINGS[table], "")
        for key in keys:
            if not meanings.get(key, "").strip():
                missing.append(f"{table}.{key}: no meaning in KEY_MEANINGS")
            if not re.search(rf"^\| `{re.escape(key)}` \|", section, flags=re.MULTILINE):
                missing.append(f"{table}.{key}: no row in the `{_HEADINGS[table]}` section")
        stale = set(meanings) - set(keys)
        if stale:
            missing.append(f"{table}: meanings of keys the schema does not have: {sorted(stale)}")
    assert not missing, missing


def test_documented_defaults_are_what_the_loader_gives():
    """A key left out of the file gets the default the docs show."""
    parsed = generate._parsed_tables()
    for table, keys in generate.TABLES.items():
        shown = generate.defaults(table)
        for key, (kind, required) in keys.items():
            if required or key in generate._given(table):
                continue
            assert generate._toml(getattr(parsed[table], key), kind) == shown[key], f"{table}.{key}"


def _toml_blocks(text: str) -> list[str]:
    return re.findall(r"```toml\n(.*?)```", text, flags=re.DOTALL)


def test_the_complete_example_config_loads():
    import tomllib

    example = next(block for block in _toml_blocks(CONFIGURATION) if block.startswith("[vigil]"))
    parsed = config.parse_config(tomllib.loads(example), ROOT / "vigil.toml")
    assert parsed.sources and parsed.watchlists and parsed.subscribers


# --- channels ------------------------------------------------------------------------------

def test_every_channel_is_documented():
    for scheme, cls in Channel.registry.items():
        assert f"`{scheme}://`" in CHANNELS, scheme
        assert cls.description.strip(), f"{cls.__name__} has no description"
    if Channel.fallback is not None:
        assert Channel.fallback.description.strip(), f"{Channel.fallback.__name__} has no description"
        assert "every other scheme" in CHANNELS


# --- links ---------------------------------------------------------------------------------

_FENCE = re.compile(r"^```.*?^```", flags=re.MULTILINE | re.DOTALL)
_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
PAGES = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]


def _links(path: Path) -> list[str]:
    return _LINK.findall(_FENCE.sub("", path.read_text(encoding="utf-8")))


def _anchors(path: Path) -> set[str]:
    """The anchors GitHub gives the headings of a Markdown file (a repeated one gets -1, -2...)."""
    text = _FENCE.sub("", path.read_text(encoding="utf-8"))
    seen: dict[str, int] = {}
    anchors = set()
    for heading in re.findall(r"^#{1,6} (.+?)\s*#*\s*$", text, flags=re.MULTILINE):
        anchor = generate.slug(heading)
        count = seen.get(anchor, 0)
        seen[anchor] = count + 1
        anchors.add(anchor if count == 0 else f"{anchor}-{count}")
    return anchors


def test_every_doc_page_is_linked_from_the_readme():
    linked = {(ROOT / target.split("#")[0]).resolve() for target in _links(ROOT / "README.md")}
    missing = sorted(page.name for page in DOCS.glob("*.md") if page.resolve() not in linked)
    assert not missing, f"docs pages the README does not link to: {missing}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_resolves(page):
    broken = []
    for target in _links(page):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):   # https:, mailto:: not ours to check
            continue
        path_part, _, anchor = target.partition("#")
        linked = (page.parent / path_part).resolve() if path_part else page
        if ROOT not in linked.parents and linked != ROOT:
            broken.append(f"{target}: outside the repository")
        elif not linked.exists():
            broken.append(f"{target}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in _anchors(linked):
            broken.append(f"{target}: no heading with this anchor")
    assert not broken, f"{page.relative_to(ROOT)}: {broken}"


_REPO_PATH = re.compile(r"`((?:crawler|alerts|spiders|storage|bench|tests|scripts|docs)/[\w./-]*)`")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_file_named_exists(page):
    """A module or folder the docs name in `code` is where they say: a move updates the docs."""
    named = set(_REPO_PATH.findall(page.read_text(encoding="utf-8")))
    missing = sorted(path for path in named if not (ROOT / path).exists())
    assert not missing, f"{page.relative_to(ROOT)} names files that do not exist: {missing}"
