"""Dashboard pages and the grid workers' phone pages: thin views over `dashboards.selectors`."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from accounts.models import Role

from . import selectors
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
        "towns": selectors.dashboard_towns(user=request.user).only("id", "name", "code", "is_demo"),
        "today": today(),
    }
    return render(request, "dashboards/town.html", context)


@login_required
def district_dashboard(request):
    if not request.user.sees_whole_district:
        raise Http404("the district dashboard is for district staff")
    period, errors = _period_or_default(request)
    data = selectors.district_dashboard(user=request.user, period=period, tile_url=settings.MAP_TILE_URL)
    context = {"data": data, "period": period, "period_errors": errors, "today": today()}
    return render(request, "dashboards/district.html", context)


@login_required
def phone_home(request):
    return render(request, "dashboards/phone/home.html", {})


@login_required
def phone_report(request):
    return render(request, "dashboards/phone/report.html", {})


@login_required
def phone_duty_log(request):
    return render(request, "dashboards/phone/duty_log.html", {})


@login_required
def phone_mine(request):
    return render(request, "dashboards/phone/mine.html", {})


@login_required
def phone_visits(request):
    return render(request, "dashboards/phone/visits.html", {})
