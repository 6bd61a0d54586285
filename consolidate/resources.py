"""Where the shipped schemas and plan folders live (repository layout, editable install)."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT = PACKAGE_DIR.parent


def schema_path(name: str) -> Path:
    return ROOT / "schemas" / f"{name}.schema.json"


def templates_dir() -> Path:
    return ROOT / "templates"
