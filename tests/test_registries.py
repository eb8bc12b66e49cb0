"""A spider and an extractor are each one class that registers itself: defined here, chosen by the
config or by a Content-Type, and used in a real crawl of the local site."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import scrapy

from conftest import REPO, page, simple_config
from crawler.text.extract import Extraction
from crawler.text.extractors import Extractor
from spiders.source import DISCOVERY, SourceSpider

pytestmark = pytest.mark.e2e   # `vigil` run as processes against local servers

ORLOV = "The court upheld the sentence handed down to Oleg Orlov for his article about the war."


class UnlinkedPageSpider(SourceSpider):
    """A site's own spider: it also reads a page that no link leads to."""

    name = "test-unlinked"

    async def start(self):
        async for request in super().start():
            yield request
        url = self.source.start_urls[0].rstrip("/") + "/unlinked.html"
        yield scrapy.Request(url, callback=self.parse_page, errback=self.failed, dont_filter=True,
                             priority=DISCOVERY)


class NoteExtractor(Extractor, content_types=("text/x-vigil-note",)):
    """A format of its own: a title line, then the text."""

    def extract(self, body: bytes, url: str, content_type: str | None) -> Extraction | None:
        title, _, text = body.decode("utf-8").partition("\n")
        return Extraction(title=title, date=None, lang="en", text=text.strip(), canonical_url=None)


def _vigil(project, *args):
    """`vigil` in a process that imports this module first, so the classes above are registered."""
    code = "import sys, test_registries; from crawler.cli import main; main(sys.argv[1:])"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "tests")])}
    env.pop("VIGIL_CONFIG", None)
    return subprocess.run([sys.executable, "-c", code, "--config", str(project.config), *args], cwd=project.path,
                          env=env, capture_output=True, text=True, timeout=120)


def _mentioned_urls(project) -> set[str]:
    listed = _vigil(project, "mentions", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    return {json.loads(line)["url"].rsplit("/", 1)[-1] for line in listed.stdout.splitlines()}


def test_a_spider_defined_in_one_file_is_chosen_by_name(site, project):
    site.write("index.html", page("Rights Centre", "We document the persecution of human rights defenders."))
    site.write("unlinked.html", page("Appeal", ORLOV))
    project.write_config(simple_config(site.url, source_extra='spider = "test-unlinked"'))
    crawled = _vigil(project, "crawl")
    assert crawled.returncode == 0 and "Traceback" not in crawled.stderr, crawled.stderr
    assert _mentioned_urls(project) == {"unlinked.html"}


def test_an_unknown_spider_is_a_one_line_config_error(site, project):
    project.write_config(simple_config(site.url, source_extra='spider = "no-such-spider"'))
    result = project.vigil("crawl")
    assert result.returncode == 2
    assert result.stderr.strip() == (f"vigil: error: {project.config}: sources[0].spider: unknown spider "
                                     "'no-such-spider' (known: source)")


def test_an_extractor_defined_in_one_file_reads_its_content_type(site, project):
    site.write("index.html", page("Rights Centre", '</p><p><a href="/appeal.note">Appeal</a>'))
    site.write("appeal.note", f"Appeal\n{ORLOV}\n")
    site.headers["/appeal.note"] = {"Content-Type": "text/x-vigil-note"}
    # without the extractor, a type nothing claims is not read
    project.write_config(simple_config(site.url, database="without.db"))
    project.ok("crawl")
    errors = project.ok("errors", "--format", "json").json_lines()
    assert [e["reason"] for e in errors if e["url"].endswith("/appeal.note")] == [
        "not a format Vigil reads (text/x-vigil-note)"], errors

    project.write_config(simple_config(site.url))
    crawled = _vigil(project, "crawl")
    assert crawled.returncode == 0 and "Traceback" not in crawled.stderr, crawled.stderr
    assert _mentioned_urls(project) == {"appeal.note"}


def test_a_command_defined_in_one_file_joins_vigil(site, project, tmp_path):
    """The example of docs/development.md, as one module in a folder of commands."""
    folder = tmp_path / "more_commands"
    folder.mkdir()
    (folder / "sources.py").write_text(
        '"""`vigil sources`: the configured sources, one per line."""\n'
        "import click\n\n\n"
        "@click.command()\n@click.pass_obj\ndef sources(state):\n"
        '    """List the configured sources, one per line."""\n'
        "    for source in state.config().sources:\n        click.echo(source.name)\n\n\n"
        "commands = [sources]\n", encoding="utf-8")
    project.write_config(simple_config(site.url))
    # The folder joins crawler/commands before the command line registers what is there.
    code = ("import sys; import crawler.commands as c; c.__path__.append(sys.argv[1]); "
            "from crawler.cli import main; main(sys.argv[2:])")
    done = subprocess.run([sys.executable, "-c", code, str(folder), "--config", str(project.config), "sources"],
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["ngo"]


def test_a_command_module_imported_first_is_still_registered():
    # Each command module imports crawler.cli half-way through its own import; gathering the
    # commands at that moment would miss the module's own `commands`.
    code = ("import crawler.commands.reports\n"
            "from crawler.cli import cli\n"
            "print(' '.join(sorted(cli.commands)))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == 0, result.stderr
    assert {"status", "mentions", "errors", "events", "crawl"} <= set(result.stdout.split())
