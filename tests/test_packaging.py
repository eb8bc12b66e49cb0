"""Our own `storage`, `alerts` and `spiders` packages are the ones a crawl imports."""
from __future__ import annotations

import os

from conftest import REPO, page, simple_config


def test_packages_with_our_names_elsewhere_do_not_shadow_ours(site, project, tmp_path):
    decoys = tmp_path / "decoys"
    marker = tmp_path / "decoy-imported"
    for name in ("storage", "alerts", "spiders"):
        (decoys / name).mkdir(parents=True)
        (decoys / name / "__init__.py").write_text(
            f"open({str(marker)!r}, 'a').write('{name}\\n')\nraise ImportError('decoy {name}')\n")
    site.write("index.html", page("Statement", "Oleg Orlov was detained in Moscow on Monday evening.",
                                  "His lawyers were not allowed to see him for six hours."))
    project.write_config(simple_config(site.url))
    # The decoys come first on the path, as an installed package would for an installed Vigil.
    result = project.ok("crawl", env={"PYTHONPATH": os.pathsep.join([str(decoys), str(REPO)])})
    assert "mentions 1" in result.stdout
    assert not marker.exists(), marker.read_text()
