from django import forms
from django.utils.translation import gettext_lazy as _

from grids.choices import AreaKind
from grids.models import Area

from .choices import SUBTYPES_BY_KIND, EmergencyLevel, EmergencyType, ForceKind, ForceSubtype, TaskKind
from .models import EmergencyPlan, ForceMember


class GridChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        parent = obj.parent
        town = parent.parent if parent is not None else None
        return " · ".join(a.name for a in (town, parent, obj) if a is not None)


class JoinForm(forms.Form):
    """Public self-registration of a social-force member."""

    name = forms.CharField(label=_("name or organisation"), max_length=100)
    subtype = forms.ChoiceField(
        label=_("I join as"),
        choices=[(s, ForceSubtype(s).label) for s in SUBTYPES_BY_KIND[ForceKind.SOCIAL]],
    )
    phone = forms.CharField(label=_("mobile phone"), max_length=20)
    grid = GridChoiceField(
        label=_("my grid"),
        queryset=Area.objects.filter(kind=AreaKind.GRID_L1, is_active=True)
        .select_related("parent__parent")
        .order_by("code"),
    )
    organisation = forms.CharField(label=_("organisation (if any)"), max_length=100, required=False)
    note = forms.CharField(
        label=_("what I can help with"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    # A field people never see: bots fill it in.
    website = forms.CharField(required=False, widget=forms.HiddenInput)


class ActivationForm(forms.Form):
    area = forms.ModelChoiceField(label=_("subtree"), queryset=Area.objects.none())
    emergency_type = forms.ChoiceField(label=_("emergency type"), choices=EmergencyType.choices)
    level = forms.ChoiceField(label=_("level"), choices=EmergencyLevel.choices, initial=EmergencyLevel.IV)
    title = forms.CharField(label=_("title"), max_length=200, required=False)
    plan = forms.ModelChoiceField(label=_("plan"), queryset=EmergencyPlan.objects.none(), required=False)
    is_drill = forms.BooleanField(label=_("this is a drill"), required=False)
    description = forms.CharField(
        label=_("description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = (
            Area.objects.visible_to(user)
            .filter(
                kind__in=[
                    AreaKind.DISTRICT,
                    AreaKind.SUBDISTRICT,
                    AreaKind.TOWN,
                    AreaKind.TOWNSHIP,
                    AreaKind.COMMUNITY,
                    AreaKind.VILLAGE,
                ]
            )
            .order_by("tree_id", "lft")
        )
        self.fields["plan"].queryset = EmergencyPlan.objects.visible_to(user).filter(is_active=True)


class ShiftForm(forms.Form):
    member = forms.ModelChoiceField(label=_("member"), queryset=ForceMember.objects.none())
    starts_at = forms.DateTimeField(
        label=_("starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("ends at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    post = forms.CharField(label=_("post"), max_length=100, required=False)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members


class TaskForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=TaskKind.choices)
    title = forms.CharField(label=_("title"), max_length=200)
    assignee = forms.ModelChoiceField(label=_("assigned to"), queryset=ForceMember.objects.none())

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = members


class CheckInForm(forms.Form):
    note = forms.CharField(label=_("where I am / note"), max_length=200, required=False)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
