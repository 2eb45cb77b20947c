"""Reads and forms behind the grid workers' phone pages (the writes are the owning apps' services)."""

import datetime as dt

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.modules import import_optional
from grids.choices import GRID_KINDS
from grids.models import Area


def worker_of(user):
    """The grid worker profile behind a sign-in, if the workers app has one."""
    Worker = getattr(import_optional("workers.models"), "Worker", None)
    if Worker is None:
        return None
    return Worker.objects.filter(user=user).select_related("grid").first()


def my_grids(user):
    return Area.objects.visible_to(user).filter(kind__in=GRID_KINDS, is_active=True).order_by("code")


class ReportForm(forms.Form):
    category = forms.ModelChoiceField(label=_("What happened"), queryset=None, empty_label=_("choose…"))
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )
    grid = forms.ModelChoiceField(label=_("Grid"), queryset=None, required=False, empty_label=_("my grid"))
    address = forms.CharField(label=_("Address or landmark"), required=False, max_length=200)
    latitude = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    photos = forms.FileField(label=_("Photo"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from incidents.models import Category

        self.fields["category"].queryset = (
            Category.objects.filter(is_active=True, parent__isnull=False, parent__is_active=True)
            .select_related("parent")
            .order_by("parent__sort_order", "parent__code", "sort_order", "code")
        )
        grids = my_grids(user)
        self.fields["grid"].queryset = grids
        if grids.count() == 1:
            self.fields["grid"].initial = grids.first()
        self.fields["photos"].widget.attrs.update({"accept": "image/*", "capture": "environment"})


def my_incidents(*, user, now, limit: int = 50) -> dict:
    """Open incidents the worker handles (at their grids), with deadlines, and what they reported lately."""
    from incidents.choices import OPEN_STATUSES, Level
    from incidents.models import Incident

    visible = Incident.objects.visible_to(user).select_related("category", "category__parent", "grid")
    grids = my_grids(user)
    handling = visible.filter(
        status__in=sorted(OPEN_STATUSES), level=Level.GRID, handling_area__in=grids
    ).order_by("deadline")[:limit]
    reported = visible.filter(reporter_user=user, reported_at__gte=now - dt.timedelta(days=30)).order_by(
        "-reported_at"
    )[:limit]
    return {"handling": list(handling), "reported": list(reported)}


def my_tasks(*, worker, today: dt.date, limit: int = 50) -> list:
    """The worker's running task assignments (from the admission list), soonest end first."""
    if worker is None:
        return []
    from workers.models import TaskAssignment

    return list(
        TaskAssignment.objects.filter(worker=worker, status="active")
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .select_related("item", "department")
        .order_by("end_date", "start_date")[:limit]
    )


class DutyLogForm(forms.Form):
    duty = forms.ModelChoiceField(label=_("Duty"), queryset=None, empty_label=_("choose…"))
    occurred_at = forms.DateTimeField(
        label=_("When"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    place = forms.CharField(label=_("Place"), required=False, max_length=200)
    note = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from workers.models import Duty

        self.fields["duty"].queryset = Duty.objects.select_related("role").order_by("number")
        self.fields["occurred_at"].initial = timezone.localtime().replace(second=0, microsecond=0)


def visits_due_for(*, user, today: dt.date, worker=None, limit: int = 100):
    """Special- and care-group visits due or overdue in the user's grids, soonest first (registry's
    `visits_due`); for a grid worker, those they are responsible for."""
    registry = import_optional("registry.selectors")
    if not hasattr(registry, "visits_due"):
        return None
    rows = registry.visits_due(user=user, on=today).select_related("resident", "resident__grid")
    if worker is not None:
        rows = rows.filter(responsible=worker)
    rows = rows[:limit]
    return [
        {
            "subject": str(m.resident),
            "group": m.get_group_type_display(),
            "due_on": m.next_visit_due,
            "overdue": m.visit_status == "overdue",
            "days_overdue": m.days_overdue,
            "grid": str(m.resident.grid) if m.resident.grid_id else "",
        }
        for m in rows
    ]
