"""Pages: a grid's forces, activations, the phone page to acknowledge and check in, public registration."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.audit import client_ip
from core.errors import ConflictError
from grids.models import Area

from . import conf, selectors, services
from .forms import ActivationForm, CheckInForm, JoinForm, ShiftForm, TaskForm
from .models import ActivationTask, ForceMember, Mobilisation


def _back(request, default: str):
    """Go back to the page the form came from, never to another site."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


def _run(request, func, **kwargs):
    """Call a service; refusals become messages (None returned)."""
    try:
        return func(**kwargs)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except ConflictError as exc:
        messages.warning(request, str(exc.message))
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not do this."))
    return None


@login_required
def grid_forces(request, pk):
    area = get_object_or_404(Area.objects.visible_to(request.user), pk=pk)
    forces = selectors.grid_forces(user=request.user, area=area)
    children = area.get_children().only("id", "name", "kind", "is_demo")
    return render(
        request,
        "forces/grid_forces.html",
        {"forces": forces, "area": area, "path": area.get_ancestors(), "children": children},
    )


@login_required
def activation_list(request):
    can_open = request.user.has_perm("forces.add_activation")
    form = ActivationForm(request.POST or None, user=request.user) if can_open else None
    if request.method == "POST":
        if not can_open:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            activation = _run(
                request,
                services.activation_open,
                actor=request.user,
                area=data["area"],
                emergency_type=data["emergency_type"],
                level=data["level"],
                title=data["title"],
                plan=data["plan"],
                is_drill=data["is_drill"],
                description=data["description"],
            )
            if activation is not None:
                messages.success(
                    request,
                    _("Activated: %(n)d emergency member(s) called up.")
                    % {"n": activation.mobilisations.count()},
                )
                return redirect("forces:activation-detail", activation.pk)
    activations = selectors.activation_list(user=request.user)[:100]
    return render(request, "forces/activation_list.html", {"activations": activations, "form": form})


@login_required
def activation_detail(request, pk):
    activation = get_object_or_404(selectors.activation_list(user=request.user), pk=pk)
    mobilisations = selectors.mobilisations_for(user=request.user, activation=activation)
    members = (
        ForceMember.objects.visible_to(request.user)
        .active()
        .attached_within(activation.area)
        .order_by("kind", "name")
    )
    context = {
        "activation": activation,
        "mobilisations": mobilisations[:500],
        "figures": selectors.figures_for(activation),
        "shifts": activation.shifts.filter(member__in=members).select_related("member"),
        "tasks": activation.tasks.filter(area__in=Area.objects.visible_to(request.user)).select_related(
            "assignee", "area"
        ),
        "is_open": activation.status == "open",
    }
    if context["is_open"] and request.user.has_perm("forces.add_dutyshift"):
        context["shift_form"] = ShiftForm(members=members)
    if context["is_open"] and request.user.has_perm("forces.add_activationtask"):
        context["task_form"] = TaskForm(members=members)
    return render(request, "forces/activation_detail.html", context)


@login_required
@require_POST
def activation_end(request, pk):
    activation = get_object_or_404(selectors.activation_list(user=request.user), pk=pk)
    if _run(request, services.activation_end, activation=activation, actor=request.user):
        messages.success(request, _("The activation has ended; the after-action figures are frozen."))
    return redirect("forces:activation-detail", pk)


@login_required
@require_POST
@permission_required("forces.add_dutyshift", raise_exception=True)
def shift_add(request, pk):
    activation = get_object_or_404(selectors.activation_list(user=request.user), pk=pk)
    members = ForceMember.objects.visible_to(request.user).active()
    form = ShiftForm(request.POST, members=members)
    if form.is_valid():
        if _run(
            request, services.shift_create, activation=activation, actor=request.user, **form.cleaned_data
        ):
            messages.success(request, _("Shift added to the roster."))
    else:
        messages.error(request, _("Check the shift: %(errors)s") % {"errors": form.errors.as_text()})
    return redirect("forces:activation-detail", pk)


@login_required
@require_POST
@permission_required("forces.add_activationtask", raise_exception=True)
def task_add(request, pk):
    activation = get_object_or_404(selectors.activation_list(user=request.user), pk=pk)
    form = TaskForm(request.POST, members=ForceMember.objects.visible_to(request.user).active())
    if form.is_valid():
        if _run(
            request, services.task_assign, activation=activation, actor=request.user, **form.cleaned_data
        ):
            messages.success(request, _("Task assigned."))
    else:
        messages.error(request, _("Check the task: %(errors)s") % {"errors": form.errors.as_text()})
    return redirect("forces:activation-detail", pk)


@login_required
@require_POST
def task_done(request, pk):
    visible = ActivationTask.objects.filter(
        Q(assignee__user=request.user)
        | Q(pk__in=ActivationTask.objects.visible_to(request.user).values("pk"))
    )
    task = get_object_or_404(visible, pk=pk)
    if _run(request, services.task_done, task=task, actor=request.user, note=request.POST.get("note", "")):
        messages.success(request, _("Task marked done."))
    return _back(request, "forces:my")


# --- the phone pages -------------------------------------------------------------------------------------


@login_required
def my(request):
    """The member's phone page: open call-ups to acknowledge and check in, tasks and shifts."""
    return render(
        request,
        "forces/my.html",
        {
            "mobilisations": selectors.my_mobilisations(user=request.user),
            "tasks": selectors.my_tasks(user=request.user),
            "shifts": selectors.my_shifts(user=request.user),
            "checkin_form": CheckInForm(),
        },
    )


def _answer(request, mobilisation, actor):
    action = request.POST.get("action")
    if action == "acknowledge":
        if _run(request, services.mobilisation_acknowledge, mobilisation=mobilisation, actor=actor):
            messages.success(request, _("Acknowledged. Thank you."))
    elif action == "check_in":
        form = CheckInForm(request.POST)
        if form.is_valid():
            if _run(
                request,
                services.mobilisation_check_in,
                mobilisation=mobilisation,
                actor=actor,
                **form.cleaned_data,
            ):
                messages.success(request, _("Checked in."))
    else:
        raise Http404


@login_required
@require_POST
def mobilisation_answer(request, pk):
    mobilisation = get_object_or_404(
        Mobilisation.objects.filter(
            Q(member__user=request.user)
            | Q(pk__in=Mobilisation.objects.visible_to(request.user).values("pk"))
        ),
        pk=pk,
    )
    _answer(request, mobilisation, request.user)
    return _back(request, "forces:my")


def mobilisation_token(request, token):
    """The SMS link: members without an account acknowledge and check in here, holding only their key."""
    mobilisation = get_object_or_404(Mobilisation.objects.select_related("activation", "member"), token=token)
    if request.method == "POST":
        _answer(request, mobilisation, None)
        return redirect("forces:mobilisation-token", token)
    return render(
        request,
        "forces/mobilisation_token.html",
        {"m": mobilisation, "checkin_form": CheckInForm()},
    )


# --- social-force registration ---------------------------------------------------------------------------


def join(request):
    """Public page: a volunteer, an elder, a business… registers as a social-force member."""
    form = JoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        key = f"forces:join:{client_ip(request)}"
        attempts = cache.get_or_set(key, 0, 3600)
        if attempts >= conf.JOIN_RATE_PER_HOUR:
            messages.error(request, _("Too many registrations from this connection; please try again later."))
        elif form.cleaned_data["website"]:
            return redirect("forces:join-done")
        else:
            cache.incr(key)
            data = form.cleaned_data
            try:
                services.member_register(
                    name=data["name"],
                    subtype=data["subtype"],
                    area=data["grid"],
                    phone=data["phone"],
                    organisation=data["organisation"],
                    note=data["note"],
                )
            except ValidationError as exc:
                for field_name, errors in exc.message_dict.items():
                    form.add_error(field_name if field_name in form.fields else None, errors)
            else:
                return redirect("forces:join-done")
    return render(request, "forces/join.html", {"form": form})


def join_done(request):
    return render(request, "forces/join_done.html")


@login_required
@permission_required("forces.change_forcemember", raise_exception=True)
def approvals(request):
    if request.method == "POST":
        member = get_object_or_404(
            selectors.pending_registrations(user=request.user), pk=request.POST.get("member")
        )
        if request.POST.get("action") == "approve":
            if _run(request, services.member_approve, member=member, actor=request.user):
                messages.success(request, _("%(name)s approved.") % {"name": member.name})
        else:
            if _run(
                request,
                services.member_reject,
                member=member,
                actor=request.user,
                reason=request.POST.get("reason", ""),
            ):
                messages.info(request, _("%(name)s rejected.") % {"name": member.name})
        return redirect("forces:approvals")
    return render(
        request, "forces/approvals.html", {"pending": selectors.pending_registrations(user=request.user)}
    )
