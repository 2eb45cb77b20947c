"""Dashboard pages and the grid workers' phone pages: thin views over `dashboards.selectors`."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role

from . import figures, phone, selectors
from .periods import period_from, today


def _period_or_default(request):
    """The period in the query string; a bad one falls back to the default with the errors shown."""
    try:
        return period_from(request.GET), None
    except ValidationError as exc:
        return period_from({}), exc.message_dict


@login_required
def dashboard_home(request):
    user = request.user
    if user.role == Role.GRID_WORKER:
        return redirect("dashboards:phone-home")
    if user.sees_whole_district:
        return redirect("dashboards:district")
    town = selectors.default_town(user=user)
    if town is None:
        raise Http404("no town dashboard for this jurisdiction")
    return redirect("dashboards:town", pk=town.pk)


@login_required
def town_dashboard(request, pk):
    town = selectors.town_get(user=request.user, pk=pk)
    period, errors = _period_or_default(request)
    data = selectors.town_dashboard(
        user=request.user, town=town, period=period, tile_url=settings.MAP_TILE_URL
    )
    context = {
        "town": town,
        "data": data,
        "period": period,
        "period_errors": errors,
        # Only district staff pick among towns; a town user has one.
        "towns": (
            selectors.dashboard_towns(user=request.user).only("id", "name", "code", "is_demo")
            if request.user.sees_whole_district
            else [town]
        ),
        "today": today(),
    }
    return render(request, "dashboards/town.html", context)


INCIDENT_LIST_LIMIT = 200


@login_required
def town_incidents(request, pk):
    """The incidents behind one of the town's figure cards (the same set the card counts)."""
    town = selectors.town_get(user=request.user, pk=pk)
    period, errors = _period_or_default(request)
    key = request.GET.get("set", "reported")
    incidents = (
        selectors.incident_set(user=request.user, town=town, period=period, key=key)
        .select_related("category", "grid")
        .order_by("deadline", "-reported_at")
    )
    context = {
        "town": town,
        "period": period,
        "period_errors": errors,
        "set_key": key,
        "set_label": figures.LIST_LABELS.get(key, key),
        "count": incidents.count(),
        "incidents": incidents[:INCIDENT_LIST_LIMIT],
        "limit": INCIDENT_LIST_LIMIT,
        "today": today(),
    }
    return render(request, "dashboards/town_incidents.html", context)


@login_required
def district_dashboard(request):
    if not request.user.sees_whole_district:
        raise Http404("the district dashboard is for district staff")
    period, errors = _period_or_default(request)
    data = selectors.district_dashboard(user=request.user, period=period, tile_url=settings.MAP_TILE_URL)
    context = {"data": data, "period": period, "period_errors": errors, "today": today()}
    return render(request, "dashboards/district.html", context)


def _phone(request, template, context):
    context.setdefault("worker", phone.worker_of(request.user))
    return render(request, f"dashboards/phone/{template}", context)


@login_required
def phone_home(request):
    return _phone(request, "home.html", {})


@login_required
def phone_report(request):
    """Report an incident from the field: category, description, the phone's position or the grid, a photo."""
    if not request.user.has_perm("incidents.add_incident"):
        raise PermissionDenied
    from incidents.choices import Source
    from incidents.services import incident_report

    form = phone.ReportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident = incident_report(
                source=Source.GRID_WORKER,
                category=data["category"],
                description=data["description"],
                latitude=data["latitude"],
                longitude=data["longitude"],
                address=data["address"],
                grid=data["grid"] or phone.my_grids(request.user).first(),
                reporter_user=request.user,
                photos=request.FILES.getlist("photos"),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                _("Reported as %(code)s. The town sub-centre has been told.") % {"code": incident.code},
            )
            return redirect("dashboards:phone-mine")
    return _phone(request, "report.html", {"form": form})


def _add_errors(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def phone_duty_log(request):
    """Write a duty log (履职记录) for the signed-in worker, and see the latest ones."""
    worker = phone.worker_of(request.user)
    if worker is None:
        raise Http404("no grid worker profile for this sign-in")
    from workers.services import duty_log_create

    form = phone.DutyLogForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            duty_log_create(
                worker=worker,
                duty=data["duty"],
                occurred_at=data["occurred_at"],
                place=data["place"],
                note=data["note"],
                actor=request.user,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Duty log saved."))
            return redirect("dashboards:phone-duty-log")
    recent = worker.duty_logs.select_related("duty", "grid").order_by("-occurred_at")[:10]
    return _phone(request, "duty_log.html", {"form": form, "recent": recent, "worker": worker})


@login_required
def phone_mine(request):
    """My incidents to handle (with deadlines), what I reported, and my tasks from the admission list."""
    now = timezone.now()
    worker = phone.worker_of(request.user)
    context = {"now": now, "worker": worker, "tasks": phone.my_tasks(worker=worker, today=today())}
    if selectors._incident_selectors() is not None:
        context.update(phone.my_incidents(user=request.user, now=now))
    return _phone(request, "mine.html", context)


@login_required
def phone_visits(request):
    """My special-group visits that are due or overdue."""
    worker = phone.worker_of(request.user)
    visits = phone.visits_due_for(user=request.user, today=today(), worker=worker)
    return _phone(
        request, "visits.html", {"visits": visits, "available": visits is not None, "worker": worker}
    )
