"""Excel export of a result version: one workbook per town, rankings with every indicator's score."""

from __future__ import annotations

from io import BytesIO

from django.utils.translation import gettext, pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .models import AssessmentRun, Score


def result_rows(results, indicators):
    """(result, [score per indicator in order]) with the scores fetched in one query."""
    results = list(results)
    scores: dict[tuple[int, int], Score] = {
        (s.result_id, s.indicator_id): s
        for s in Score.objects.filter(result__in=[r.pk for r in results]).only(
            "result_id", "indicator_id", "normalised", "weighted", "value"
        )
    }
    return [(r, [scores.get((r.pk, ind.pk)) for ind in indicators]) for r in results]


def run_workbook(*, run: AssessmentRun, results, title: str) -> bytes:
    indicators = list(run.scheme.indicators.all())
    wb = Workbook()
    ws = wb.active
    ws.title = gettext("Rankings")[:31]
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(
        [
            gettext("Version %(v)s, %(status)s") % {"v": run.version, "status": run.get_status_display()},
        ]
    )
    header = [
        pgettext("export column", "Peer group"),
        pgettext("export column", "Rank"),
        pgettext("export column", "Code"),
        pgettext("export column", "Name"),
        pgettext("export column", "Town"),
    ]
    header += [f"{ind.name} ({format(ind.weight.normalize(), 'f')})" for ind in indicators]
    header += [pgettext("export column", "Total score"), pgettext("export column", "Grade")]
    ws.append(header)
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for result, scores in result_rows(results, indicators):
        ws.append(
            [
                result.peer_group,
                result.rank,
                result.subject_code,
                result.subject_name,
                result.town.name if result.town else "",
                *[float(s.normalised) if s is not None else None for s in scores],
                float(result.total),
                result.get_grade_display(),
            ]
        )
    ws.freeze_panes = "A4"
    for idx in range(1, len(header) + 1):
        ws.column_dimensions[get_column_letter(idx)].width = 14 if idx > 5 else 12
    ws.column_dimensions["D"].width = 24
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
