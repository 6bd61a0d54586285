"""The `_meta` sheet and the locked unit-information cells of a return: which report,
template version, period and unit the file claims to be, checked against the definition."""

from __future__ import annotations

from consolidate.definition.layout import META_SHEET, layout_for
from consolidate.i18n import Text
from consolidate.validation import values as V
from consolidate.validation.plans import clean_text, period_ids, version_number
from consolidate.validation.problems import (
    InfoMissing,
    LockedCellChanged,
    MetaFingerprintMismatch,
    MetaMissing,
    MetaOldVersion,
    MetaUnitNotExpected,
    MetaUnknownUnit,
    MetaWrongPeriod,
    MetaWrongReport,
)

# Keys of the very hidden `_meta` sheet (written by the template writer, read by the reader).
META_REPORT_ID = "report_id"
META_VERSION = "definition_version"
META_PERIOD = "period"
META_UNIT_CODE = "unit_code"
META_FINGERPRINT = "fingerprint"
META_KEYS = (META_REPORT_ID, META_VERSION, META_PERIOD, META_UNIT_CODE, META_FINGERPRINT)



class MetaChecks:
    """The `_meta` and locked-cell checks of the return checker (mixed into it: they use its
    `add`, `add_at`, `_slot` and its `out`)."""

    def check_meta(self) -> bool:
        """Return False when the content must not be checked (other report or version)."""
        d = self.definition
        meta = {str(k).strip(): clean_text(V._as_text(v)) for k, v in self.raw.meta.items() if v is not None}
        info_code = self._cell_text("unit_code")
        if not meta:
            self.add(MetaMissing, sheet=META_SHEET, collector=d.collector.name)
            self.out.unit_code = info_code or ""
            self.out.period = self.period or ""
            self._check_unit_code(info_code, from_meta=False)
            return True
        self.out.report_id = meta.get(META_REPORT_ID, "")
        meta_code = meta.get(META_UNIT_CODE, "")
        self.generic = not meta_code  # the blank template: the unit picks its code on the info sheet
        self.out.unit_code = meta_code or info_code or ""
        self.out.period = meta.get(META_PERIOD, "")
        go_on = True
        if self.out.report_id != d.id:
            self.add(
                MetaWrongReport, sheet=META_SHEET, field_id=META_REPORT_ID, value=self.out.report_id,
                found=self.out.report_id or "?", expected=d.id,
            )
            self.out.foreign_reason = Text("báo cáo khác: {report}", report=self.out.report_id or Text("(không rõ)"))
            return False
        version_text = meta.get(META_VERSION, "")
        version = version_number(version_text) if version_text else None
        if version != d.version:
            self.add(
                MetaOldVersion, sheet=META_SHEET, field_id=META_VERSION, value=version_text,
                found=version_text or "?", expected=d.version,
                note=Text("mới hơn") if isinstance(version, int) and version > d.version else Text("cũ hơn"),
            )
            go_on = False
        known = [p.id for p in d.periods]
        labels = {p.id: p.label for p in d.periods}
        found_period = self.out.period
        if self.period is not None and found_period != self.period:
            # people know periods by their label ("Quý I/2026"), not by the id
            self.add(
                MetaWrongPeriod, sheet=META_SHEET, field_id=META_PERIOD, value=found_period,
                found=labels.get(found_period, found_period or "?"), expected=labels.get(self.period, self.period),
            )
            self.out.foreign_reason = self.out.foreign_reason or Text(
                "báo cáo của kỳ khác: {period}", period=labels.get(found_period, found_period or Text("(không rõ)")))
        elif found_period not in known:
            self.add(
                MetaWrongPeriod, sheet=META_SHEET, field_id=META_PERIOD, value=found_period,
                found=found_period or "?", expected=", ".join(known),
            )
        self._check_unit_code(info_code, from_meta=not self.generic)
        if go_on:
            expected_fp = layout_for(d).fingerprint
            found_fp = meta.get(META_FINGERPRINT, "")
            if found_fp != expected_fp:
                self.add(
                    MetaFingerprintMismatch, sheet=META_SHEET, field_id=META_FINGERPRINT, value=found_fp,
                    found=found_fp, expected=expected_fp,
                )
        if not self.generic and info_code is not None and info_code != self.out.unit_code:
            slot = self._slot("unit_code")
            self.add_at(LockedCellChanged, slot, expected=self.out.unit_code)
        return go_on

    def _check_unit_code(self, info_code: str | None, *, from_meta: bool) -> None:
        code = self.out.unit_code
        if not code:
            if info_code is not None:
                self.add_at(InfoMissing, self._slot("unit_code"))
            return
        self.unit = self.definition.unit(code)
        if self.unit is None:
            if from_meta:
                self.add(MetaUnknownUnit, sheet=META_SHEET, field_id=META_UNIT_CODE, value=code)
            else:
                self.add_at(MetaUnknownUnit, self._slot("unit_code"), value=code)
            self.out.foreign_reason = self.out.foreign_reason or Text(
                "đơn vị không có trong danh sách: {code}", code=code or Text("(trống)"))
            return
        period = self.period or self.out.period
        if period and period in period_ids(self.definition) and not self.unit.owes(period):
            self.add(MetaUnitNotExpected, sheet=META_SHEET, field_id=META_UNIT_CODE, value=code, period=period)

    def _cell_text(self, name: str) -> str | None:
        """Text of a locked information cell; None when the reader did not find it."""
        cell = self.raw.cells.get(name)
        if cell is None:
            return None
        if cell.error or cell.formula_without_value:
            return ""
        return clean_text(V._as_text(cell.value)) if cell.value is not None else ""

    def check_locked(self) -> None:
        d = self.definition
        expected = {}
        if self.unit is not None and not self.generic:
            expected["unit_name"] = self.unit.name
        period_id = self.out.period or self.period
        if period_id in period_ids(d):
            expected["period_label"] = d.period(period_id).label
        for name, want in expected.items():
            found = self._cell_text(name)
            if want is None or found is None:
                continue
            if clean_text(found) != clean_text(want):
                self.add_at(LockedCellChanged, self._slot(name), expected=want)
