from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Department
from grids.models import Area

from .choices import LimitUnit, Satisfaction, Severity, Status, Supervision
from .models import Category


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleImageField, self).clean(f, initial) for f in files]


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.parent.name} · {obj.name}" if obj.parent_id else obj.name


def leaf_categories():
    return (
        Category.objects.filter(is_active=True, parent__isnull=False)
        .select_related("parent")
        .order_by("code")
    )


class PublicReportForm(forms.Form):
    category = CategoryChoiceField(label=_("What is it about?"), queryset=leaf_categories())
    description = forms.CharField(
        label=_("What did you see?"), widget=forms.Textarea(attrs={"rows": 4}), min_length=5, max_length=2000
    )
    latitude = forms.FloatField(label=_("latitude"), min_value=-90, max_value=90)
    longitude = forms.FloatField(label=_("longitude"), min_value=-180, max_value=180)
    address = forms.CharField(label=_("address or landmark"), required=False, max_length=200)
    reporter_phone = forms.CharField(
        label=_("your phone (optional, for updates)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    photos = MultipleImageField(label=_("photos"))

    error_messages = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["latitude"].error_messages["required"] = _(
            "Give the place: use your position or pick it on the map."
        )
        self.fields["longitude"].error_messages["required"] = _(
            "Give the place: use your position or pick it on the map."
        )


class WorkerReportForm(forms.Form):
    category = CategoryChoiceField(label=_("category"), queryset=leaf_categories())
    severity = forms.ChoiceField(label=_("severity"), choices=Severity.choices, initial=Severity.GENERAL)
    description = forms.CharField(
        label=_("description"), widget=forms.Textarea(attrs={"rows": 4}), min_length=5
    )
    grid = forms.ModelChoiceField(label=_("grid"), queryset=Area.objects.none(), required=False)
    latitude = forms.FloatField(label=_("latitude"), required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(label=_("longitude"), required=False, min_value=-180, max_value=180)
    address = forms.CharField(label=_("address"), required=False, max_length=200)
    reporter_name = forms.CharField(
        label=_("reporter's name (if reported to you)"), required=False, max_length=50
    )
    reporter_phone = forms.CharField(label=_("reporter's phone"), required=False, max_length=20)
    photos = MultipleImageField(label=_("photos"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = Area.objects.visible_to(user).grids().active().order_by("code")


class ActionForm(forms.Form):
    """One form for every transition on the detail page; each action reads the fields it needs."""

    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    result = forms.CharField(
        label=_("handling result"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    area = forms.ModelChoiceField(label=_("grid or town"), queryset=Area.objects.none(), required=False)
    department = forms.ModelChoiceField(
        label=_("department"), queryset=Department.objects.filter(is_active=True), required=False
    )
    into = forms.CharField(label=_("code of the incident it duplicates"), required=False)
    satisfaction = forms.ChoiceField(label=_("satisfaction"), choices=Satisfaction.choices, required=False)
    kind = forms.ChoiceField(label=_("supervision"), choices=Supervision.choices, required=False)
    amount = forms.DecimalField(
        label=_("extra time"), required=False, min_value=0, max_digits=6, decimal_places=2
    )
    unit = forms.ChoiceField(
        label=_("unit"), choices=LimitUnit.choices, initial=LimitUnit.WORKING_DAYS, required=False
    )
    photos = MultipleImageField(label=_("photos"))

    def __init__(self, *args, user, incident=None, **kwargs):
        super().__init__(*args, **kwargs)
        areas = Area.objects.visible_to(user).filter(
            kind__in=["grid_l1", "grid_l2", "grid_l3", "town", "subdistrict", "township"], is_active=True
        )
        if incident is not None and incident.town_id:
            town = incident.town
            areas = areas.filter(tree_id=town.tree_id, lft__gte=town.lft, rght__lte=town.rght)
        self.fields["area"].queryset = areas.order_by("code")


class EvaluationForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("Are you satisfied with how it was handled?"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("comment (optional)"), required=False, max_length=500)


class TrackForm(forms.Form):
    tracking_code = forms.CharField(label=_("tracking code"), max_length=12)


class ListFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), choices=[("", "—"), *Status.choices], required=False)
    overdue = forms.BooleanField(label=_("overdue only"), required=False)
    todo = forms.BooleanField(label=_("waiting for me"), required=False)
    q = forms.CharField(label=_("code or address"), required=False)
