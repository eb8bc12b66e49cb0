"""The SQLite store: opening it, migrations, and plain functions over its tables."""
