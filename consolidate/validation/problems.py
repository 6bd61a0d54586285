"""Problems found while checking a returned file (consolidate.validate).

Messages do not repeat the location: file, sheet, cell and field travel as fields and the
CLI, the summary and the feedback workbook show them beside the message. Every template
may use {label} (the field's label in the template) besides the standard placeholders.
"""

from __future__ import annotations

from dataclasses import dataclass

from consolidate.problems import ERROR, WARNING, Problem


@dataclass
class ReturnProblem(Problem):
    """Renders without dangling spaces when {note} is empty; English text uses `note_en`."""

    @property
    def message_en(self) -> str:
        saved = self.note
        self.note = self.params.get("note_en", saved)
        try:
            return self._render(self.template_en)
        finally:
            self.note = saved

    def _render(self, template: str) -> str:
        text = super()._render(template)
        return " ".join(text.split()).replace(" .", ".").replace(" ;", ";").rstrip(": ").strip()


# --------------------------------------------------------------------------- _meta


@dataclass
class MetaMissing(ReturnProblem):
    code = "meta-missing"
    template = (
        "Tệp không được lập từ biểu mẫu do {collector} gửi (không có trang ẩn _meta). "
        "Hãy nhập số liệu vào đúng biểu mẫu đã được gửi cho đơn vị rồi gửi lại. {note}"
    )
    template_en = "The file was not made from the template (no hidden _meta sheet). Fill in the template sent to the unit and send it again. {note}"


@dataclass
class MetaWrongReport(ReturnProblem):
    code = "meta-wrong-report"
    template = "Tệp là biểu mẫu của báo cáo khác ('{found}'), không phải báo cáo '{expected}'. Hãy gửi đúng biểu mẫu của báo cáo này."
    template_en = "The file is a template of another report ('{found}'), not of '{expected}'. Send the template of this report."


@dataclass
class MetaOldVersion(ReturnProblem):
    code = "meta-old-version"
    template = (
        "Biểu mẫu đã dùng là phiên bản {found}, phiên bản hiện hành là {expected}. "
        "Hãy chép số liệu sang biểu mẫu mới nhất đã được gửi cho đơn vị rồi gửi lại."
    )
    template_en = "The template used is version {found}; the current one is {expected}. Copy the data into the newest template and send it again."


@dataclass
class MetaWrongPeriod(ReturnProblem):
    code = "meta-wrong-period"
    template = "Tệp là báo cáo kỳ '{found}', không phải kỳ '{expected}'. Hãy dùng biểu mẫu của kỳ '{expected}'."
    template_en = "The file reports period '{found}', not '{expected}'. Use the template of period '{expected}'."


@dataclass
class MetaUnknownUnit(ReturnProblem):
    code = "meta-unknown-unit"
    template = "Mã đơn vị '{value}' không có trong danh sách đơn vị phải báo cáo. Hãy dùng biểu mẫu được gửi riêng cho đơn vị mình."
    template_en = "Unit code '{value}' is not in the list of reporting units. Use the template sent to your own unit."


@dataclass
class MetaUnitNotExpected(ReturnProblem):
    code = "meta-unit-not-expected"
    severity = WARNING
    template = "Đơn vị '{value}' không phải báo cáo kỳ '{period}'; báo cáo vẫn được ghi nhận."
    template_en = "Unit '{value}' does not owe a report for period '{period}'; the return is kept anyway."


@dataclass
class MetaFingerprintMismatch(ReturnProblem):
    code = "meta-fingerprint-mismatch"
    template = (
        "Cấu trúc biểu mẫu không khớp với biểu mẫu gốc (mã kiểm tra khác). Không thêm, xóa hay đổi tên "
        "trang, ô của biểu mẫu; hãy chép số liệu sang biểu mẫu gốc rồi gửi lại."
    )
    template_en = "The template's structure does not match the original (fingerprint differs). Do not add, delete or rename sheets or cells; copy the data into the original template."


@dataclass
class LockedCellChanged(ReturnProblem):
    code = "locked-cell-changed"
    template = (
        "Ô '{label}' đã bị sửa thành '{value}' (đúng là '{expected}'). Ô này được khóa, không được sửa; "
        "hãy dùng lại biểu mẫu gốc của đơn vị."
    )
    template_en = "Locked cell '{label}' was changed to '{value}' (expected '{expected}'). Do not edit it; use the unit's original template."


# --------------------------------------------------------------------------- cells


@dataclass
class CellMissing(ReturnProblem):
    code = "cell-missing"
    template = "Không tìm thấy ô '{label}' trong tệp (ô hoặc tên ô đã bị xóa). Hãy dùng lại biểu mẫu gốc."
    template_en = "Cell '{label}' was not found in the file (the cell or its name was deleted). Use the original template."


@dataclass
class CellErrorValue(ReturnProblem):
    code = "cell-error-value"
    template = "Ô '{label}' đang báo lỗi {value}. Hãy sửa công thức hoặc nhập trực tiếp số liệu."
    template_en = "Cell '{label}' shows the error {value}. Fix the formula or type the value directly."


@dataclass
class FormulaNoValue(ReturnProblem):
    code = "formula-no-value"
    template = (
        "Ô '{label}' chứa công thức nhưng tệp không lưu kết quả tính. Hãy mở tệp bằng Excel hoặc "
        "LibreOffice, lưu lại rồi gửi, hoặc nhập trực tiếp số liệu."
    )
    template_en = "Cell '{label}' holds a formula whose result was not saved. Open and save the file in Excel or LibreOffice, or type the value directly."


@dataclass
class ValueRequired(ReturnProblem):
    code = "value-required"
    template = "Chưa nhập '{label}'. Đây là nội dung bắt buộc. {note}"
    template_en = "'{label}' is empty. It is required. {note}"


@dataclass
class ValueNotNumber(ReturnProblem):
    code = "value-not-number"
    template = "'{label}': giá trị '{value}' không phải là số. Chỉ nhập số, ví dụ 1234 hoặc 12,5. {note}"
    template_en = "'{label}': '{value}' is not a number. Type digits only, e.g. 1234 or 12,5. {note}"


@dataclass
class ValueNotInteger(ReturnProblem):
    code = "value-not-integer"
    template = "'{label}': giá trị '{value}' phải là số nguyên (không có phần thập phân). {note}"
    template_en = "'{label}': '{value}' must be a whole number. {note}"


@dataclass
class ValueAmbiguousNumber(ReturnProblem):
    code = "value-ambiguous-number"
    template = "'{label}': {note}"
    template_en = "'{label}': {note}"


@dataclass
class NumberUnitRemoved(ReturnProblem):
    code = "number-unit-removed"
    severity = WARNING
    template = "'{label}': {note}. Lần sau chỉ nhập số, không kèm đơn vị tính."
    template_en = "'{label}': {note}. Type the number only, without the unit."


@dataclass
class PercentAsFraction(ReturnProblem):
    code = "value-percent-as-fraction"
    severity = WARNING
    template = "'{label}' (tính bằng %): {note}."
    template_en = "'{label}' (in %): {note}."


@dataclass
class ValueBelowMinimum(ReturnProblem):
    code = "value-below-minimum"
    template = "'{label}': giá trị {value} nhỏ hơn mức tối thiểu {limit}. Hãy kiểm tra lại số liệu."
    template_en = "'{label}': {value} is below the minimum {limit}. Check the figure."


@dataclass
class ValueAboveMaximum(ReturnProblem):
    code = "value-above-maximum"
    template = "'{label}': giá trị {value} lớn hơn mức tối đa {limit}. Hãy kiểm tra lại số liệu."
    template_en = "'{label}': {value} is above the maximum {limit}. Check the figure."


@dataclass
class ValueNotDate(ReturnProblem):
    code = "value-not-date"
    template = "'{label}': giá trị '{value}' không phải là ngày. Nhập theo dạng ngày/tháng/năm, ví dụ 05/06/2026. {note}"
    template_en = "'{label}': '{value}' is not a date. Type day/month/year, e.g. 05/06/2026. {note}"


@dataclass
class ValueImpossibleDate(ReturnProblem):
    code = "value-impossible-date"
    template = "'{label}': {note}. Hãy nhập lại ngày đúng (ngày/tháng/năm)."
    template_en = "'{label}': {note}. Type a real date (day/month/year)."


@dataclass
class DateTwoDigitYear(ReturnProblem):
    code = "date-two-digit-year"
    severity = WARNING
    template = "'{label}': {note}. Hãy nhập năm đủ bốn chữ số."
    template_en = "'{label}': {note}. Type the year with four digits."


@dataclass
class ValueNotInChoices(ReturnProblem):
    code = "value-not-in-choices"
    template = "'{label}': giá trị '{value}' không có trong danh sách; {note}."
    template_en = "'{label}': '{value}' is not in the list; {note}."


@dataclass
class ChoiceApproximate(ReturnProblem):
    code = "choice-approximate"
    severity = WARNING
    template = "'{label}': giá trị '{value}' {note}."
    template_en = "'{label}': '{value}' {note}."


@dataclass
class ValueNotYesNo(ReturnProblem):
    code = "value-not-yes-no"
    template = "'{label}': giá trị '{value}' không hợp lệ; chọn 'Có' hoặc 'Không'."
    template_en = "'{label}': '{value}' is not valid; pick 'Có' (yes) or 'Không' (no)."


@dataclass
class TextTooLong(ReturnProblem):
    code = "text-too-long"
    template = "'{label}': nội dung dài {length} ký tự, tối đa {limit} ký tự. Hãy rút gọn."
    template_en = "'{label}': the text is {length} characters long, at most {limit} allowed. Shorten it."


@dataclass
class TextControlCharacters(ReturnProblem):
    code = "text-control-characters"
    severity = WARNING
    template = "'{label}': {note} (thường do dán từ phần mềm khác)."
    template_en = "'{label}': {note} (usually pasted from another program)."


@dataclass
class ValueInvalid(ReturnProblem):
    """A schema error with no more specific class; should not happen with a derived schema."""

    code = "value-invalid"
    template = "'{label}': giá trị '{value}' không hợp lệ ({note})."
    template_en = "'{label}': '{value}' is not valid ({note})."


# --------------------------------------------------------------------------- tasks, rules, info


@dataclass
class TaskStatusMissing(ReturnProblem):
    code = "task-status-missing"
    severity = WARNING
    template = "Chưa chọn tình trạng thực hiện nhiệm vụ '{task}', nhiệm vụ đơn vị chủ trì hoặc phối hợp. Hãy chọn một tình trạng trong danh sách."
    template_en = "No status for task '{task}', which the unit leads or supports. Pick a status from the list."


@dataclass
class RuleFailed(ReturnProblem):
    code = "rule-failed"
    template = "{note} ({left_text} = {left_value}, {right_text} = {right_value}). Hãy kiểm tra lại các ô: {cells}."
    template_en = "{note} ({left_text} = {left_value}, {right_text} = {right_value}). Check cells: {cells}."


@dataclass
class RuleFailedWarning(RuleFailed):
    severity = WARNING


@dataclass
class InfoMissing(ReturnProblem):
    code = "info-missing"
    template = "Chưa nhập '{label}' ở trang Thông tin đơn vị. Hãy điền đầy đủ trước khi gửi."
    template_en = "'{label}' on the unit information sheet is empty. Fill it in before sending."


@dataclass
class InfoDateImplausible(ReturnProblem):
    code = "info-date-implausible"
    severity = WARNING
    template = "'{label}' là {value}, {note}. Hãy kiểm tra lại ngày lập báo cáo."
    template_en = "'{label}' is {value}, {note}. Check the report date."


PARSE_PROBLEMS: dict[str, type[Problem]] = {
    cls.code: cls
    for cls in (
        ValueNotNumber,
        ValueNotInteger,
        ValueAmbiguousNumber,
        NumberUnitRemoved,
        PercentAsFraction,
        ValueNotDate,
        ValueImpossibleDate,
        DateTwoDigitYear,
        ValueNotInChoices,
        ChoiceApproximate,
        ValueNotYesNo,
        TextControlCharacters,
    )
}

ALL_PROBLEMS: tuple[type[Problem], ...] = (
    MetaMissing,
    MetaWrongReport,
    MetaOldVersion,
    MetaWrongPeriod,
    MetaUnknownUnit,
    MetaUnitNotExpected,
    MetaFingerprintMismatch,
    LockedCellChanged,
    CellMissing,
    CellErrorValue,
    FormulaNoValue,
    ValueRequired,
    *PARSE_PROBLEMS.values(),
    ValueBelowMinimum,
    ValueAboveMaximum,
    TextTooLong,
    ValueInvalid,
    TaskStatusMissing,
    RuleFailed,
    RuleFailedWarning,
    InfoMissing,
    InfoDateImplausible,
)

__all__ = [cls.__name__ for cls in ALL_PROBLEMS] + ["ERROR", "WARNING", "PARSE_PROBLEMS", "ALL_PROBLEMS"]
