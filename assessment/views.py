"""Pages: schemes and versions (staff), computation progress, results, drill-down, checks, appeals."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core.audit import audit_record
from core.errors import ConflictError
from grids.choices import TOWN_KINDS
from grids.models import Area

from . import selectors, services
from .choices import AppealStatus, RunStatus, SubjectType
from .engine import worker_model
from .exports import result_rows, run_workbook
from .models import Score


def _staff_required(request):
    if not selectors.is_assessment_staff(request.user):
        raise PermissionDenied


def _service(request, func, **kwargs):
    try:
        return func(**kwargs)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    except ConflictError as exc:
        messages.error(request, str(exc.message))
    return None


@login_required
def index(request):
    if not selectors.is_assessment_staff(request.user):
        return redirect("assessment:mine")
    schemes = selectors.scheme_list(user=request.user).prefetch_related("indicators")
    runs = selectors.run_list(user=request.user)[:20]
    return render(request, "assessment/index.html", {"schemes": schemes, "runs": runs})


@login_required
def mine(request):
    results = selectors.my_results(user=request.user)
    return render(request, "assessment/mine.html", {"results": results})


@login_required
def scheme_detail(request, pk):
    _staff_required(request)
    scheme = get_object_or_404(selectors.scheme_list(user=request.user), pk=pk)
    return render(
        request,
        "assessment/scheme_detail.html",
        {
            "scheme": scheme,
            "indicators": scheme.indicators.all(),
            "peer_groups": scheme.peer_groups.all(),
            "grade_bands": scheme.grade_bands.all(),
            "runs": scheme.runs.all(),
            "problems": services.scheme_problems(scheme),
            "can_compute": request.user.has_perm("assessment.compute_run"),
        },
    )


@login_required
@require_POST
def scheme_compute(request, pk):
    _staff_required(request)
    if not request.user.has_perm("assessment.compute_run"):
        raise PermissionDenied
    scheme = get_object_or_404(selectors.scheme_list(user=request.user), pk=pk)
    run = _service(
        request, services.run_start, scheme=scheme, actor=request.user, reason=request.POST.get("reason", "")
    )
    if run is None:
        return redirect("assessment:scheme-detail", pk=pk)
    return redirect("assessment:run-detail", pk=run.pk)


@login_required
@require_POST
def scheme_copy(request, pk):
    _staff_required(request)
    if not request.user.has_perm("assessment.add_scheme"):
        raise PermissionDenied
    scheme = get_object_or_404(selectors.scheme_list(user=request.user), pk=pk)
    year = request.POST.get("year")
    copy = _service(
        request,
        services.scheme_copy,
        scheme=scheme,
        year=int(year) if year and year.isdigit() else None,
        actor=request.user,
    )
    if copy is None:
        return redirect("assessment:scheme-detail", pk=pk)
    messages.success(request, gettext("Copied. Edit the copy before using it."))
    return redirect("assessment:scheme-detail", pk=copy.pk)


def _town_filter(request, run):
    towns = Area.objects.visible_to(request.user).filter(kind__in=TOWN_KINDS).order_by("code")
    town = None
    if request.GET.get("town"):
        town = get_object_or_404(towns, pk=request.GET["town"])
    return towns, town


def _results_for(request, run, town):
    results = selectors.result_list(user=request.user, run=run)
    if town is not None:
        results = results.filter(town=town)
    if request.GET.get("group"):
        results = results.filter(peer_group=request.GET["group"])
    return results.order_by("peer_group", "rank", "subject_code")


@login_required
def run_detail(request, pk):
    _staff_required(request)
    run = get_object_or_404(selectors.run_list(user=request.user), pk=pk)
    towns, town = _town_filter(request, run)
    indicators = list(run.scheme.indicators.all())
    rows = result_rows(_results_for(request, run, town), indicators)
    user = request.user
    return render(
        request,
        "assessment/run_detail.html",
        {
            "run": run,
            "rows": rows,
            "indicators": indicators,
            "towns": towns,
            "town": town,
            "groups": sorted(set(run.results.values_list("peer_group", flat=True))),
            "can_review": user.has_perm("assessment.review_run"),
            "can_publish": user.has_perm("assessment.publish_run"),
            "can_compute": user.has_perm("assessment.compute_run"),
            "pending_appeals": selectors.appeal_list(user=user).filter(
                result__run=run, status=AppealStatus.PENDING
            ),
        },
    )


@login_required
def run_progress(request, pk):
    run = get_object_or_404(selectors.run_list(user=request.user), pk=pk)
    return JsonResponse(
        {
            "status": run.status,
            "status_display": run.get_status_display(),
            "done": run.progress_done,
            "total": run.progress_total,
            "percent": run.progress_percent,
            "note": run.progress_note,
            "finished": not run.is_computing,
        }
    )


TRANSITIONS = {
    "review": ("assessment.review_run", services.run_review),
    "return": ("assessment.review_run", services.run_return_to_draft),
    "publish": ("assessment.publish_run", services.run_publish),
    "freeze": ("assessment.publish_run", services.run_freeze),
}


@login_required
@require_POST
def run_transition(request, pk, action):
    _staff_required(request)
    if action == "recompute":
        run = get_object_or_404(selectors.run_list(user=request.user), pk=pk)
        if not request.user.has_perm("assessment.compute_run"):
            raise PermissionDenied
        new = _service(
            request,
            services.run_start,
            scheme=run.scheme,
            actor=request.user,
            based_on=run,
            reason=request.POST.get("reason", ""),
        )
        return redirect("assessment:run-detail", pk=new.pk if new else pk)
    if action not in TRANSITIONS:
        raise PermissionDenied
    perm, func = TRANSITIONS[action]
    if not request.user.has_perm(perm):
        raise PermissionDenied
    run = get_object_or_404(selectors.run_list(user=request.user), pk=pk)
    if _service(request, func, run=run, actor=request.user) is not None:
        messages.success(request, gettext("Done."))
    return redirect("assessment:run-detail", pk=pk)


@login_required
def run_export(request, pk):
    _staff_required(request)
    run = get_object_or_404(selectors.run_list(user=request.user), pk=pk)
    towns, town = _town_filter(request, run)
    results = _results_for(request, run, town)
    place = town.name if town else gettext("all towns")
    title = f"{run.scheme} — {place}"
    content = run_workbook(run=run, results=results, title=title)
    audit_record(action="export", actor=request.user, obj=run, reason=title, request=request)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    filename = f"assessment-{run.scheme.year}-{run.scheme.subject_type}-v{run.version}"
    if town:
        filename += f"-{town.code}"
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


@login_required
def run_print(request, pk):
    _staff_required(request)
    run = get_object_or_404(selectors.run_list(user=request.user), pk=pk)
    towns, town = _town_filter(request, run)
    indicators = list(run.scheme.indicators.all())
    rows = result_rows(_results_for(request, run, town), indicators)
    return render(
        request,
        "assessment/run_print.html",
        {"run": run, "rows": rows, "indicators": indicators, "town": town, "printed_at": timezone.now()},
    )


class AppealForm(forms.Form):
    reason = forms.CharField(
        label=_("What is wrong with the result"), widget=forms.Textarea(attrs={"rows": 4})
    )


@login_required
def result_detail(request, pk):
    result = get_object_or_404(selectors.result_list(user=request.user), pk=pk)
    scores = result.scores.select_related("indicator").order_by("indicator__order", "indicator_id")
    appeals = result.appeals.all()
    can_appeal = (
        selectors.is_own_result(result, request.user)
        and result.run.status == RunStatus.PUBLISHED
        and (result.run.appeal_deadline is None or timezone.now() <= result.run.appeal_deadline)
        and not appeals.filter(status=AppealStatus.PENDING).exists()
    )
    return render(
        request,
        "assessment/result_detail.html",
        {
            "result": result,
            "scores": scores,
            "appeals": appeals,
            "can_appeal": can_appeal,
            "form": AppealForm(),
        },
    )


@login_required
@require_POST
def result_appeal(request, pk):
    result = get_object_or_404(selectors.result_list(user=request.user), pk=pk)
    form = AppealForm(request.POST)
    if form.is_valid():
        if _service(
            request,
            services.appeal_submit,
            result=result,
            user=request.user,
            reason=form.cleaned_data["reason"],
        ):
            messages.success(request, gettext("Your appeal was submitted."))
    else:
        messages.error(request, gettext("Say what is wrong with the result."))
    return redirect("assessment:result-detail", pk=pk)


@login_required
def score_records(request, pk):
    score = get_object_or_404(
        Score.objects.filter(result__in=selectors.result_list(user=request.user)).select_related(
            "indicator", "result__run__scheme"
        ),
        pk=pk,
    )
    rows = selectors.score_records(score=score, user=request.user)
    return render(request, "assessment/score_records.html", {"score": score, "rows": rows})


class CheckForm(forms.Form):
    subject_type = forms.ChoiceField(label=_("subject type"), choices=SubjectType.choices)
    area = forms.ModelChoiceField(label=_("grid or town"), queryset=Area.objects.none(), required=False)
    worker = forms.ModelChoiceField(label=_("grid worker"), queryset=Area.objects.none(), required=False)
    checked_on = forms.DateField(label=_("date"), widget=forms.DateInput(attrs={"type": "date"}))
    findings = forms.CharField(label=_("findings"), widget=forms.Textarea(attrs={"rows": 3}))
    points = forms.DecimalField(label=_("points"), max_digits=6, decimal_places=2)
    indicator_code = forms.SlugField(label=_("indicator code"), required=False)
    photo = forms.ImageField(label=_("photo"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = (
            Area.objects.visible_to(user).exclude(kind__in=["district"]).order_by("code")
        )


def _worker_for(user, worker_id):
    Worker = worker_model()
    if Worker is None or worker_id is None:
        return None
    qs = Worker.objects.all()
    if hasattr(qs, "visible_to"):
        qs = qs.visible_to(user)
    return qs.filter(pk=worker_id).first()


@login_required
def check_list(request):
    _staff_required(request)
    form = CheckForm(user=request.user)
    if request.method == "POST":
        if not request.user.has_perm("assessment.add_supervisioncheck"):
            raise PermissionDenied
        form = CheckForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            check = _service(
                request,
                services.check_record,
                inspector=request.user,
                subject_type=data["subject_type"],
                area=data["area"],
                worker=data["worker"],
                checked_on=data["checked_on"],
                findings=data["findings"],
                points=data["points"],
                indicator_code=data["indicator_code"] or "",
                photo=data["photo"],
            )
            if check is not None:
                messages.success(request, gettext("Check recorded."))
                return redirect("assessment:check-list")
    checks = selectors.check_list(user=request.user)[:100]
    return render(request, "assessment/checks.html", {"checks": checks, "form": form})


class DecideForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("decision"),
        choices=[("1", _("uphold")), ("0", _("reject"))],
        coerce=lambda v: v == "1",
    )
    reason = forms.CharField(label=_("reason for the decision"), widget=forms.Textarea(attrs={"rows": 3}))
    recompute = forms.BooleanField(label=_("recompute the scheme (new version)"), required=False)


@login_required
def appeal_list(request):
    appeals = selectors.appeal_list(user=request.user)[:200]
    return render(
        request,
        "assessment/appeals.html",
        {
            "appeals": appeals,
            "form": DecideForm(),
            "can_decide": request.user.has_perm("assessment.decide_appeal"),
        },
    )


@login_required
@require_POST
def appeal_decide(request, pk):
    if not request.user.has_perm("assessment.decide_appeal"):
        raise PermissionDenied
    appeal = get_object_or_404(selectors.appeal_list(user=request.user), pk=pk)
    form = DecideForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        if _service(
            request,
            services.appeal_decide,
            appeal=appeal,
            upheld=data["upheld"],
            reason=data["reason"],
            recompute=data["recompute"],
            actor=request.user,
        ):
            messages.success(request, gettext("Appeal decided."))
    else:
        messages.error(request, gettext("A decision needs a reason."))
    return redirect("assessment:appeal-list")
