from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grids.models import Area

from .models import Duty


class DutyLogForm(forms.Form):
    """The phone page: which duty, where and when; the role follows from the duty."""

    duty = forms.ModelChoiceField(
        label=_("duty"),
        queryset=Duty.objects.select_related("role"),
        widget=forms.RadioSelect,
        empty_label=None,
    )
    grid = forms.ModelChoiceField(label=_("grid"), queryset=Area.objects.none(), required=False)
    occurred_at = forms.DateTimeField(
        label=_("time"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    place = forms.CharField(label=_("place"), max_length=200, required=False)
    note = forms.CharField(label=_("note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, worker, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["duty"].label_from_instance = lambda d: f"{d.name}（{d.role.name}）"
        if worker.grid_id:
            self.fields["grid"].queryset = worker.grid.get_descendants(include_self=True)
            self.fields["grid"].initial = worker.grid_id
        self.fields["occurred_at"].initial = timezone.localtime().replace(second=0, microsecond=0)


class WorkerImportForm(forms.Form):
    file = forms.FileField(label=_("worker list (.xlsx or .csv)"))
