"""A template opens in LibreOffice headless and converts to PDF."""

from __future__ import annotations

import subprocess

import pytest

from consolidate.template.writer import write_template
from tests.conftest import soffice

pytestmark = pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed; CI installs it")


def test_converts_to_pdf(mini, tmp_path):
    path = write_template(mini, mini.unit("SNV"), mini.period("2026-H1"), tmp_path / "mau.xlsx")
    result = subprocess.run(
        [soffice(), "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(path)],
        capture_output=True, timeout=180, check=False,
    )
    pdf = tmp_path / "mau.pdf"
    assert result.returncode == 0, result.stderr
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
    assert pdf.stat().st_size > 5000
