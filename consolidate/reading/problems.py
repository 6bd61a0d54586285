"""Problems the reading stage reports: one per file for anything that stops reading, and
located ones (sheet, cell, field) for what is missing from a readable workbook."""

from __future__ import annotations

from dataclasses import dataclass

from consolidate.i18n import N_, Text
from consolidate.problems import WARNING, Problem


@dataclass
class FileUnreadable(Problem):
    code = "file-unreadable"
    template = N_("Không mở được tệp {file}: {note}")


@dataclass
class FileEmpty(Problem):
    code = "file-empty"
    template = N_("Tệp {file} rỗng (0 byte)")


@dataclass
class FileTooLarge(Problem):
    code = "file-too-large"
    template = N_("Tệp {file} quá lớn để đọc an toàn: {note}")


_MEMORY_LIMITED = N_("đọc {where} cần nhiều bộ nhớ hơn giới hạn {limit} MB của trình đọc")
_MEMORY = N_("đọc {where} cần nhiều bộ nhớ hơn giới hạn của trình đọc")


def memory_note(sheet: str | None, limit: int | None = None) -> Text:
    """The note of a FileTooLarge for a file that needed more memory than a reader may take
    (`limit`: that much, in bytes, when known)."""
    where = Text(N_("trang “{sheet}”"), sheet=sheet) if sheet else Text(N_("tệp"))
    if limit:
        return Text(_MEMORY_LIMITED, where=where, limit=limit // 2**20)
    return Text(_MEMORY, where=where)


def is_memory_note(note: object) -> bool:
    """A note made by memory_note: an outcome of this run's budget, not of the file alone."""
    return isinstance(note, Text) and note.msgid in (_MEMORY_LIMITED, _MEMORY)


@dataclass
class FileNotSpreadsheet(Problem):
    code = "file-not-spreadsheet"
    template = N_("Tệp {file} không phải bảng tính Excel/LibreOffice: {note}")


@dataclass
class FileFormatUnsupported(Problem):
    code = "file-format-unsupported"
    template = N_("Tệp {file} có định dạng {note} chưa được hỗ trợ; hãy lưu lại dưới dạng .xlsx")


@dataclass
class FileCorrupt(Problem):
    code = "file-corrupt"
    template = N_("Tệp {file} bị hỏng, không đọc được: {note}")


@dataclass
class FileEncrypted(Problem):
    code = "file-encrypted"
    template = N_("Tệp {file} được đặt mật khẩu; hãy gỡ mật khẩu rồi gửi lại")


@dataclass
class FileZipBomb(Problem):
    code = "file-zip-bomb"
    template = N_("Tệp {file} bị từ chối vì nội dung giải nén bất thường: {note}")


@dataclass
class FileXmlEntities(Problem):
    code = "file-xml-entities"
    template = N_("Tệp {file} bị từ chối vì chứa khai báo DOCTYPE/thực thể XML ({note})")


@dataclass
class FileReaderCrashed(Problem):
    code = "file-reader-crashed"
    template = N_("Trình đọc bảng tính bị dừng đột ngột khi đọc tệp {file} ({note}); tệp có thể bị hỏng")


@dataclass
class FileReadTimeout(Problem):
    code = "file-read-timeout"
    template = N_("Đọc tệp {file} quá thời gian cho phép ({note})")


@dataclass
class FileMacrosIgnored(Problem):
    code = "file-macros-ignored"
    severity = WARNING
    template = N_("Tệp {file} có macro; macro được bỏ qua, chỉ đọc giá trị")


@dataclass
class NamesMissing(Problem):
    code = "names-missing"
    severity = WARNING
    template = N_("Tệp {file} không còn các tên ô (defined names); các ô được đọc theo vị trí của biểu mẫu")


@dataclass
class LayoutMismatch(Problem):
    code = "layout-mismatch"
    template = N_("Tệp {file} không còn tên ô và không khớp bố cục biểu mẫu hiện hành; không xác định được vị trí dữ liệu")


@dataclass
class LayoutShifted(Problem):
    code = "layout-shifted"
    template = N_("Trang “{sheet}” của tệp {file} đã bị chèn hoặc xóa dòng (ô {cell} phải là “{value}”), "
                  "nên không đọc được số liệu theo vị trí. Hãy nhập lại vào biểu mẫu gốc và gửi dạng .xlsx")


@dataclass
class NameMissing(Problem):
    code = "name-missing"
    template = N_("Tệp {file}: không tìm thấy ô được đặt tên '{field}' (có thể đã bị xóa)")


@dataclass
class NameBroken(Problem):
    code = "name-broken"
    template = N_("Tệp {file}: tên ô '{field}' không còn trỏ tới một ô hợp lệ ({value})")


@dataclass
class TableMissing(Problem):
    code = "table-missing"
    template = N_("Tệp {file}: không tìm thấy bảng '{field}' trên trang {sheet}")


@dataclass
class TableColumnMissing(Problem):
    code = "table-column-missing"
    template = N_("Tệp {file}: bảng trên trang {sheet} thiếu cột '{value}'")


@dataclass
class SheetMissing(Problem):
    code = "sheet-missing"
    template = N_("Tệp {file}: không có trang '{sheet}'")


@dataclass
class NameDuplicated(Problem):
    code = "name-duplicated"
    template = N_("Tệp {file}: tên ô '{field}' được đặt hai lần; không biết ô nào là ô của biểu mẫu")


@dataclass
class NameOutsideSheet(Problem):
    code = "name-outside-sheet"
    template = N_("Tệp {file}: tên ô '{field}' trỏ ra ngoài trang “{sheet}” của biểu mẫu (tới {value})")


@dataclass
class NameNotCell(Problem):
    code = "name-not-a-cell"
    template = N_("Tệp {file}: tên ô '{field}' trỏ tới cả một vùng ({value}) thay vì một ô")


@dataclass
class ValueUnderMerge(Problem):
    code = "value-under-merge"
    template = N_("Tệp {file}, trang “{sheet}”, ô {cell}: giá trị bị che dưới vùng ô đã gộp {value}; "
                  "hãy bỏ gộp ô và nhập lại")


@dataclass
class TableRowsOutside(Problem):
    code = "table-rows-outside"
    template = N_("Tệp {file}: trang “{sheet}” có dòng đã điền ở ô {cell}, ngay dưới bảng '{field}' "
                  "nhưng nằm ngoài bảng; hãy mở rộng bảng cho hết các dòng đã điền")


@dataclass
class NameMoved(Problem):
    code = "name-moved"
    template = N_("Tệp {file}: tên ô '{field}' trỏ tới ô {cell}, không nằm cạnh nhãn “{value}” của chỉ tiêu; "
                  "không biết ô nào là ô của biểu mẫu")


@dataclass
class TableHeaderMoved(Problem):
    code = "table-header-moved"
    template = N_("Tệp {file}: bảng '{field}' trên trang “{sheet}” không còn bắt đầu ở dòng tiêu đề của nó "
                  "(ô {cell} phải là “{value}”), nên các dòng phía trên bị bỏ sót; hãy sửa lại vùng của bảng")
