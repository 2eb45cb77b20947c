"""Excel downloads: the worker list (masked unless the user may reveal; a full export is audited) and the
workforce structure report."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from core.audit import audit_record
from core.models import AuditLog
from core.pii import can_reveal, mask

from .models import Worker
from .selectors import StructureReport

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def workers_workbook(*, workers, user, request=None) -> bytes:
    """One row per worker; ID and phone numbers in full only for a user with the reveal permission, and such
    an export is recorded in the audit log."""
    full = can_reveal(user)
    wb = Workbook()
    ws = wb.active
    ws.title = _("grid workers")
    labels = [
        Worker._meta.get_field(f).verbose_name
        for f in (
            "name",
            "gender",
            "birth_date",
            "political_status",
            "education",
            "phone",
            "id_number",
            "employment",
            "category",
            "grid",
            "hire_date",
            "certificate_level",
            "status",
        )
    ]
    ws.append(
        [str(label) for label in labels[:10]] + [_("grid code")] + [str(label) for label in labels[10:]]
    )
    for cell in ws[1]:
        cell.font = Font(bold=True)
    count = 0
    for w in workers.select_related("grid"):
        ws.append(
            [
                w.name,
                str(w.get_gender_display()),
                w.birth_date,
                str(w.get_political_status_display()),
                str(w.get_education_display()),
                w.phone if full else mask(w.phone, "phone"),
                w.id_number if full else mask(w.id_number, "id"),
                str(w.get_employment_display()),
                str(w.get_category_display()),
                w.grid.name if w.grid else "",
                w.grid.code if w.grid else "",
                w.hire_date,
                str(w.get_certificate_level_display()),
                str(w.get_status_display()),
            ]
        )
        count += 1
    if full:
        audit_record(
            action=AuditLog.Action.EXPORT,
            actor=user,
            field="id_number,phone",
            reason=_("Excel export of %(n)d grid workers with full ID and phone numbers") % {"n": count},
            request=request,
        )
    return _bytes(wb)


def structure_workbook(report: StructureReport) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("workforce structure")
    ws.append([_("Workforce structure of %(area)s") % {"area": report.root.name}])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([_("Ages counted on"), report.on, _("Workers in post"), report.total])
    for dimension in report.dimensions:
        ws.append([])
        ws.append([str(dimension.label), _("count"), _("percent (%)")])
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
        for row in dimension.rows:
            ws.append([str(row.label), row.count, float(row.percent)])
            ws.cell(row=ws.max_row, column=3).number_format = "0.00"
    ws.column_dimensions["A"].width = 32
    return _bytes(wb)
