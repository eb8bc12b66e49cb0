"""The commands of `vigil`, grouped by what they serve: each module lists its `commands`.

A command imports what it runs inside its own function: `vigil --help` imports every module
here, and must not load Scrapy, Apprise or the database to print the list."""
