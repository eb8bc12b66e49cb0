"""The SQLite store: opening it, migrations, and plain functions over its tables."""
import sys

# sqlite-utils imports numpy, when it is installed, only to store numpy values, which Vigil never
# has: 12 MB in every process (the daemon, each crawl worker). Another library installed beside
# Vigil may have brought numpy in; only a process that has not loaded it yet is spared it.
if "numpy" not in sys.modules:
    sys.modules["numpy"] = None   # an import of numpy now raises ImportError, as if it were absent
    import sqlite_utils  # noqa: E402,F401
    del sys.modules["numpy"]
