"""The command line: a thin click layer; library errors become ClickException here only."""

from consolidate.cli.main import cli, main

__all__ = ["cli", "main"]
