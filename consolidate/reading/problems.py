"""Problems the reading stage reports: one per file for anything that stops reading, and
located ones (sheet, cell, field) for what is missing from a readable workbook."""

from __future__ import annotations

from dataclasses import dataclass

from consolidate.problems import WARNING, Problem


@dataclass
class FileUnreadable(Problem):
    code = "file-unreadable"
    template = "Không mở được tệp {file}: {note}"
    template_en = "Cannot open {file}: {note}"


@dataclass
class FileEmpty(Problem):
    code = "file-empty"
    template = "Tệp {file} rỗng (0 byte)"
    template_en = "{file} is empty (0 bytes)"


@dataclass
class FileTooLarge(Problem):
    code = "file-too-large"
    template = "Tệp {file} quá lớn để đọc an toàn: {note}"
    template_en = "{file} is too large to read safely: {note}"


@dataclass
class FileNotSpreadsheet(Problem):
    code = "file-not-spreadsheet"
    template = "Tệp {file} không phải bảng tính Excel/LibreOffice: {note}"
    template_en = "{file} is not an Excel/LibreOffice workbook: {note}"


@dataclass
class FileFormatUnsupported(Problem):
    code = "file-format-unsupported"
    template = "Tệp {file} có định dạng {note} chưa được hỗ trợ; hãy lưu lại dưới dạng .xlsx"
    template_en = "{file} is in an unsupported format ({note}); save it as .xlsx"


@dataclass
class FileCorrupt(Problem):
    code = "file-corrupt"
    template = "Tệp {file} bị hỏng, không đọc được: {note}"
    template_en = "{file} is corrupt and cannot be read: {note}"


@dataclass
class FileEncrypted(Problem):
    code = "file-encrypted"
    template = "Tệp {file} được đặt mật khẩu; hãy gỡ mật khẩu rồi gửi lại"
    template_en = "{file} is password-protected; remove the password and send it again"


@dataclass
class FileZipBomb(Problem):
    code = "file-zip-bomb"
    template = "Tệp {file} bị từ chối vì nội dung giải nén bất thường: {note}"
    template_en = "{file} was rejected: abnormal uncompressed content ({note})"


@dataclass
class FileXmlEntities(Problem):
    code = "file-xml-entities"
    template = "Tệp {file} bị từ chối vì chứa khai báo DOCTYPE/thực thể XML ({note})"
    template_en = "{file} was rejected: it contains an XML DOCTYPE/entity declaration ({note})"


@dataclass
class FileReaderCrashed(Problem):
    code = "file-reader-crashed"
    template = "Trình đọc bảng tính bị dừng đột ngột khi đọc tệp {file} ({note}); tệp có thể bị hỏng"
    template_en = "The workbook reader crashed on {file} ({note}); the file may be corrupt"


@dataclass
class FileReadTimeout(Problem):
    code = "file-read-timeout"
    template = "Đọc tệp {file} quá thời gian cho phép ({note})"
    template_en = "Reading {file} took too long ({note})"


@dataclass
class FileMacrosIgnored(Problem):
    code = "file-macros-ignored"
    severity = WARNING
    template = "Tệp {file} có macro; macro được bỏ qua, chỉ đọc giá trị"
    template_en = "{file} contains macros; they are ignored, only values are read"


@dataclass
class NamesMissing(Problem):
    code = "names-missing"
    severity = WARNING
    template = "Tệp {file} không còn các tên ô (defined names); các ô được đọc theo vị trí của biểu mẫu"
    template_en = "{file} has lost its defined names; cells were read at the template's positions"


@dataclass
class LayoutMismatch(Problem):
    code = "layout-mismatch"
    template = "Tệp {file} không còn tên ô và không khớp bố cục biểu mẫu hiện hành; không xác định được vị trí dữ liệu"
    template_en = "{file} has no defined names and its layout differs from the current template; cells cannot be located"


@dataclass
class LayoutShifted(Problem):
    code = "layout-shifted"
    template = ("Trang “{sheet}” của tệp {file} đã bị chèn hoặc xóa dòng (ô {cell} phải là “{value}”), "
                "nên không đọc được số liệu theo vị trí. Hãy nhập lại vào biểu mẫu gốc và gửi dạng .xlsx")
    template_en = ("Sheet '{sheet}' of {file} has inserted or deleted rows (cell {cell} should read '{value}'); "
                   "its values cannot be read by position. Re-enter them in the original template and send .xlsx")


@dataclass
class NameMissing(Problem):
    code = "name-missing"
    template = "Tệp {file}: không tìm thấy ô được đặt tên '{field}' (có thể đã bị xóa)"
    template_en = "{file}: the named cell '{field}' is missing (deleted?)"


@dataclass
class NameBroken(Problem):
    code = "name-broken"
    template = "Tệp {file}: tên ô '{field}' không còn trỏ tới một ô hợp lệ ({value})"
    template_en = "{file}: the name '{field}' no longer points to a valid cell ({value})"


@dataclass
class TableMissing(Problem):
    code = "table-missing"
    template = "Tệp {file}: không tìm thấy bảng '{field}' trên trang {sheet}"
    template_en = "{file}: table '{field}' not found on sheet {sheet}"


@dataclass
class TableColumnMissing(Problem):
    code = "table-column-missing"
    template = "Tệp {file}: bảng trên trang {sheet} thiếu cột '{value}'"
    template_en = "{file}: the table on sheet {sheet} lacks column '{value}'"


@dataclass
class SheetMissing(Problem):
    code = "sheet-missing"
    template = "Tệp {file}: không có trang '{sheet}'"
    template_en = "{file}: sheet '{sheet}' is missing"
