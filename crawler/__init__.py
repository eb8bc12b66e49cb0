"""Vigil's crawler: the command line and service, ingestion (the Scrapy project), text analysis and the core."""
import sys
from pathlib import Path

# Our top-level packages (crawler, spiders, alerts, storage) have common names, and Scrapy
# appends the project folder to the end of sys.path: an installed package called
# `storage` or `alerts` would shadow ours. Their folder goes first.
_ROOT = str(Path(__file__).resolve().parent.parent)
if sys.path[:1] != [_ROOT]:
    sys.path.insert(0, _ROOT)
for _name in ("storage", "alerts", "spiders"):
    _loaded = sys.modules.get(_name)
    if _loaded is not None and not str(getattr(_loaded, "__file__", "") or "").startswith(_ROOT):
        del sys.modules[_name]
