"""Pages: worker list and profile, the phone duty-log page, duty-log lists and monthly summary, the workforce
structure report (page and Excel), the admission list, workload warnings, training, import and export."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from core.pii import can_reveal
from grids.importing import ImportRejected
from grids.models import Area

from . import exporting, selectors, services
from .choices import Employment, WorkerCategory, WorkerStatus
from .forms import DutyLogForm, WorkerImportForm
from .importing import COLUMNS, import_workers, read_rows
from .models import AdmissionItem, TrainingSession, Worker
from .seed import REFERENCE_DATE


def _root(request) -> Area:
    visible = Area.objects.visible_to(request.user)
    area_id = request.GET.get("area")
    if area_id:
        return get_object_or_404(visible, pk=area_id)
    if request.user.jurisdiction_id:
        return get_object_or_404(visible, pk=request.user.jurisdiction_id)
    return get_object_or_404(visible.filter(parent__isnull=True)[:1])


def _date(request, name: str, default: dt.date | None = None) -> dt.date | None:
    raw = request.GET.get(name, "")
    value = parse_date(raw) if len(raw) > 7 else parse_date(f"{raw}-01") if raw else None
    return value or default


def _filters(request) -> dict:
    filters = {k: request.GET.get(k, "") for k in ("q", "employment", "category", "status")}
    if request.GET.get("area"):
        filters["within"] = _root(request)
    return filters


@login_required
def worker_list(request):
    filters = _filters(request)
    page = Paginator(selectors.worker_list(user=request.user, filters=filters), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "workers/worker_list.html",
        {
            "page": page,
            "filters": filters,
            "employment_choices": Employment.choices,
            "category_choices": WorkerCategory.choices,
            "status_choices": WorkerStatus.choices,
            "query": request.GET.urlencode(),
        },
    )


@login_required
def worker_detail(request, pk):
    try:
        worker = selectors.worker_get_visible(user=request.user, pk=pk)
    except Worker.DoesNotExist as exc:
        raise Http404 from exc
    today = timezone.localdate()
    return render(
        request,
        "workers/worker_detail.html",
        {
            "worker": worker,
            "can_reveal": can_reveal(request.user),
            "history": worker.grid_assignments.select_related("grid").order_by("-start"),
            "logs": worker.duty_logs.select_related("duty", "role", "grid")[:20],
            "assignments": worker.task_assignments.select_related(
                "item", "department", "assigned_by", "override"
            )[:20],
            "load": selectors.workload_for(worker=worker, week_start=today),
            "attendances": worker.training_attendances.select_related("session").order_by(
                "-session__held_on"
            )[:20],
            "certificates": worker.certificates.all(),
        },
    )


@login_required
def worker_export(request):
    workers = selectors.worker_list(user=request.user, filters=_filters(request))
    content = exporting.workers_workbook(workers=workers, user=request.user, request=request)
    response = HttpResponse(content, content_type=exporting.XLSX)
    response["Content-Disposition"] = f'attachment; filename="workers-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


@login_required
@permission_required("workers.import_workers", raise_exception=True)
def worker_import(request):
    form = WorkerImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            count = import_workers(read_rows(upload.read(), upload.name), actor=request.user)
        except ImportRejected as exc:
            errors = exc.errors
        else:
            messages.success(request, _("%(n)d grid worker(s) imported.") % {"n": count})
            return redirect("workers:list")
    return render(request, "workers/import.html", {"form": form, "errors": errors, "columns": COLUMNS})


@login_required
def duty_log_phone(request):
    """The grid worker's own phone-sized page: record a piece of work in a few taps."""
    worker = getattr(request.user, "worker", None)
    if worker is None:
        raise Http404(_("Only a grid worker with a profile records duty logs here."))
    form = DutyLogForm(request.POST or None, worker=worker)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.duty_log_create(
                worker=worker,
                duty=data["duty"],
                grid=data.get("grid"),
                occurred_at=data.get("occurred_at"),
                place=data.get("place", ""),
                note=data.get("note", ""),
                actor=request.user,
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Recorded: %(duty)s.") % {"duty": data["duty"].name})
            return redirect("workers:log")
    recent = worker.duty_logs.select_related("duty", "role", "grid")[:10]
    return render(request, "workers/duty_log_phone.html", {"form": form, "worker": worker, "recent": recent})


@login_required
def duty_log_list(request):
    worker = grid = None
    if request.GET.get("worker"):
        worker = get_object_or_404(Worker.objects.visible_to(request.user), pk=request.GET["worker"])
    if request.GET.get("grid"):
        grid = get_object_or_404(Area.objects.visible_to(request.user), pk=request.GET["grid"])
    within = _root(request) if request.GET.get("area") else None
    logs = selectors.duty_log_list(user=request.user, worker=worker, grid=grid, within=within)
    page = Paginator(logs, 50).get_page(request.GET.get("page"))
    return render(request, "workers/duty_log_list.html", {"page": page, "worker": worker, "grid": grid})


@login_required
def duty_log_summary(request):
    root = _root(request)
    month = _date(request, "month", timezone.localdate())
    summary = selectors.duty_log_monthly_summary(root=root, month=month)
    return render(
        request, "workers/duty_log_summary.html", {"summary": summary, "root": root, "month": month}
    )


@login_required
def structure(request):
    root = _root(request)
    on = _date(request, "on", timezone.localdate())
    report = selectors.structure_report(root=root, on=on)
    return render(
        request, "workers/structure.html", {"report": report, "root": root, "reference_date": REFERENCE_DATE}
    )


@login_required
def structure_xlsx(request):
    root = _root(request)
    report = selectors.structure_report(root=root, on=_date(request, "on", timezone.localdate()))
    response = HttpResponse(exporting.structure_workbook(report), content_type=exporting.XLSX)
    response["Content-Disposition"] = f'attachment; filename="workforce-{root.code}-{report.on:%Y%m%d}.xlsx"'
    return response


@login_required
def admission_list(request):
    items = AdmissionItem.objects.visible_to(request.user).select_related("department", "role", "duty")
    status = request.GET.get("status", "")
    if status:
        items = items.filter(status=status)
    return render(
        request,
        "workers/admission_list.html",
        {"items": items, "status": status, "statuses": AdmissionItem._meta.get_field("status").choices},
    )


@login_required
def workload(request):
    """Task-admission and workload warnings: overloaded workers and the departments that assign most."""
    root = _root(request) if request.GET.get("area") else None
    week = selectors.week_start_of(_date(request, "week", timezone.localdate()))
    return render(
        request,
        "workers/workload.html",
        {
            "week": week,
            "previous_week": week - dt.timedelta(days=7),
            "next_week": week + dt.timedelta(days=7),
            "flagged": selectors.flagged_workers(user=request.user, week_start=week, root=root),
            "departments": selectors.top_assigning_departments(user=request.user, root=root),
        },
    )


@login_required
def training_list(request):
    sessions = TrainingSession.objects.visible_to(request.user).select_related("area")
    return render(request, "workers/training_list.html", {"sessions": sessions[:200]})
