"""`python -m consolidate`: the same CLI as the `consolidate` script."""

from consolidate.cli import main

main()
