"""Receipt times: the CSV book, day-first and ISO times, problems per row, the order of sources."""

from __future__ import annotations

import datetime as dt

import pytest

from consolidate.merge.receipts import (
    Receipt,
    ReceiptsError,
    first_receipt,
    iso,
    norm_name,
    read_book,
    resolve,
)
from consolidate.vntime import VN_TZ, parse_time
from tests.merge.helpers import vn


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("04/06/2026 16:30", vn(2026, 6, 4, 16, 30)),
        ("4/6/2026 9:05", vn(2026, 6, 4, 9, 5)),
        ("04-06-2026 16:30:15", vn(2026, 6, 4, 16, 30, 15)),
        ("04/06/2026", vn(2026, 6, 4)),
        ("04/06/2026 8h30", vn(2026, 6, 4, 8, 30)),
        ("2026-06-04T16:30", vn(2026, 6, 4, 16, 30)),
        ("2026-06-04 16:30:00+07:00", vn(2026, 6, 4, 16, 30)),
        ("2026-06-04T09:30:00Z", vn(2026, 6, 4, 16, 30)),
    ],
)
def test_parse_time(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["", "hôm qua", "31/02/2026 10:00", "2026-13-01", "06/04/26"])
def test_parse_time_rejects(text):
    assert parse_time(text) is None


def test_day_first_never_month_first():
    assert parse_time("05/06/2026 10:00").date() == dt.date(2026, 6, 5)


def test_book_with_bom_and_bad_rows(tmp_path):
    book_file = tmp_path / "receipts.csv"
    book_file.write_bytes(
        "\ufefffile,received_at\n"
        "SNV.xlsx,04/06/2026 16:30\n"
        "STC.xlsx,ngày mai\n"
        ",04/06/2026\n"
        "khong-co.xlsx,04/06/2026\n"
        "SNV.xlsx,05/06/2026 08:00\n"
        "\n"
        "24781.xlsx,2026-06-03T10:00:00+07:00\n".encode()
    )
    book = read_book(book_file, ["SNV.xlsx", "STC.xlsx", "xa/24781.xlsx"])
    assert book.times == {"snv.xlsx": vn(2026, 6, 4, 16, 30), "xa/24781.xlsx": vn(2026, 6, 3, 10)}
    problems = {(p.code, p.params["row"]) for p in book.problems}
    assert problems == {
        ("receipt-row-invalid", 3),
        ("receipt-row-invalid", 4),
        ("receipt-file-unknown", 5),
        ("receipt-duplicate", 6),
    }
    bad = next(p for p in book.problems if p.params["row"] == 3)
    assert "dòng 3" in bad.message and "ngày mai" in bad.message


def test_book_without_bom_semicolons(tmp_path):
    book_file = tmp_path / "r.csv"
    book_file.write_text("File;Received_at\nSNV.xlsx;04/06/2026 16:30\n", encoding="utf-8")
    assert read_book(book_file).times == {"snv.xlsx": vn(2026, 6, 4, 16, 30)}


def test_book_missing_columns_is_fatal(tmp_path):
    book_file = tmp_path / "r.csv"
    book_file.write_text("tep,ngay\nSNV.xlsx,04/06/2026\n", encoding="utf-8")
    with pytest.raises(ReceiptsError, match="received_at"):
        read_book(book_file)


def test_book_not_utf8_is_fatal(tmp_path):
    book_file = tmp_path / "r.csv"
    book_file.write_bytes(b"file,received_at\nS\xf4.xlsx,04/06/2026\n")
    with pytest.raises(ReceiptsError, match="UTF-8"):
        read_book(book_file)


def test_norm_name():
    assert norm_name(".\\Xã\\Báo cáo.XLSX") == norm_name("xã/báo cáo.xlsx")


def test_resolve_order(tmp_path):
    book_file = tmp_path / "r.csv"
    book_file.write_text("file,received_at\na.xlsx,01/06/2026 10:00\n", encoding="utf-8")
    book = read_book(book_file, ["a.xlsx", "b.xlsx"])
    registered = Receipt(vn(2026, 6, 2), "mtime")
    mtime = vn(2026, 6, 9)
    assert resolve("a.xlsx", book, registered, mtime) == Receipt(vn(2026, 6, 1, 10), "receipts")
    assert resolve("b.xlsx", book, registered, mtime) == registered
    assert resolve("b.xlsx", book, None, mtime) == Receipt(mtime, "mtime")
    assert resolve("b.xlsx", None, None, None) is None


def test_first_receipt_is_the_earlier_of_sighting_and_mtime():
    seen = vn(2026, 6, 10, 8)
    assert first_receipt(seen, vn(2026, 6, 3)) == Receipt(vn(2026, 6, 3), "mtime")
    assert first_receipt(seen, vn(2026, 7, 1)) == Receipt(seen, "register")
    assert first_receipt(seen, None) == Receipt(seen, "register")


def test_iso_is_vietnam_time():
    assert iso(dt.datetime(2026, 6, 4, 17, 30, tzinfo=dt.timezone.utc)) == "2026-06-05T00:30:00+07:00"
    assert iso(None) is None
    assert VN_TZ.utcoffset(None) == dt.timedelta(hours=7)
