"""Problems found while checking a returned file (consolidate.validate).

Messages do not repeat the location: file, sheet, cell and field travel as fields and the
CLI, the summary and the feedback workbook show them beside the message. Every template
may use {label} (the field's label in the template) besides the standard placeholders.
"""

from __future__ import annotations

from dataclasses import dataclass

from consolidate.i18n import N_
from consolidate.problems import ERROR, WARNING, Problem


@dataclass
class ReturnProblem(Problem):
    """Renders without dangling spaces when {note} is empty."""

    def _render(self, template: str) -> str:
        text = super()._render(template)
        return " ".join(text.split()).replace(" .", ".").replace(" ;", ";").rstrip(": ").strip()


# --------------------------------------------------------------------------- _meta


@dataclass
class MetaMissing(ReturnProblem):
    code = "meta-missing"
    template = N_("Tệp không được lập từ biểu mẫu do {collector} gửi (không có trang ẩn _meta). "
                  "Hãy nhập số liệu vào đúng biểu mẫu đã được gửi cho đơn vị rồi gửi lại. {note}")


@dataclass
class MetaWrongReport(ReturnProblem):
    code = "meta-wrong-report"
    template = N_("Tệp là biểu mẫu của báo cáo khác ('{found}'), không phải báo cáo '{expected}'. Hãy gửi đúng biểu mẫu của báo cáo này.")


@dataclass
class MetaOldVersion(ReturnProblem):
    code = "meta-old-version"
    template = N_("Biểu mẫu đã dùng là phiên bản {found}, phiên bản hiện hành là {expected}. "
                  "Hãy chép số liệu sang biểu mẫu mới nhất đã được gửi cho đơn vị rồi gửi lại.")


@dataclass
class MetaWrongPeriod(ReturnProblem):
    code = "meta-wrong-period"
    template = N_("Tệp là báo cáo kỳ '{found}', không phải kỳ '{expected}'. Hãy dùng biểu mẫu của kỳ '{expected}'.")


@dataclass
class MetaUnknownUnit(ReturnProblem):
    code = "meta-unknown-unit"
    template = N_("Mã đơn vị '{value}' không có trong danh sách đơn vị phải báo cáo. Hãy dùng biểu mẫu được gửi riêng cho đơn vị mình.")


@dataclass
class MetaUnitNotExpected(ReturnProblem):
    code = "meta-unit-not-expected"
    severity = WARNING
    template = N_("Đơn vị '{value}' không phải báo cáo kỳ '{period}'; báo cáo vẫn được ghi nhận.")


@dataclass
class MetaFingerprintMismatch(ReturnProblem):
    code = "meta-fingerprint-mismatch"
    template = N_("Cấu trúc biểu mẫu không khớp với biểu mẫu gốc (mã kiểm tra khác). Không thêm, xóa hay đổi tên "
                  "trang, ô của biểu mẫu; hãy chép số liệu sang biểu mẫu gốc rồi gửi lại.")


@dataclass
class LockedCellChanged(ReturnProblem):
    code = "locked-cell-changed"
    template = N_("Ô '{label}' đã bị sửa thành '{value}' (đúng là '{expected}'). Ô này được khóa, không được sửa; "
                  "hãy dùng lại biểu mẫu gốc của đơn vị.")


# --------------------------------------------------------------------------- cells


@dataclass
class CellMissing(ReturnProblem):
    code = "cell-missing"
    template = N_("Không tìm thấy ô '{label}' trong tệp (ô hoặc tên ô đã bị xóa). Hãy dùng lại biểu mẫu gốc.")


@dataclass
class CellErrorValue(ReturnProblem):
    code = "cell-error-value"
    template = N_("Ô '{label}' đang báo lỗi {value}. Hãy sửa công thức hoặc nhập trực tiếp số liệu.")


@dataclass
class FormulaNoValue(ReturnProblem):
    code = "formula-no-value"
    template = N_("Ô '{label}' chứa công thức nhưng tệp không lưu kết quả tính. Hãy mở tệp bằng Excel hoặc "
                  "LibreOffice, lưu lại rồi gửi, hoặc nhập trực tiếp số liệu.")


@dataclass
class ValueRequired(ReturnProblem):
    code = "value-required"
    template = N_("Chưa nhập '{label}'. Đây là nội dung bắt buộc. {note}")


@dataclass
class ValueNotNumber(ReturnProblem):
    code = "value-not-number"
    template = N_("'{label}': giá trị '{value}' không phải là số. Chỉ nhập số, ví dụ 1234 hoặc 12,5. {note}")


@dataclass
class ValueTooLarge(ReturnProblem):
    code = "value-too-large"
    template = N_("'{label}': giá trị '{value}' lớn bất thường, không được cộng vào tổng hợp. {note}")


@dataclass
class ValueNotInteger(ReturnProblem):
    code = "value-not-integer"
    template = N_("'{label}': giá trị '{value}' phải là số nguyên (không có phần thập phân). {note}")


@dataclass
class ValueAmbiguousNumber(ReturnProblem):
    code = "value-ambiguous-number"
    template = "'{label}': {note}"


@dataclass
class NumberUnitRemoved(ReturnProblem):
    code = "number-unit-removed"
    severity = WARNING
    template = N_("'{label}': {note}. Lần sau chỉ nhập số, không kèm đơn vị tính.")


@dataclass
class PercentAsFraction(ReturnProblem):
    code = "value-percent-as-fraction"
    severity = WARNING
    template = N_("'{label}' (tính bằng %): {note}.")


@dataclass
class ValueBelowMinimum(ReturnProblem):
    code = "value-below-minimum"
    template = N_("'{label}': giá trị {value} nhỏ hơn mức tối thiểu {limit}. Hãy kiểm tra lại số liệu.")


@dataclass
class ValueAboveMaximum(ReturnProblem):
    code = "value-above-maximum"
    template = N_("'{label}': giá trị {value} lớn hơn mức tối đa {limit}. Hãy kiểm tra lại số liệu.")


@dataclass
class ValueNotDate(ReturnProblem):
    code = "value-not-date"
    template = N_("'{label}': giá trị '{value}' không phải là ngày. Nhập theo dạng ngày/tháng/năm, ví dụ 05/06/2026. {note}")


@dataclass
class ValueImpossibleDate(ReturnProblem):
    code = "value-impossible-date"
    template = N_("'{label}': {note}. Hãy nhập lại ngày đúng (ngày/tháng/năm).")


@dataclass
class DateTwoDigitYear(ReturnProblem):
    code = "date-two-digit-year"
    severity = WARNING
    template = N_("'{label}': {note}. Hãy nhập năm đủ bốn chữ số.")


@dataclass
class ValueNotInChoices(ReturnProblem):
    code = "value-not-in-choices"
    template = N_("'{label}': giá trị '{value}' không có trong danh sách; {note}.")


@dataclass
class ChoiceApproximate(ReturnProblem):
    code = "choice-approximate"
    severity = WARNING
    template = N_("'{label}': giá trị '{value}' {note}.")


@dataclass
class ValueNotYesNo(ReturnProblem):
    code = "value-not-yes-no"
    template = N_("'{label}': giá trị '{value}' không hợp lệ; chọn 'Có' hoặc 'Không'.")


@dataclass
class TextTooLong(ReturnProblem):
    code = "text-too-long"
    template = N_("'{label}': nội dung dài {length} ký tự, tối đa {limit} ký tự. Hãy rút gọn.")


@dataclass
class TextControlCharacters(ReturnProblem):
    code = "text-control-characters"
    severity = WARNING
    template = N_("'{label}': {note} (thường do dán từ phần mềm khác).")


@dataclass
class ValueInvalid(ReturnProblem):
    """A schema error with no more specific class; should not happen with a derived schema."""

    code = "value-invalid"
    template = N_("'{label}': giá trị '{value}' không hợp lệ ({note}).")


# --------------------------------------------------------------------------- tasks, rules, info


@dataclass
class TaskStatusMissing(ReturnProblem):
    code = "task-status-missing"
    severity = WARNING
    template = N_("Chưa chọn tình trạng thực hiện nhiệm vụ '{task}', nhiệm vụ đơn vị chủ trì hoặc phối hợp. Hãy chọn một tình trạng trong danh sách.")


@dataclass
class RuleFailed(ReturnProblem):
    code = "rule-failed"
    template = N_("{note} ({left_text} = {left_value}, {right_text} = {right_value}). Hãy kiểm tra lại các ô: {cells}.")


@dataclass
class RuleFailedWarning(RuleFailed):
    severity = WARNING


@dataclass
class ProblemsOmitted(ReturnProblem):
    """What the merge keeps of a return with very many errors: the first ones, and this."""

    code = "problems-omitted"
    template = N_("Tệp {file} còn {value} lỗi khác không liệt kê ở đây; hãy sửa các lỗi trên, "
                  "rồi kiểm tra lại cả tệp bằng lệnh validate")


@dataclass
class InfoMissing(ReturnProblem):
    code = "info-missing"
    template = N_("Chưa nhập '{label}' ở trang Thông tin đơn vị. Hãy điền đầy đủ trước khi gửi.")


@dataclass
class InfoDateImplausible(ReturnProblem):
    code = "info-date-implausible"
    severity = WARNING
    template = N_("'{label}' là {value}, {note}. Hãy kiểm tra lại ngày lập báo cáo.")


PARSE_PROBLEMS: dict[str, type[Problem]] = {
    cls.code: cls
    for cls in (
        ValueNotNumber,
        ValueTooLarge,
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
    ProblemsOmitted,
)

__all__ = [cls.__name__ for cls in ALL_PROBLEMS] + ["ERROR", "WARNING", "PARSE_PROBLEMS", "ALL_PROBLEMS"]
