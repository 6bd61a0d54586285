"""A returns folder for the mini plan, 2026-H1, built through the template writer.

- SNV: on time (03/06), with errors (a rule, a maximum, a non-number in table row 12) and a
  warning (a unit typed after a number); 12 table rows (more than the template's 10) and
  text that looks like numbers, formulas and padded codes, to check nothing is lost;
- STC: valid but received late (07/06, 3 days late), with one rule warning;
- 24781: nothing (missing); 24787 owes only 2026-Y.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from consolidate.definition.sample_values import filled_values
from consolidate.template.writer import write_template
from consolidate.vntime import VN_TZ
from tests.conftest import soffice

AS_OF = dt.datetime(2026, 6, 10, 8, 0, tzinfo=VN_TZ)
AS_OF_TEXT = "2026-06-10T08:00:00+07:00"
SNV_FILE = "snv-bao-cao.xlsx"
STC_FILE = "Báo cáo Sở Tài chính.xlsx"

TRICKY_TEXT = {
    "kho_khan": "1.234",  # a number typed as text stays text
    "de_xuat": "=HYPERLINK(\"http://x\")",  # text that looks like a formula stays text
    "nv01_result": "  007 khoảng trắng đầu  ",
}


def snv_values(mini) -> dict:
    period = mini.period("2026-H1")
    values = filled_values(mini, mini.unit("SNV"), period, table_rows=(3, 3))
    values.update(TRICKY_TEXT)
    values["don_tiep_nhan"] = 20
    values["don_giai_quyet"] = 25  # rule-failed (error) at D8, related D7
    values["ty_le_hai_long"] = 150  # value-above-maximum (error) at D9
    values["tiep_dan_buoi"] = "12 buổi"  # number-unit-removed (warning) at D6
    rows = list(values["mo_hinh"])
    while len(rows) < 12:
        rows.append({"ten_mo_hinh": f"Mô hình số {len(rows) + 1}", "linh_vuc": "Kinh tế",
                     "so_ho_huong_loi": 10 + len(rows), "ngay_cong_nhan": dt.date(2026, 3, len(rows) + 1)})
    rows[11] = {**rows[11], "so_ho_huong_loi": "mười hai"}  # value-not-number at D16 (row 12)
    values["mo_hinh"] = rows
    return values


def stc_values(mini) -> dict:
    values = filled_values(mini, mini.unit("STC"), mini.period("2026-H1"))
    values["tiep_dan_buoi"] = 0  # rule tiep_dan_toi_thieu: warning
    return values


def build_folder(mini, root: Path) -> tuple[Path, Path]:
    """Returns folder and receipts CSV under `root`."""
    period = mini.period("2026-H1")
    returns = root / "returns"
    returns.mkdir(parents=True)
    write_template(mini, mini.unit("SNV"), period, returns / SNV_FILE, values=snv_values(mini))
    write_template(mini, mini.unit("STC"), period, returns / STC_FILE, values=stc_values(mini))
    receipts = root / "so-tiep-nhan.csv"
    receipts.write_text(
        f"file,received_at\n{SNV_FILE},03/06/2026 10:00\n{STC_FILE},07/06/2026 09:00\n", encoding="utf-8"
    )
    return returns, receipts


@pytest.fixture
def folder(mini, tmp_path):
    returns, receipts = build_folder(mini, tmp_path)
    return {"returns": returns, "receipts": receipts, "root": tmp_path}


# --------------------------------------------------------------------------- reading back


def named_values(path: Path) -> dict[str, object]:
    """Every workbook-scoped defined name's cell value, through openpyxl."""
    wb = openpyxl.load_workbook(path)
    out = {}
    for name, defined in wb.defined_names.items():
        for sheet, ref in defined.destinations:
            out[name] = wb[sheet][ref.replace("$", "")].value
    return out


def table_rows(path: Path, table: str) -> list[tuple]:
    """Rows of an Excel table (header excluded), trailing empty rows dropped."""
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        if table in ws.tables:
            rows = [tuple(c.value for c in row) for row in ws[ws.tables[table].ref]][1:]
            while rows and all(v is None for v in rows[-1]):
                rows.pop()
            return rows
    raise KeyError(table)


def convert(path: Path, to: str, outdir: Path) -> Path:
    """LibreOffice headless conversion (pdf, ods, xls)."""
    result = subprocess.run(
        [soffice(), "--headless", f"-env:UserInstallation=file://{outdir}/lo-profile", "--convert-to", to,
         "--outdir", str(outdir), str(path)],
        capture_output=True, timeout=180, check=False,
    )
    target = outdir / (path.stem + "." + to.split(":")[0])
    assert result.returncode == 0 and target.exists(), result.stderr
    return target


needs_soffice = pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed; CI installs it")


def copy_plan(src: Path, target: Path) -> Path:
    shutil.copytree(src, target)
    return target
