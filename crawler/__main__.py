"""`python -m crawler` runs the `vigil` command line."""
from crawler.cli import main

main()
