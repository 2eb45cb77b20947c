"""Pages: the public 随手拍 page and status page (no login), the worker's phone report page, list and detail."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.audit import client_ip
from core.errors import ConflictError
from core.pii import masked_value

from . import selectors, services
from .choices import Source
from .forms import (
    ActionForm,
    EvaluationForm,
    ListFilterForm,
    PublicReportForm,
    TrackForm,
    WorkerReportForm,
)
from .models import Incident, IncidentPhoto


def _rate(scope: str) -> tuple[int, int]:
    raw = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get(scope, "20/hour")
    count, period = raw.split("/")
    return int(count), {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]


def _throttled(request, scope: str = "public_report") -> bool:
    """A fixed-window counter per client address in the cache (Redis): the same budget as the public API."""
    limit, window = _rate(scope)
    key = f"incidents:throttle:{scope}:{client_ip(request)}:{int(time.time() // window)}"
    cache.add(key, 0, timeout=window)
    try:
        used = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=window)
        used = 1
    return used > limit


def _map_context() -> dict:
    return {
        "map_tile_url": getattr(settings, "MAP_TILE_URL", ""),
        "leaflet": bool(finders.find("vendor/leaflet/leaflet.js")),
    }


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@never_cache
def public_report(request):
    """随手拍: a phone-sized page for anyone; returns a tracking code. The form keeps what was typed."""
    form = PublicReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if _throttled(request):
            form.add_error(None, _("Too many reports from this connection; please try again later."))
            return render(
                request, "incidents/public_report.html", {"form": form, **_map_context()}, status=429
            )
        if form.is_valid():
            data = form.cleaned_data
            try:
                incident = services.incident_report(
                    source=Source.RESIDENT,
                    category=data["category"],
                    description=data["description"],
                    latitude=data["latitude"],
                    longitude=data["longitude"],
                    address=data["address"],
                    reporter_phone=data["reporter_phone"],
                    photos=data["photos"],
                )
            except ValidationError as exc:
                if "grid" in getattr(exc, "message_dict", {}):
                    exc = ValidationError({"latitude": _("This place is outside the district's grids.")})
                _apply_errors(form, exc)
            else:
                request.session["incidents_last_tracking_code"] = incident.tracking_code
                return redirect("incidents:public-done")
    return render(request, "incidents/public_report.html", {"form": form, **_map_context()})


@never_cache
def public_done(request):
    code = request.session.get("incidents_last_tracking_code")
    if not code:
        return redirect("incidents:public-report")
    return render(request, "incidents/public_done.html", {"tracking_code": code})


@never_cache
def track(request):
    form = TrackForm(request.GET or None)
    if form.is_valid():
        return redirect(
            "incidents:public-status", tracking_code=form.cleaned_data["tracking_code"].strip().upper()
        )
    return render(request, "incidents/track.html", {"form": form})


@never_cache
def public_status(request, tracking_code: str):
    """The steps of a report, by tracking code: no names, phones, notes or photos."""
    if _throttled(request, "anon"):
        return render(request, "incidents/track.html", {"form": TrackForm(), "throttled": True}, status=429)
    status = selectors.incident_public_status(tracking_code=tracking_code)
    if status is None:
        raise Http404
    form = EvaluationForm(request.POST or None)
    if request.method == "POST" and status["can_evaluate"] and form.is_valid():
        try:
            services.incident_evaluate(
                incident=status["incident"],
                actor=None,
                satisfaction=form.cleaned_data["satisfaction"],
                note=form.cleaned_data["note"],
            )
        except ConflictError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Thank you for your evaluation."))
        return redirect("incidents:public-status", tracking_code=status["tracking_code"])
    return render(request, "incidents/public_status.html", {"status": status, "form": form})


@login_required
@permission_required("incidents.add_incident", raise_exception=True)
def worker_report(request):
    """A phone-sized report page for grid workers and staff."""
    form = WorkerReportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident = services.incident_report(
                source=Source.GRID_WORKER,
                reporter_user=request.user,
                category=data["category"],
                severity=data["severity"],
                description=data["description"],
                grid=data["grid"],
                latitude=data["latitude"],
                longitude=data["longitude"],
                address=data["address"],
                reporter_name=data["reporter_name"],
                reporter_phone=data["reporter_phone"],
                photos=data["photos"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Reported as %(code)s.") % {"code": incident.code})
            for other in incident.possible_duplicates:
                messages.warning(
                    request,
                    _("Possible duplicate of %(code)s (%(m)s m away).")
                    % {"code": other.code, "m": other.distance_m},
                )
            return redirect("incidents:detail", pk=incident.pk)
    return render(request, "incidents/report.html", {"form": form, **_map_context()})


@login_required
def incident_list(request):
    form = ListFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    if filters.get("todo"):
        qs = selectors.incident_todo(user=request.user)
    else:
        qs = selectors.incident_list(user=request.user)
    qs = (
        qs.filter(
            pk__in=selectors.incident_list(
                user=request.user,
                filters={"status": filters.get("status"), "overdue": filters.get("overdue")},
            ).values("pk")
        )
        if (filters.get("status") or filters.get("overdue"))
        else qs
    )
    if filters.get("q"):
        qs = qs.filter(Q(code__icontains=filters["q"]) | Q(address__icontains=filters["q"]))
    page = Paginator(qs.order_by("-reported_at"), 50).get_page(request.GET.get("page"))
    return render(request, "incidents/list.html", {"page": page, "form": form, "now": timezone.now()})


ACTIONS = {
    "accept": lambda i, u, d: services.incident_accept(
        incident=i, actor=u, note=d["note"], version=d["version"]
    ),
    "reject": lambda i, u, d: services.incident_reject(
        incident=i, actor=u, note=d["note"], version=d["version"]
    ),
    "dispatch": lambda i, u, d: services.incident_dispatch(
        incident=i, actor=u, area=d["area"], department=d["department"], note=d["note"], version=d["version"]
    ),
    "start": lambda i, u, d: services.incident_start(
        incident=i, actor=u, note=d["note"], version=d["version"]
    ),
    "handle": lambda i, u, d: services.incident_handle(
        incident=i, actor=u, result=d["result"] or d["note"], photos=d["photos"], version=d["version"]
    ),
    "verify": lambda i, u, d: services.incident_verify(
        incident=i, actor=u, note=d["note"], version=d["version"]
    ),
    "rework": lambda i, u, d: services.incident_rework(
        incident=i, actor=u, note=d["note"], version=d["version"]
    ),
    "close": lambda i, u, d: services.incident_close(
        incident=i, actor=u, note=d["note"], version=d["version"]
    ),
    "evaluate": lambda i, u, d: services.incident_evaluate(
        incident=i, actor=u, satisfaction=d["satisfaction"], note=d["note"], version=d["version"]
    ),
    "return": lambda i, u, d: services.incident_return(
        incident=i, actor=u, note=d["note"], version=d["version"]
    ),
    "escalate": lambda i, u, d: services.incident_escalate(
        incident=i, actor=u, note=d["note"], version=d["version"]
    ),
    "assign_down": lambda i, u, d: services.incident_assign_down(
        incident=i, actor=u, area=d["area"], note=d["note"], version=d["version"]
    ),
    "supervise": lambda i, u, d: services.incident_supervise(
        incident=i, actor=u, kind=d["kind"], note=d["note"], version=d["version"]
    ),
    "request_extension": lambda i, u, d: services.incident_request_extension(
        incident=i, actor=u, amount=d["amount"] or 0, unit=d["unit"] or "working_days", reason=d["note"]
    ),
}


ACTION_LABELS = {
    "accept": gettext_lazy("accept"),
    "reject": gettext_lazy("reject"),
    "merge": gettext_lazy("merge as a duplicate"),
    "dispatch": gettext_lazy("dispatch"),
    "start": gettext_lazy("start"),
    "handle": gettext_lazy("handled"),
    "verify": gettext_lazy("verify"),
    "rework": gettext_lazy("send back for rework"),
    "close": gettext_lazy("close"),
    "evaluate": gettext_lazy("record satisfaction"),
    "return": gettext_lazy("return to the dispatcher"),
    "escalate": gettext_lazy("escalate"),
    "assign_down": gettext_lazy("assign down"),
    "request_extension": gettext_lazy("request an extension"),
    "supervise": gettext_lazy("supervise"),
}


@login_required
def incident_detail(request, pk):
    incident = get_object_or_404(selectors.incident_list(user=request.user), pk=pk)
    return render(
        request,
        "incidents/detail.html",
        {
            "incident": incident,
            "events": selectors.incident_events(incident=incident),
            "photos": incident.photos.all(),
            "extensions": incident.extensions.filter(status="requested"),
            "reporter_phone": masked_value(incident, "reporter_phone"),
            "reporter_name": masked_value(incident, "reporter_name"),
            "form": ActionForm(user=request.user, incident=incident, initial={"version": incident.version}),
            "actions": [
                (name, ACTION_LABELS[name])
                for name in selectors.incident_available_actions(incident=incident, user=request.user)
            ],
            "can_decide": request.user.has_perm("incidents.dispatch_incident"),
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def incident_act(request, pk, name):
    incident = get_object_or_404(selectors.incident_list(user=request.user), pk=pk)
    if name not in ACTIONS and name not in ("merge", "approve_extension", "refuse_extension"):
        raise Http404
    form = ActionForm(request.POST, request.FILES, user=request.user, incident=incident)
    if not form.is_valid():
        messages.error(request, "; ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("incidents:detail", pk=pk)
    data = form.cleaned_data
    try:
        if name == "merge":
            into = get_object_or_404(selectors.incident_list(user=request.user), code=data["into"].strip())
            services.incident_merge(
                incident=incident, into=into, actor=request.user, note=data["note"], version=data["version"]
            )
        elif name in ("approve_extension", "refuse_extension"):
            extension = get_object_or_404(incident.extensions, pk=request.POST.get("extension"))
            services.incident_decide_extension(
                extension=extension,
                actor=request.user,
                approve=name == "approve_extension",
                note=data["note"],
            )
        else:
            ACTIONS[name](incident, request.user, data)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    except ConflictError as exc:
        messages.error(request, exc.message)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not do this to incidents."))
    else:
        messages.success(request, _("Done."))
    return redirect("incidents:detail", pk=pk)


@login_required
def photo(request, pk):
    """A stored photo, for users who may see its incident (media is never served without scoping)."""
    item = get_object_or_404(
        IncidentPhoto.objects.filter(incident__in=Incident.objects.visible_to(request.user)), pk=pk
    )
    return FileResponse(item.image.open("rb"), content_type="image/jpeg")
