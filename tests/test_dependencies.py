"""Every library the code imports is pinned in pyproject.toml, so a new release cannot change what Vigil does unseen."""
from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("crawler", "spiders", "alerts", "storage")
OURS = set(PRODUCT) | {"tests", "bench", "docs"}


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _name(requirement: str) -> str:
    return re.split(r"[\s=<>!~\[;]", requirement, maxsplit=1)[0]


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pinned(requirements: list[str]) -> set[str]:
    return {_normal(_name(r)) for r in requirements}


def _imported_modules(folders) -> dict[str, str]:
    """Top-level module -> one file that imports it, for absolute imports outside the standard library."""
    found = {}
    local = {path.stem for folder in folders for path in (ROOT / folder).rglob("*.py")}
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top not in sys.stdlib_module_names and top not in OURS and top not in local:
                        found.setdefault(top, str(path.relative_to(ROOT)))
    return found


def _unpinned(folders, pinned: set[str]) -> list[str]:
    distributions = importlib.metadata.packages_distributions()
    missing = []
    for module, where in sorted(_imported_modules(folders).items()):
        names = distributions.get(module)
        assert names, f"{module} (imported in {where}) belongs to no installed distribution"
        if not pinned & {_normal(n) for n in names}:
            missing.append(f"{module} ({'/'.join(names)}, imported in {where})")
    return missing


def test_every_requirement_names_one_exact_version():
    project = _project()
    for requirement in project["dependencies"] + project["optional-dependencies"]["test"]:
        assert re.fullmatch(r"[A-Za-z0-9_.\-]+(\[[a-z,]+\])?==[0-9][0-9A-Za-z.]*", requirement), requirement


def test_every_library_the_product_imports_is_pinned():
    assert _unpinned(PRODUCT, _pinned(_project()["dependencies"])) == []


def test_every_library_the_tests_and_benchmarks_import_is_pinned():
    project = _project()
    pinned = _pinned(project["dependencies"] + project["optional-dependencies"]["test"])
    assert _unpinned(("tests", "bench", "docs"), pinned) == []
