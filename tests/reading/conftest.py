"""Fixtures for the reading tests: the mini definition and returns built by the real
template writer (tests/reading/make_corpus.py holds the builders of hostile files)."""

from __future__ import annotations

import pytest

from tests.reading import make_corpus


@pytest.fixture(scope="module")
def mini_def():
    from consolidate.definition import loader as definitions

    return definitions.load(make_corpus.MINI)


@pytest.fixture(scope="module")
def base_return(mini_def, tmp_path_factory):
    """(path, values) of one good filled return."""
    path = tmp_path_factory.mktemp("base") / "good.xlsx"
    values = make_corpus.good(mini_def, path, seed=3)
    return path, values


@pytest.fixture(scope="session")
def libreoffice_return(tmp_path_factory):
    """A good return of the mini plan and LibreOffice Calc's copies of it (one conversion
    per format for the whole session): (fmt -> path, values written)."""
    from consolidate.definition import loader as definitions
    from tests.reading import corpus_made

    return corpus_made.libreoffice_return(definitions.load(make_corpus.MINI), tmp_path_factory.mktemp("libreoffice"))
